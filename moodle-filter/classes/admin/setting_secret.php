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

namespace filter_hlsgate\admin;

use filter_hlsgate\local\token_minter;

/**
 * The token secret shared with the auth server: shown unmasked on request, at least 32 bytes.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class setting_secret extends \admin_setting_configpasswordunmask {
    #[\Override]
    public function validate($data) {
        if ($data !== '' && strlen((string) $data) < token_minter::MIN_SECRET_BYTES) {
            return get_string('error:shortsecret', 'filter_hlsgate', token_minter::MIN_SECRET_BYTES);
        }
        return true;
    }
}
