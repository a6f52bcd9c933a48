<?php
// The upgrade test's data (testing/moodle/upgrade.ts), with Moodle's own APIs.
//
//   php upgrade-data.php seed   puts into a site with the previous release of filter_hlsgate what a
//                               school's site has: every setting set, the embed grant key, progress
//                               rows and a log entry (the plugin's own event), then dumps
//   php upgrade-data.php dump   prints {version, config, progress, log} as JSON

require(__DIR__ . '/lib.php');

global $DB;
$command = $argv[1] ?? '';

if ($command === 'seed') {
    \core\session\manager::set_user(get_admin());
    $generator = new testing_data_generator();
    $course = $generator->create_course(['shortname' => 'UPG', 'fullname' => 'Upgrade course']);
    $student = $generator->create_user(['username' => 'upgradestudent']);
    $generator->enrol_user($student->id, $course->id, 'student');
    $context = context_course::instance($course->id);
    $settings = [
        'authurl' => 'https://media.example.edu/_auth', 'issuer' => 'https://moodle.example.edu', 'tokenkid' => 'k2026',
        'tokensecret' => str_repeat('s3cr3t-', 8), 'mediabaseurls' => "https://media.example.edu/lectures/\nhttps://cdn.example.edu/v/",
        'tokenlifetime' => '300', 'watermark' => 'fullname', 'playbackrates' => '0.75,1,1.5', 'aspectratio' => '4:3',
    ];
    foreach ($settings as $name => $value) {
        set_config($name, $value, 'filter_hlsgate');
    }
    if (strlen((string) get_config('filter_hlsgate', 'embedkey')) < 32) {
        cli_error('the previous release made no embed key at install');
    }
    $now = time();
    $ids = [];
    foreach ([[$student->id, 'lecture1', '[[0,30.5],[60,90]]', 60.5], [get_admin()->id, 'lecture2', '[[0,12]]', 12]] as $i => $row) {
        [$userid, $dir, $ranges, $watched] = $row;
        $resource = "https://media.example.edu/lectures/$dir/";
        $ids[] = $DB->insert_record('filter_hlsgate_progress', (object) [
            'userid' => $userid, 'contextid' => $context->id, 'videohash' => sha1($resource), 'resource' => $resource,
            'url' => $resource . 'index.m3u8', 'ranges' => $ranges, 'watched' => $watched, 'duration' => 600,
            'lastposition' => $watched, 'milestone' => 0, 'session' => "session-$i", 'seq' => 3 + $i,
            'timecreated' => $now - 3600, 'timemodified' => $now - 60,
        ]);
    }
    \core\session\manager::set_user($student);
    \filter_hlsgate\event\video_viewed::create(['contextid' => $context->id, 'objectid' => $ids[0], 'relateduserid' => $student->id,
        'other' => ['url' => 'https://media.example.edu/lectures/lecture1/index.m3u8']])->trigger();
    get_log_manager(true);
    $command = 'dump';
}

if ($command !== 'dump') {
    cli_error('usage: php upgrade-data.php seed|dump');
}
$config = (array) get_config('filter_hlsgate');
ksort($config);
hlsgate_answer([
    'version' => (int) $config['version'],
    'config' => $config,
    'progress' => array_values($DB->get_records('filter_hlsgate_progress', null, 'id')),
    'log' => array_values($DB->get_records('logstore_standard_log', ['component' => 'filter_hlsgate'], 'id',
        'id, eventname, component, action, target, objecttable, objectid, contextid, userid, relateduserid, other, timecreated')),
]);
