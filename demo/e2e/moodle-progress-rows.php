<?php
// This file is part of hlsgate's browser tests (demo/e2e/moodle-progress.spec.ts), run through the
// Moodle harness (testing/moodle/): prints the rows of filter_hlsgate_progress as JSON.

require(__DIR__ . '/../../testing/moodle/php/lib.php');

global $DB;
hlsgate_answer(array_values(array_map(static fn($row) => [
    'userid' => (int) $row->userid, 'contextid' => (int) $row->contextid, 'watched' => (float) $row->watched,
    'duration' => (float) $row->duration, 'lastposition' => (float) $row->lastposition, 'ranges' => json_decode($row->ranges),
], $DB->get_records('filter_hlsgate_progress', null, 'id'))));
