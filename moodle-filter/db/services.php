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
 * Web services of filter_hlsgate.
 *
 * Both are in the official mobile service, so the Moodle App's players (db/mobile.php) can call them
 * with the app's token; the access rule is the same as in a browser ({@see \filter_hlsgate\local\access_rule}).
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$functions = [
    'filter_hlsgate_get_playback' => [
        'classname' => \filter_hlsgate\external\get_playback::class,
        'description' => 'A short-lived view token for one HLS video shown by the filter, with the auth server '
            . 'session URL and the viewer watermark.',
        'type' => 'read',
        'capabilities' => 'filter/hlsgate:view',
        'ajax' => true,
        'loginrequired' => true,
        // The Moodle App's players ask for their tokens with the app's own web-service token.
        'services' => [MOODLE_OFFICIAL_MOBILE_SERVICE],
    ],
    'filter_hlsgate_save_progress' => [
        'classname' => \filter_hlsgate\external\save_progress::class,
        'description' => 'Stores what a player of the filter played of a video (merged ranges, position, duration), '
            . 'under the same access rule as filter_hlsgate_get_playback.',
        'type' => 'write',
        'ajax' => true,
        'loginrequired' => true,
        'services' => [MOODLE_OFFICIAL_MOBILE_SERVICE],
    ],
];
