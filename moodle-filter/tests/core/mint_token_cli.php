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
 * Command line: mints a view token with token_minter, for the cross-language test
 * (tests/token-vectors.test.ts). Reads {"kid", "secret", "claims"} (or a list of them) as JSON on stdin,
 * prints one token per line.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

// Moodle-free by design (no config.php): run by PHP's CLI alone, outside any Moodle site.
// phpcs:disable moodle.Files.MoodleInternal.MoodleInternalGlobalState

if (PHP_SAPI !== 'cli') {
    exit(1);
}
require(__DIR__ . '/bootstrap.php');

$input = json_decode((string) stream_get_contents(STDIN), true, 16, JSON_THROW_ON_ERROR);
// One request {kid, secret, claims}, or a list of them: one token per line.
foreach (array_is_list($input) ? $input : [$input] as $request) {
    $minter = new \filter_hlsgate\local\token_minter((string) $request['kid'], (string) $request['secret']);
    echo $minter->mint($request['claims']), "\n";
}
