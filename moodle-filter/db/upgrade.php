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
 * Upgrade steps of filter_hlsgate.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

/**
 * Upgrades the plugin from an older version.
 *
 * @param int $oldversion the version installed
 * @return bool
 */
function xmldb_filter_hlsgate_upgrade($oldversion) {
    if ($oldversion < 2026120100) {
        // Sites installed before embed grants existed get their key here (new sites in install.php).
        if (strlen((string) get_config('filter_hlsgate', 'embedkey')) < \filter_hlsgate\local\embed_grant::MIN_KEY_LENGTH) {
            set_config('embedkey', \filter_hlsgate\local\embed_grant::new_key(), 'filter_hlsgate');
        }
        upgrade_plugin_savepoint(true, 2026120100, 'filter', 'hlsgate');
    }
    return true;
}
