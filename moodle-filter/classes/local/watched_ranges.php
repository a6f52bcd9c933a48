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
 * The arithmetic of "seconds watched": ranges `[start, end]` of media time actually played, merged
 * so that watching a part twice counts once. The TypeScript twin is `player/watched-ranges.ts`;
 * both pass the shared vectors in `tests/fixtures/watched-ranges.json`. Rounding is written as
 * `floor(x * 1000 + 0.5) / 1000`, which is JavaScript's `Math.round`, so both sides agree to the bit.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class watched_ranges {
    /** Ranges closer than this (seconds) are joined. */
    public const JOIN_GAP = 0.5;

    /** How fast media time may plausibly advance against wall time: the fastest counted playback rate. */
    public const MAX_RATE = 2;

    /** Seconds a report may add beyond MAX_RATE × wall time (network delay, clock granularity). */
    public const SLACK_SECONDS = 10;

    /** The most ranges one report may carry. */
    public const MAX_RANGES = 2000;

    /**
     * Rounds to milliseconds exactly as the TypeScript twin does.
     *
     * @param float $value
     * @return float
     */
    private static function round3(float $value): float {
        return floor($value * 1000 + 0.5) / 1000;
    }

    /**
     * Sorted, merged, clamped to [0, duration] (no upper bound without a positive duration), rounded to
     * milliseconds; entries that are not two finite numbers with start < end are dropped.
     *
     * @param array $ranges list of [start, end]
     * @param float|null $duration
     * @return array<int, array{0: float, 1: float}>
     */
    public static function normalize(array $ranges, ?float $duration = null): array {
        $limit = $duration !== null && is_finite($duration) && $duration > 0 ? $duration : INF;
        $clean = [];
        foreach ($ranges as $range) {
            if (!is_array($range) || count($range) !== 2 || !array_is_list($range)) {
                continue;
            }
            [$a, $b] = $range;
            if (
                !(is_int($a) || is_float($a)) || !(is_int($b) || is_float($b)) || !is_finite((float) $a)
                    || !is_finite((float) $b)
            ) {
                continue;
            }
            $start = self::round3(max(0.0, (float) $a));
            $end = self::round3(min($limit, (float) $b));
            if ($end > $start) {
                $clean[] = [$start, $end];
            }
        }
        usort($clean, static fn(array $x, array $y): int => [$x[0], $x[1]] <=> [$y[0], $y[1]]);
        $merged = [];
        foreach ($clean as [$start, $end]) {
            $last = count($merged) - 1;
            if ($last >= 0 && $start - $merged[$last][1] <= self::JOIN_GAP) {
                $merged[$last][1] = max($merged[$last][1], $end);
            } else {
                $merged[] = [$start, $end];
            }
        }
        return $merged;
    }

    /**
     * Seconds covered by normalized ranges.
     *
     * @param array $ranges normalized ranges
     * @return float
     */
    public static function total(array $ranges): float {
        $sum = 0.0;
        foreach ($ranges as [$start, $end]) {
            $sum += $end - $start;
        }
        return self::round3($sum);
    }

    /**
     * The union of two sets of ranges, normalized.
     *
     * @param array $a
     * @param array $b
     * @param float|null $duration
     * @return array
     */
    public static function union(array $a, array $b, ?float $duration = null): array {
        return self::normalize(array_merge($a, $b), $duration);
    }

    /**
     * Whether a report may be merged into what is stored: the media time it adds must fit into the
     * wall time since the last accepted report. A retry of a merged report adds nothing (idempotent).
     *
     * @param array $stored ranges stored so far
     * @param array $reported ranges of the report
     * @param float|null $duration
     * @param float $elapsedseconds wall time since the last accepted report
     * @return array{ranges: array, watched: float, added: float, allowed: float, plausible: bool}
     */
    public static function assess(array $stored, array $reported, ?float $duration, float $elapsedseconds): array {
        $before = self::total(self::normalize($stored, $duration));
        $ranges = self::union($stored, $reported, $duration);
        $watched = self::total($ranges);
        $added = self::round3(max(0.0, $watched - $before));
        $allowed = self::round3(self::MAX_RATE * max(0.0, $elapsedseconds) + self::SLACK_SECONDS);
        return ['ranges' => $ranges, 'watched' => $watched, 'added' => $added, 'allowed' => $allowed,
            'plausible' => $added <= $allowed];
    }

    /**
     * Percent of the duration covered, 0–100, one decimal; 0 without a duration.
     *
     * @param array $ranges normalized ranges
     * @param float $duration
     * @return float
     */
    public static function percent(array $ranges, float $duration): float {
        if (!($duration > 0)) {
            return 0.0;
        }
        return min(100.0, floor(self::total($ranges) / $duration * 1000 + 0.5) / 10);
    }
}
