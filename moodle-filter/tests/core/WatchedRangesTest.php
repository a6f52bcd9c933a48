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

use filter_hlsgate\local\watched_ranges;
use PHPUnit\Framework\TestCase;

#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\local\watched_ranges::class)]
/**
 * The watched-ranges arithmetic against the vectors player/watched-ranges.test.ts also passes.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class WatchedRangesTest extends TestCase {
    use each_case;

    /**
     * Vectors of one kind, keyed by name.
     *
     * @param string $kind normalize, total, assess or percent
     * @return array<string, array{array<string, mixed>}>
     */
    private static function vectors(string $kind): array {
        $file = dirname(__DIR__) . '/fixtures/watched-ranges.json';
        $all = json_decode(file_get_contents($file), true, 32, JSON_THROW_ON_ERROR);
        $cases = [];
        foreach ($all[$kind] as $vector) {
            $cases[$vector['name']] = [$vector];
        }
        return $cases;
    }

    /**
     * Ranges as floats, so that 5 and 5.0 compare equal.
     *
     * @param array $ranges
     * @return array
     */
    private static function floats(array $ranges): array {
        return array_map(static fn(array $r): array => [(float) $r[0], (float) $r[1]], $ranges);
    }

    /**
     * The normalize vectors.
     *
     * @return array
     */
    public static function normalize_vectors(): array {
        return self::vectors('normalize');
    }

    /**
     * The total vectors.
     *
     * @return array
     */
    public static function total_vectors(): array {
        return self::vectors('total');
    }

    /**
     * The assess vectors.
     *
     * @return array
     */
    public static function assess_vectors(): array {
        return self::vectors('assess');
    }

    /**
     * The percent vectors.
     *
     * @return array
     */
    public static function percent_vectors(): array {
        return self::vectors('percent');
    }

    /**
     * Test: normalize.
     *
     * Every case of normalize_vectors(), each run as a data provider's would be (each_case).
     */
    public function test_normalize(): void {
        $this->each_case(self::normalize_vectors(), $this->check_normalize(...));
    }

    /**
     * One case of test_normalize().
     *
     * @param array $v
     */
    private function check_normalize(array $v): void {
        $duration = $v['duration'] === null ? null : (float) $v['duration'];
        $this->assertSame(self::floats($v['expect']), watched_ranges::normalize($v['ranges'], $duration));
    }

    /**
     * Test: total.
     *
     * Every case of total_vectors(), each run as a data provider's would be (each_case).
     */
    public function test_total(): void {
        $this->each_case(self::total_vectors(), $this->check_total(...));
    }

    /**
     * One case of test_total().
     *
     * @param array $v
     */
    private function check_total(array $v): void {
        $this->assertSame((float) $v['expect'], watched_ranges::total(self::floats($v['ranges'])));
    }

    /**
     * Test: assess.
     *
     * Every case of assess_vectors(), each run as a data provider's would be (each_case).
     */
    public function test_assess(): void {
        $this->each_case(self::assess_vectors(), $this->check_assess(...));
    }

    /**
     * One case of test_assess().
     *
     * @param array $v
     */
    private function check_assess(array $v): void {
        $got = watched_ranges::assess($v['stored'], $v['reported'], (float) $v['duration'], (float) $v['elapsed']);
        $expect = $v['expect'];
        $this->assertSame(self::floats($expect['ranges']), $got['ranges']);
        $this->assertSame((float) $expect['watched'], $got['watched']);
        $this->assertSame((float) $expect['added'], $got['added']);
        $this->assertSame((float) $expect['allowed'], $got['allowed']);
        $this->assertSame($expect['plausible'], $got['plausible']);
    }

    /**
     * Test: percent.
     *
     * Every case of percent_vectors(), each run as a data provider's would be (each_case).
     */
    public function test_percent(): void {
        $this->each_case(self::percent_vectors(), $this->check_percent(...));
    }

    /**
     * One case of test_percent().
     *
     * @param array $v
     */
    private function check_percent(array $v): void {
        $this->assertSame((float) $v['expect'], watched_ranges::percent(self::floats($v['ranges']), (float) $v['duration']));
    }

    /**
     * Test: non finite values are dropped.
     */
    public function test_non_finite_values_are_dropped(): void {
        $this->assertSame([[1.0, 2.0]], watched_ranges::normalize([[NAN, 3], [0, INF], [1, 2]], 600.0));
    }
}
