<?php
// What a spec adds to the scenario's site, with Moodle's own APIs. One JSON request in, one JSON
// answer out:
//
//   {"command": "page", "course": "HLSA", "name": "…", "html": "… @@PLUGINFILE@@/x.m3u8 …",
//    "revision"?: 1 (as a page saved through its form: the app's URLs carry it),
//    "files": [{"filename": "x.m3u8", "mode": "alias"|"copy", "path": "/Demo course/x.m3u8"}
//              | {"filename": "y.m3u8", "content": "…"}]}
//     → {"cmid", "contextid", "url", "files": {"x.m3u8": "<pluginfile URL>"}}
//   {"command": "config", "plugin": "filter_hlsgate", "values": {"name": "value"}}  → {"ok": true, "previous": {"name": "old"|null}}
//   {"command": "capability", "capability": "…", "role": "guest", "permission": "allow"|"inherit", "contextid"?: 1}
//     → {"ok": true}
//   {"command": "edit-page", "cmid": 5, "html": "…", "user": "teacher"}  → {"ok": true}
//     (saves the content as modedit does: the row, then course_module_updated as that user)
//   {"command": "book", "course": "HLSA", "name": "…", "chapters": [{"title", "hidden", "file": "x.m3u8",
//    "path": "/Demo course/x.m3u8"}]}  → {"cmid", "contextid", "files": {"x.m3u8": "<pluginfile URL>"}}
//   {"command": "import", "from": "HLSB", "to": "HLSA"}  → {"pages": [{"name", "cmid", "contextid"}]}  (Import, as the admin)
//   {"command": "rename", "username": "student2", "firstname": "…"}  → {"ok": true}
//   {"command": "mobile", "enabled": true}  → {"ok": true}  (Site administration › Mobile app › Enable web services
//     for mobile devices, as the admin setting does it: web services, the official mobile service, REST)
//   {"command": "mobile-functions", "present": false}  → {"functions": [...]}  (filter_hlsgate's functions out of
//     the mobile service, as on a site with an older plugin; true puts them back)

require(__DIR__ . '/lib.php');

global $DB, $CFG;
\core\session\manager::set_user(get_admin());
$request = hlsgate_request();

switch ($request['command'] ?? '') {
    case 'page':
        $course = $DB->get_record('course', ['shortname' => $request['course']], '*', MUST_EXIST);
        $page = (new testing_data_generator())->create_module('page', ['course' => $course->id,
            'name' => $request['name'], 'content' => $request['html'], 'contentformat' => FORMAT_HTML]);
        $context = context_module::instance($page->cmid);
        if (isset($request['revision'])) {
            // As a page saved through its form (revision 1 and up; the generator leaves 0), rescanned as the admin.
            $DB->set_field('page', 'revision', (int) $request['revision'], ['id' => $page->id]);
            $page->revision = (int) $request['revision'];
        }
        $fs = get_file_storage();
        $repository = $DB->get_record_sql("SELECT ri.id FROM {repository_instances} ri JOIN {repository} r ON r.id = ri.typeid
            WHERE r.type = 'filesystem' AND ri.name = 'Lectures'", [], MUST_EXIST);
        $urls = [];
        foreach ($request['files'] ?? [] as $file) {
            $record = ['contextid' => $context->id, 'component' => 'mod_page', 'filearea' => 'content', 'itemid' => 0,
                'filepath' => '/', 'filename' => $file['filename']];
            if (isset($file['content'])) {
                $fs->create_file_from_string($record, $file['content']);
            } else if (($file['mode'] ?? '') === 'alias') {
                $fs->create_file_from_reference($record, $repository->id, $file['path']);
            } else {
                $source = $CFG->dataroot . '/repository/' . HLSGATE_REPOSITORY_FOLDER . $file['path'];
                $fs->create_file_from_pathname($record, $source);
            }
            $urls[$file['filename']] = moodle_url::make_pluginfile_url($context->id, 'mod_page', 'content', $page->revision ?? 1,
                '/', $file['filename'])->out(false);
        }
        if (isset($request['revision'])) {
            \filter_hlsgate\local\embed_registry::sync_context($context, (int) get_admin()->id);
        }
        hlsgate_answer(['cmid' => (int) $page->cmid, 'contextid' => (int) $context->id,
            'url' => (new moodle_url('/mod/page/view.php', ['id' => $page->cmid]))->out(false), 'files' => $urls]);
    case 'config':
        $previous = [];
        foreach ($request['values'] as $name => $value) {
            $old = get_config($request['plugin'] ?? 'core', $name);
            $previous[$name] = $old === false ? null : $old;
            set_config($name, $value, $request['plugin'] ?? null);
        }
        hlsgate_answer(['ok' => true, 'previous' => $previous]);
    case 'capability':
        $role = $DB->get_record('role', ['shortname' => $request['role']], '*', MUST_EXIST);
        $permission = ['allow' => CAP_ALLOW, 'inherit' => CAP_INHERIT, 'prohibit' => CAP_PROHIBIT][$request['permission']];
        assign_capability($request['capability'], $permission, $role->id, $request['contextid'] ?? SYSCONTEXTID, true);
        hlsgate_answer(['ok' => true]);
    case 'edit-page':
        $cm = get_coursemodule_from_id('page', $request['cmid'], 0, false, MUST_EXIST);
        \core\session\manager::set_user($DB->get_record('user', ['username' => $request['user'] ?? 'admin'], '*', MUST_EXIST));
        $DB->update_record('page', (object) ['id' => $cm->instance, 'content' => $request['html'], 'timemodified' => time()]);
        \core\event\course_module_updated::create_from_cm($cm)->trigger();
        hlsgate_answer(['ok' => true]);
    case 'book':
        $course = $DB->get_record('course', ['shortname' => $request['course']], '*', MUST_EXIST);
        $generator = new testing_data_generator();
        $book = $generator->create_module('book', ['course' => $course->id, 'name' => $request['name']]);
        $context = context_module::instance($book->cmid);
        $urls = [];
        foreach ($request['chapters'] as $item) {
            $chapter = $generator->get_plugin_generator('mod_book')->create_chapter(['bookid' => $book->id,
                'title' => $item['title'], 'hidden' => empty($item['hidden']) ? 0 : 1, 'content' => '']);
            get_file_storage()->create_file_from_pathname(['contextid' => $context->id, 'component' => 'mod_book',
                'filearea' => 'chapter', 'itemid' => $chapter->id, 'filepath' => '/', 'filename' => $item['file']],
                $CFG->dataroot . '/repository/' . HLSGATE_REPOSITORY_FOLDER . $item['path']);
            $DB->set_field('book_chapters', 'content', '<p><a href="@@PLUGINFILE@@/' . rawurlencode($item['file']) . '">'
                . s($item['title']) . '</a></p>', ['id' => $chapter->id]);
            \mod_book\event\chapter_created::create_from_chapter($book, $context,
                $DB->get_record('book_chapters', ['id' => $chapter->id]))->trigger();
            $urls[$item['file']] = moodle_url::make_pluginfile_url($context->id, 'mod_book', 'chapter', $chapter->id, '/',
                $item['file'])->out(false);
        }
        hlsgate_answer(['cmid' => (int) $book->cmid, 'contextid' => (int) $context->id, 'files' => $urls]);
    case 'import':
        require_once($CFG->dirroot . '/backup/util/includes/backup_includes.php');
        require_once($CFG->dirroot . '/backup/util/includes/restore_includes.php');
        $from = $DB->get_record('course', ['shortname' => $request['from']], '*', MUST_EXIST);
        $to = $DB->get_record('course', ['shortname' => $request['to']], '*', MUST_EXIST);
        $bc = new backup_controller(backup::TYPE_1COURSE, $from->id, backup::FORMAT_MOODLE, backup::INTERACTIVE_NO,
            backup::MODE_IMPORT, get_admin()->id);
        $backupid = $bc->get_backupid();
        $bc->execute_plan();
        $bc->destroy();
        $rc = new restore_controller($backupid, $to->id, backup::INTERACTIVE_NO, backup::MODE_IMPORT, get_admin()->id,
            backup::TARGET_CURRENT_ADDING);
        $rc->execute_precheck();
        $rc->execute_plan();
        $rc->destroy();
        $pages = [];
        foreach (get_fast_modinfo($to->id)->get_instances_of('page') as $cm) {
            $pages[] = ['name' => $cm->name, 'cmid' => (int) $cm->id, 'contextid' => (int) $cm->context->id];
        }
        hlsgate_answer(['pages' => $pages]);
    case 'rename':
        $user = $DB->get_record('user', ['username' => $request['username']], '*', MUST_EXIST);
        $DB->update_record('user', (object) ['id' => $user->id, 'firstname' => $request['firstname']]);
        hlsgate_answer(['ok' => true]);
    case 'mobile':
        require_once($CFG->libdir . '/adminlib.php');
        (new admin_setting_enablemobileservice('enablemobilewebservice', '', '', 0))->write_setting(empty($request['enabled']) ? 0 : 1);
        hlsgate_answer(['ok' => true]);
    case 'mobile-functions':
        $serviceid = $DB->get_field('external_services', 'id', ['shortname' => MOODLE_OFFICIAL_MOBILE_SERVICE], MUST_EXIST);
        foreach (['filter_hlsgate_get_playback', 'filter_hlsgate_save_progress'] as $function) {
            $DB->delete_records('external_services_functions', ['externalserviceid' => $serviceid, 'functionname' => $function]);
            if (!empty($request['present'])) {
                $DB->insert_record('external_services_functions', ['externalserviceid' => $serviceid, 'functionname' => $function]);
            }
        }
        hlsgate_answer(['functions' => array_values($DB->get_fieldset_select('external_services_functions', 'functionname',
            'externalserviceid = ? AND functionname LIKE ?', [$serviceid, 'filter_hlsgate_%']))]);
    default:
        cli_error('unknown command: ' . json_encode($request['command'] ?? null));
}
