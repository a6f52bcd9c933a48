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
 * The site set-up the filter's Moodle tests share: the filter's settings for a test media host
 * and the filter turned on (`$this->getDataGenerator()->get_plugin_generator('filter_hlsgate')`).
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class filter_hlsgate_generator extends component_generator_base {
    /**
     * Sets the filter up as an admin would (auth URL, key k2026a, lifetime, media base) and turns it on.
     *
     * @param string $base the allowed media base URL
     * @param string $secret the token secret of key k2026a
     */
    public function configure_site(string $base, string $secret): void {
        global $CFG;
        require_once($CFG->libdir . '/filterlib.php');
        set_config('authurl', 'https://media.example.test/_auth', 'filter_hlsgate');
        set_config('tokenkid', 'k2026a', 'filter_hlsgate');
        set_config('tokensecret', $secret, 'filter_hlsgate');
        set_config('tokenlifetime', 300, 'filter_hlsgate');
        set_config('mediabaseurls', $base, 'filter_hlsgate');
        filter_set_global_state('hlsgate', TEXTFILTER_ON);
    }
}
