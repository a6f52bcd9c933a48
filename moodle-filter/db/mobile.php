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
 * What the Moodle App loads of filter_hlsgate: a filter handler whose start-up JavaScript
 * ({@see \filter_hlsgate\output\mobile::mobile_init()}) registers it in the app's CoreFilterDelegate.
 * The app shows texts filtered here on the server; the handler turns their placeholders into players.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$addons = [
    'filter_hlsgate' => [
        'handlers' => [
            'hlsgate' => [
                // The app has no site-plugin class for filters: the init JavaScript registers the handler itself.
                'delegate' => 'CoreFilterDelegate',
                'init' => 'mobile_init',
            ],
        ],
    ],
];
