<?php
// This file is part of hlsgate's benchmarks (moodle-filter/bench/app-filter.bench.ts), run in the
// harness's real Moodle (testing/moodle/): the time of text_filter::filter() over 1,000 texts of a
// page in the mix the Moodle App meets (plain text, pasted lectures, video tags, a playlist of another
// context as webservice/pluginfile.php, links in <pre>), and its database reads. Prints JSON.

require(__DIR__ . '/../../testing/moodle/php/lib.php');

global $DB;
\core\session\manager::set_user(get_admin());
$course = $DB->get_record('course', ['shortname' => 'HLSA'], '*', MUST_EXIST);
$page = (new testing_data_generator())->create_module('page', ['course' => $course->id, 'name' => 'Bench']);
$context = context_module::instance($page->cmid);
// The site's media base when it has one (the tests' sites are configured for the local stack), else one
// of the bench's own: a filter with no base turns nothing into a player, and the bench would time nothing.
$savedbases = get_config('filter_hlsgate', 'mediabaseurls');
$bases = array_values(array_filter(array_map('trim', explode("\n", (string) $savedbases))));
if (!$bases) {
    $bases = ['https://media.example.test/lectures/'];
    set_config('mediabaseurls', $bases[0], 'filter_hlsgate');
}
$media = $bases[0] . 'AbCdEfGhIjKlMnOpQrSt12/master.m3u8';
$foreign = moodle_url::make_pluginfile_url(context_course::instance($course->id)->id, 'course', 'summary', 0, '/', 'x.m3u8')->out(false);
require_once(__DIR__ . '/../tests/fixtures/app_texts.php');
$texts = filter_hlsgate_app_texts($media, $foreign);
$filter = new \filter_hlsgate\text_filter($context, []);
$filter->filter($texts[1]);
$runs = [];
$players = 0;
$reads = $DB->perf_get_reads();
for ($run = 0; $run < 7; $run++) {
    $start = hrtime(true);
    $players = 0;
    foreach ($texts as $text) {
        $players += substr_count($filter->filter($text), 'class="filter_hlsgate"');
    }
    $runs[] = (hrtime(true) - $start) / 1e6;
}
$reads = $DB->perf_get_reads() - $reads;
course_delete_module($page->cmid);
set_config('mediabaseurls', $savedbases === false ? null : $savedbases, 'filter_hlsgate');
if ($players === 0) {
    throw new coding_exception('app-filter bench: no text became a player; the figure would time nothing');
}
sort($runs);
hlsgate_answer(['texts' => count($texts), 'players' => $players, 'runsMs' => $runs, 'medianMs' => $runs[3],
    'dbReads' => $reads]);
