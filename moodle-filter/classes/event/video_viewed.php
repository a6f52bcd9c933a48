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
class video_viewed extends \core\event\base {
    #[\Override]
    protected function init() {
        $this->data['crud'] = 'r';
        $this->data['edulevel'] = self::LEVEL_PARTICIPATING;
        $this->data['objecttable'] = 'filter_hlsgate_progress';
    }

    #[\Override]
    public static function get_name() {
        return get_string('eventvideoviewed', 'filter_hlsgate');
    }

    #[\Override]
    public function get_description() {
        return "The user with id '{$this->userid}' started the video '" . s($this->other['url'] ?? '')
            . "' in the context with id '{$this->contextid}'.";
    }

    #[\Override]
    public function get_url() {
        return $this->context->get_url();
    }

    #[\Override]
    protected function validate_data() {
        parent::validate_data();
        if (!isset($this->other['url'])) {
            throw new \coding_exception('The \'url\' value must be set in other.');
        }
    }

    #[\Override]
    public static function get_objectid_mapping() {
        // Progress is derived use and is not backed up.
        return self::NOT_MAPPED;
    }

    #[\Override]
    public static function get_other_mapping() {
        return false;
    }
}
