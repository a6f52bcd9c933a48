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
 * Bootstrap of the Moodle-free tests: autoloads filter_hlsgate\local\* from classes/local/.
 * The Moodle glue (text_filter, external, privacy) is not loaded here; it needs Moodle.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

// Moodle-free by design (no config.php): run by PHP's CLI alone, outside any Moodle site.
// phpcs:disable moodle.Files.MoodleInternal.MoodleInternalGlobalState

spl_autoload_register(static function (string $class): void {
    $prefix = 'filter_hlsgate\\local\\';
    if (str_starts_with($class, $prefix)) {
        $file = dirname(__DIR__, 2) . '/classes/local/' . substr($class, strlen($prefix)) . '.php';
        if (is_file($file)) {
            require_once($file);
        }
    }
});

require_once(__DIR__ . '/each_case.php');
