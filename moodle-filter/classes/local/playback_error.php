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
 * A refusal of the Moodle-free core, as data: a language string identifier and its parameter.
 *
 * The Moodle glue turns it into a moodle_exception with the same string identifier, so every
 * refusal reaches the viewer as a translated message and never as a PHP warning.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class playback_error extends \RuntimeException {
    /** @var string identifier of the string in lang/en/filter_hlsgate.php */
    public readonly string $errorcode;

    /** @var string|null parameter of that string ({$a}) */
    public readonly ?string $a;

    /**
     * Constructor.
     *
     * @param string $errorcode string identifier, e.g. 'error:notaplaylist'
     * @param string $message English text for logs and tests
     * @param string|null $a parameter of the language string
     */
    public function __construct(string $errorcode, string $message, ?string $a = null) {
        parent::__construct($message);
        $this->errorcode = $errorcode;
        $this->a = $a;
    }
}
