<?php
// What a spec adds to the scenario's site, with Moodle's own APIs. One JSON request in, one JSON
// answer out:
//
//   {"command": "page", "course": "HLSA", "name": "…", "html": "… @@PLUGINFILE@@/x.m3u8 …",
//    "files": [{"filename": "x.m3u8", "mode": "alias"|"copy", "path": "/Demo course/x.m3u8"}
//              | {"filename": "y.m3u8", "content": "…"}]}
//     → {"cmid", "contextid", "url", "files": {"x.m3u8": "<pluginfile URL>"}}
//   {"command": "config", "plugin": "filter_hlsgate", "values": {"name": "value"}}  → {"ok": true}
//   {"command": "capability", "capability": "…", "role": "guest", "permission": "allow"|"inherit", "contextid"?: 1}
//     → {"ok": true}

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
        hlsgate_answer(['cmid' => (int) $page->cmid, 'contextid' => (int) $context->id,
            'url' => (new moodle_url('/mod/page/view.php', ['id' => $page->cmid]))->out(false), 'files' => $urls]);
    case 'config':
        foreach ($request['values'] as $name => $value) {
            set_config($name, $value, $request['plugin'] ?? null);
        }
        hlsgate_answer(['ok' => true]);
    case 'capability':
        $role = $DB->get_record('role', ['shortname' => $request['role']], '*', MUST_EXIST);
        $permission = ['allow' => CAP_ALLOW, 'inherit' => CAP_INHERIT, 'prohibit' => CAP_PROHIBIT][$request['permission']];
        assign_capability($request['capability'], $permission, $role->id, $request['contextid'] ?? SYSCONTEXTID, true);
        hlsgate_answer(['ok' => true]);
    default:
        cli_error('unknown command: ' . json_encode($request['command'] ?? null));
}
