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

namespace filter_hlsgate;

use filter_hlsgate\local\embed_registry;

/**
 * Keeps the embed records in line with the texts they come from: every save of a text a context
 * owns rescans that context, as the user who saved it ({@see embed_registry}).
 *
 * Why events and not the filter: core filters text anyone sends (tiny_equation_filter, Atto's
 * equation ajax.php) in any context they may enter, so rendering proves nothing; the save events
 * name who wrote the text, and capabilities decide. Why a rescan of the whole context and not
 * the event's text: the rescan is a few rows, and it also removes what an edit dropped.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class embed_observer {
    /**
     * A text of the event's context was saved: a course summary, a section, an activity, a chapter.
     *
     * @param \core\event\base $event
     */
    public static function text_saved(\core\event\base $event): void {
        $context = $event->get_context();
        if ($context) {
            embed_registry::sync_context($context, (int) $event->userid);
        }
    }

    /**
     * A course was restored or imported into: every context of it is rescanned as the restoring user.
     *
     * @param \core\event\course_restored $event
     */
    public static function course_restored(\core\event\course_restored $event): void {
        embed_registry::sync_course((int) $event->courseid, (int) $event->userid);
    }

    /**
     * An activity or a course is gone: so are its records.
     *
     * @param \core\event\base $event
     */
    public static function context_deleted(\core\event\base $event): void {
        embed_registry::forget_context((int) $event->contextid);
    }
}
