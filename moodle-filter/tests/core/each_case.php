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

namespace filter_hlsgate\tests\core;

use PHPUnit\Framework\AssertionFailedError;
use PHPUnit\Framework\ExpectationFailedException;

/**
 * One check per case of a provider, each failure naming its case: what a PHPUnit data provider
 * gives, without the docblock tag moodle-cs allows only in Moodle's `*_test.php` files, and without
 * the attribute Debian's PHPUnit 9.6 would not read. Every case runs; the first failing one fails
 * the test.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
trait each_case {
    /**
     * Calls `$check` with the values of each case, in order.
     *
     * @param array $cases the provider's cases, keyed by name, each a list of arguments
     * @param callable $check the test's body for one case
     */
    private function each_case(array $cases, callable $check): void {
        $this->assertNotEmpty($cases, 'the provider gave no case');
        foreach ($cases as $name => $arguments) {
            try {
                $check(...array_values($arguments));
            } catch (ExpectationFailedException $e) {
                throw new ExpectationFailedException("case '$name': " . $e->getMessage(), $e->getComparisonFailure(), $e);
            } catch (AssertionFailedError $e) {
                throw new AssertionFailedError("case '$name': " . $e->getMessage(), 0, $e);
            }
        }
    }
}
