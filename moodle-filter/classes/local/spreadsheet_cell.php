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

namespace filter_hlsgate\local;

/**
 * A cell of a download (CSV, Excel, ODS) that a spreadsheet reads as text, never as a formula.
 *
 * A cell starting with =, +, -, @ (or a tab or carriage return, which some spreadsheets skip
 * before them) gets a leading apostrophe, as OWASP advises for CSV injection. Core's reports do
 * not do this; this one names students, who choose their own names.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class spreadsheet_cell {
    /**
     * The cell, made safe.
     *
     * @param mixed $value
     * @return mixed the value, or a string with a leading apostrophe
     */
    public static function escape(mixed $value): mixed {
        if (!is_string($value) || $value === '' || !in_array($value[0], ['=', '+', '-', '@', "\t", "\r"], true)) {
            return $value;
        }
        return "'" . $value;
    }
}
