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

use filter_hlsgate\local\media_bases;

/**
 * The allowed media base URLs: one per line, each refused line named.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class setting_mediabases extends \admin_setting_configtextarea {
    #[\Override]
    public function validate($data) {
        $errors = media_bases::from_setting((string) $data)->errors();
        if ($errors) {
            return get_string('error:badmediabase', 'filter_hlsgate', s(reset($errors)));
        }
        return true;
    }
}
