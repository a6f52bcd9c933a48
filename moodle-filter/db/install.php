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
 * Installs the filter on, directly above "Multimedia plugins", with a new embed key.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

/**
 * Turns the filter on and moves it just above filter_mediaplugin, which would otherwise turn .m3u8
 * links into its own player, one without credentials. Below urltolink, so pasted URLs typed as text
 * are already links when this filter sees them.
 *
 * @return bool
 */
function xmldb_filter_hlsgate_install() {
    global $CFG;
    require_once($CFG->libdir . '/filterlib.php');

    // The key of the embed grants: made here (and in upgrade.php for older sites), never a setting on screen.
    set_config('embedkey', \filter_hlsgate\local\embed_grant::new_key(), 'filter_hlsgate');

    filter_set_global_state('hlsgate', TEXTFILTER_ON);
    // Each move swaps with the neighbour above; stop as soon as mediaplugin is below.
    for ($guard = 0; $guard < 200; $guard++) {
        $order = array_keys(filter_get_global_states());
        $self = array_search('hlsgate', $order, true);
        $mediaplugin = array_search('mediaplugin', $order, true);
        if ($self === false || $mediaplugin === false || $self < $mediaplugin) {
            break;
        }
        filter_set_global_state('hlsgate', TEXTFILTER_ON, -1);
    }
    return true;
}
