<?php
// The site every Moodle test starts from, made with Moodle's own APIs (the data generator that
// Behat uses on real sites): users, two courses, enrolments, guest access, a Page and a File
// system repository instance whose folder ingest publishes into. Run once per snapshot; prints
// the manifest (ids the tests name) as JSON. What depends on the local stack (the filter's
// settings, the playlists) is applied per run by configure.php.

require(__DIR__ . '/lib.php');

global $DB, $CFG;
\core\session\manager::set_user(get_admin());
$generator = new testing_data_generator();

// Plain passwords for test users; the guest login button for the guest.
set_config('passwordpolicy', 0);
set_config('guestloginbutton', 1);
// Pages cache filtered text; the tests change the filter's settings between runs.
set_config('cachetext', 0);

$courses = [
    'A' => $generator->create_course(['shortname' => 'HLSA', 'fullname' => 'Lectures A']),
    'B' => $generator->create_course(['shortname' => 'HLSB', 'fullname' => 'Lectures B']),
];

// Course A lets guests in, so that a guest reaches the page and must be refused at the service.
$guestplugin = enrol_get_plugin('guest');
$guestinstance = $DB->get_record('enrol', ['courseid' => $courses['A']->id, 'enrol' => 'guest'], '*', MUST_EXIST);
$guestplugin->update_status($guestinstance, ENROL_INSTANCE_ENABLED);

$people = [
    'teacher' => ['Tess', 'Teacher', 'A', 'editingteacher'],
    'student1' => ['Sam', 'Student', 'A', 'student'],
    'student2' => ['Kim', 'Second', 'A', 'student'],
    'studentb' => ['Bo', 'Other-Course', 'B', 'student'],
    'outsider' => ['Una', 'Enrolled-Nowhere', null, null],
];
$users = [];
foreach ($people as $username => [$firstname, $lastname, $course, $role]) {
    $user = $generator->create_user([
        'username' => $username, 'password' => HLSGATE_PASSWORD, 'firstname' => $firstname, 'lastname' => $lastname,
        'email' => "$username@example.test",
    ]);
    if ($course) {
        $generator->enrol_user($user->id, $courses[$course]->id, $role);
    }
    $users[$username] = ['id' => (int) $user->id, 'contextid' => (int) context_user::instance($user->id)->id,
        'fullname' => fullname($user), 'email' => $user->email];
}
$guest = guest_user();
$users['guest'] = ['id' => (int) $guest->id, 'contextid' => (int) context_user::instance($guest->id)->id,
    'fullname' => fullname($guest), 'email' => $guest->email];

$welcome = $generator->create_module('page', ['course' => $courses['A']->id, 'name' => 'Welcome',
    'content' => '<p>Lectures of this course are on their own pages.</p>', 'contentformat' => FORMAT_HTML]);

make_writable_directory($CFG->dataroot . '/repository/' . HLSGATE_REPOSITORY_FOLDER);
$generator->create_repository_type('filesystem');
$repository = $generator->create_repository('filesystem', ['name' => 'Lectures', 'fs_path' => HLSGATE_REPOSITORY_FOLDER]);

hlsgate_answer([
    'users' => $users,
    'password' => HLSGATE_PASSWORD,
    'courses' => array_map(fn($c) => ['id' => (int) $c->id, 'shortname' => $c->shortname, 'fullname' => $c->fullname,
        'contextid' => (int) context_course::instance($c->id)->id], $courses),
    'systemcontextid' => (int) context_system::instance()->id,
    'frontpagecontextid' => (int) context_course::instance(SITEID)->id,
    'welcome' => ['cmid' => (int) $welcome->cmid, 'contextid' => (int) context_module::instance($welcome->cmid)->id],
    'repository' => ['id' => (int) $repository->id, 'name' => 'Lectures', 'folder' => HLSGATE_REPOSITORY_FOLDER],
]);
