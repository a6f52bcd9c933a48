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
 * Observers of filter_hlsgate: the embed records follow the texts that make them.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$saved = '\filter_hlsgate\embed_observer::text_saved';
$observers = [];
foreach (
    ['\core\event\course_created', '\core\event\course_updated', '\core\event\course_section_created',
        '\core\event\course_section_updated', '\core\event\course_module_created', '\core\event\course_module_updated',
        '\mod_book\event\chapter_created', '\mod_book\event\chapter_updated', '\mod_book\event\chapter_deleted'] as $eventname
) {
    $observers[] = ['eventname' => $eventname, 'callback' => $saved];
}
$observers[] = ['eventname' => '\core\event\course_restored',
    'callback' => '\filter_hlsgate\embed_observer::course_restored'];
$observers[] = ['eventname' => '\core\event\course_module_deleted',
    'callback' => '\filter_hlsgate\embed_observer::context_deleted'];
$observers[] = ['eventname' => '\core\event\course_deleted',
    'callback' => '\filter_hlsgate\embed_observer::context_deleted'];
unset($saved, $eventname);
