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

namespace filter_hlsgate\event;

/**
 * A user's watched share of a protected video reached 25, 50, 75 or 95 percent (each logged once).
 *
 * objectid is the filter_hlsgate_progress row; other['percent'] the milestone, other['url'] the
 * playlist URL the filter rendered. A course can build on these what a filter cannot: see README.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class video_progress extends video_event {
    /** The row changed. */
    protected const CRUD = 'u';

    #[\Override]
    public static function get_name() {
        return get_string('eventvideoprogress', 'filter_hlsgate');
    }

    #[\Override]
    public function get_description() {
        return "The user with id '{$this->userid}' has watched {$this->other['percent']}% of the video '"
            . s($this->other['url']) . "' in the context with id '{$this->contextid}'.";
    }

    #[\Override]
    protected function validate_data() {
        parent::validate_data();
        if (!in_array($this->other['percent'] ?? null, \filter_hlsgate\local\progress_update::MILESTONES, true)) {
            throw new \coding_exception('The \'percent\' value must be one of '
                . implode(', ', \filter_hlsgate\local\progress_update::MILESTONES) . '.');
        }
    }
}
