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
 * A user started playing a protected video (once per player session, i.e. page view).
 *
 * objectid is the filter_hlsgate_progress row; other['url'] the playlist URL the filter rendered.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class video_viewed extends video_event {
    /** Reading. */
    protected const CRUD = 'r';

    #[\Override]
    public static function get_name() {
        return get_string('eventvideoviewed', 'filter_hlsgate');
    }

    #[\Override]
    public function get_description() {
        return "The user with id '{$this->userid}' started the video '" . s($this->other['url'])
            . "' in the context with id '{$this->contextid}'.";
    }
}
