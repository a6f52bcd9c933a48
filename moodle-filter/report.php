<?php
// This file is part of Moodle - http://moodle.org/
//
// Moodle is free software: you can redistribute it and/or modify
// it under the terms of the GNU General Public License as published by
// the Free Software Foundation, either version 3 of the License, or
// (at your option) any later version.
//
// Moodle is distributed in the hope that it will be useful,
// but WITHOUT ANY WARRANTY; without even the implied warranty of
// MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
// GNU General Public License for more details.
//
// You should have received a copy of the GNU General Public License
// along with Moodle.  If not, see <http://www.gnu.org/licenses/>.

/**
 * The teacher's report: how much of each protected video of the course each student watched.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

require(__DIR__ . '/../../config.php');

use filter_hlsgate\local\progress_report_table;

$courseid = required_param('id', PARAM_INT);
$download = optional_param('download', '', PARAM_ALPHA);

$course = get_course($courseid);
require_login($course);
$context = context_course::instance($course->id);
require_capability('filter/hlsgate:viewreport', $context);

$url = new moodle_url('/filter/hlsgate/report.php', ['id' => $course->id]);
$PAGE->set_url($url);
$PAGE->set_context($context);
$PAGE->set_pagelayout('report');
$title = get_string('report:title', 'filter_hlsgate');
$PAGE->set_title($title . moodle_page::TITLE_SEPARATOR . $course->shortname);
$PAGE->set_heading(format_string($course->fullname, true, ['context' => $context]));

// Groups: the chosen group, or only the teacher's own ones in separate groups without accessallgroups.
$groupmode = groups_get_course_groupmode($course);
$groupid = (int) groups_get_course_group($course, true);
$nogroup = $groupmode == SEPARATEGROUPS && $groupid === 0
    && !has_capability('moodle/site:accessallgroups', $context);

$hasvideos = $DB->record_exists_sql(
    "SELECT 1 FROM {filter_hlsgate_progress} p JOIN {context} ctx ON ctx.id = p.contextid
                                     WHERE ctx.id = :id OR " . $DB->sql_like('ctx.path', ':path'),
    ['id' => $context->id, 'path' => $context->path . '/%']
);
$table = null;
if (!$nogroup && $hasvideos) {
    $table = new progress_report_table($context, $groupid, $url);
    $table->is_downloading($download, clean_filename($course->shortname . '-videos'), $title);
    if ($table->is_downloading()) {
        $table->out(0, false);
        exit;
    }
}

echo $OUTPUT->header();
echo $OUTPUT->heading($title);
groups_print_course_menu($course, $url);
if ($nogroup) {
    echo $OUTPUT->notification(get_string('report:nostudents', 'filter_hlsgate'), 'info');
} else if (!$table) {
    echo $OUTPUT->notification(get_string('report:novideos', 'filter_hlsgate'), 'info');
} else {
    $table->out(50, false);
}
echo $OUTPUT->footer();
