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
 * Callbacks of filter_hlsgate.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

/**
 * Adds the teacher's report of video watching to the course's navigation (the "More" menu in Boost).
 *
 * @param navigation_node $navigation the course node
 * @param stdClass $course
 * @param context_course $context
 */
function filter_hlsgate_extend_navigation_course(navigation_node $navigation, stdClass $course, context_course $context): void {
    if (!has_capability('filter/hlsgate:viewreport', $context)) {
        return;
    }
    $url = new moodle_url('/filter/hlsgate/report.php', ['id' => $course->id]);
    $navigation->add(
        get_string('report:title', 'filter_hlsgate'),
        $url,
        navigation_node::TYPE_SETTING,
        null,
        'filter_hlsgate_report',
        new pix_icon('i/report', '')
    );
}
