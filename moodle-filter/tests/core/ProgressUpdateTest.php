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

use filter_hlsgate\local\progress_update;
use PHPUnit\Framework\TestCase;

#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\local\progress_update::class)]
/**
 * What one report does to a stored row: merge, refuse, sequence, viewed, milestones, duration.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class ProgressUpdateTest extends TestCase {
    /** The wall clock of the tests (a Unix time). */
    private const NOW = 1_800_000_000;

    /**
     * A report with defaults.
     *
     * @param array $fields
     * @return array
     */
    private static function report(array $fields = []): array {
        return $fields + ['session' => 'a', 'seq' => 1, 'ranges' => [], 'position' => 0.0, 'duration' => 100.0,
            'started' => false];
    }

    /**
     * Test: first report creates the row and logs viewed.
     */
    public function test_first_report_creates_the_row_and_logs_viewed(): void {
        $u = progress_update::apply(null, self::report(['started' => true, 'ranges' => [[0, 4]], 'position' => 4]), self::NOW);
        $this->assertTrue($u->plausible);
        $this->assertTrue($u->viewed);
        $this->assertSame('[[0,4]]', $u->row['ranges']);
        $this->assertSame(4.0, $u->row['watched']);
        $this->assertSame(4.0, $u->row['lastposition']);
        $this->assertSame(self::NOW, $u->row['timecreated']);
        $this->assertSame(self::NOW, $u->row['timemodified']);
        $this->assertSame([], $u->milestones);
    }

    /**
     * Test: refused report changes nothing but a first contact starts the allowance.
     */
    public function test_refused_report_changes_nothing_but_a_first_contact_starts_the_allowance(): void {
        $u = progress_update::apply(null, self::report(['ranges' => [[0, 60]]]), self::NOW);
        $this->assertFalse($u->plausible);
        $this->assertSame('[]', $u->row['ranges']);
        $this->assertSame(self::NOW, $u->row['timemodified']);

        $stored = ['ranges' => '[[0,10]]', 'watched' => 10.0, 'duration' => 100.0, 'lastposition' => 10.0, 'milestone' => 0,
            'session' => 'a', 'seq' => 2, 'timecreated' => self::NOW - 100, 'timemodified' => self::NOW - 10];
        $u = progress_update::apply($stored, self::report(['seq' => 3, 'ranges' => [[0, 60]], 'position' => 60]), self::NOW);
        $this->assertFalse($u->plausible);
        $this->assertSame($stored, $u->row);
        $this->assertSame(50.0, $u->added);
        $this->assertSame(30.0, $u->allowed);
    }

    /**
     * Test: sequence orders positions within a session only.
     */
    public function test_sequence_orders_positions_within_a_session_only(): void {
        $stored = ['ranges' => '[[0,30]]', 'watched' => 30.0, 'duration' => 100.0, 'lastposition' => 30.0, 'milestone' => 25,
            'session' => 'a', 'seq' => 5, 'timecreated' => self::NOW - 100, 'timemodified' => self::NOW - 10];
        $late = progress_update::apply($stored, self::report(['seq' => 4, 'ranges' => [[0, 20]], 'position' => 20]), self::NOW);
        $this->assertSame(30.0, $late->row['lastposition']);
        $this->assertSame(5, $late->row['seq']);
        $other = progress_update::apply(
            $stored,
            self::report(['session' => 'b', 'seq' => 1, 'position' => 3, 'started' => true]),
            self::NOW
        );
        $this->assertSame(3.0, $other->row['lastposition']);
        $this->assertTrue($other->viewed);
        $again = progress_update::apply($stored, self::report(['seq' => 6, 'started' => true, 'position' => 31]), self::NOW);
        $this->assertFalse($again->viewed);
    }

    /**
     * Test: milestones once each, and the duration given (the server's) counts.
     */
    public function test_milestones_once_each_and_the_duration_given_counts(): void {
        $stored = ['ranges' => '[[0,30]]', 'watched' => 30.0, 'duration' => 100.0, 'lastposition' => 30.0, 'milestone' => 25,
            'session' => 'a', 'seq' => 1, 'timecreated' => self::NOW - 100, 'timemodified' => self::NOW - 100];
        // The caller passes the server's duration: 200 s here, whatever was stored.
        $u = progress_update::apply($stored, self::report(['seq' => 2, 'ranges' => [[0, 96]], 'duration' => 200.0]), self::NOW);
        $this->assertSame(200.0, $u->row['duration']);
        $this->assertSame([], $u->milestones);
        $u = progress_update::apply($stored, self::report(['seq' => 2, 'ranges' => [[0, 96]]]), self::NOW);
        $this->assertSame(100.0, $u->row['duration']);
        $this->assertSame([50, 75, 95], $u->milestones);
        $this->assertSame(95, $u->row['milestone']);
        $u = progress_update::apply($u->row, self::report(['seq' => 3, 'ranges' => [[0, 100]]]), self::NOW);
        $this->assertSame([], $u->milestones);
    }

    /**
     * Test: bad numbers are contained.
     */
    public function test_bad_numbers_are_contained(): void {
        $u = progress_update::apply(null, self::report(['duration' => NAN, 'position' => -5.0, 'started' => true]), self::NOW);
        $this->assertSame(0.0, $u->row['duration']);
        $this->assertSame(0.0, $u->row['lastposition']);
        $u = progress_update::apply(null, self::report(['duration' => 1e12, 'position' => 1e12]), self::NOW);
        $this->assertSame(progress_update::MAX_DURATION, $u->row['duration']);
        $this->assertSame(progress_update::MAX_DURATION, $u->row['lastposition']);
    }

    /**
     * A forged first report of a whole short video counts as five percent of the real one.
     */
    public function test_a_forged_first_report_of_a_whole_short_video_is_five_percent_of_the_real_one(): void {
        // The attack: duration 10, ranges [0, 10]. The server's duration is 200 s.
        $u = progress_update::apply(null, self::report(['ranges' => [[0, 10]], 'position' => 10, 'duration' => 200.0,
            'started' => true]), self::NOW);
        $this->assertTrue($u->plausible);
        $this->assertSame(200.0, $u->row['duration']);
        $this->assertSame([], $u->milestones);
        $this->assertSame(0, $u->row['timespent'], 'a single report spends no time');
    }

    /**
     * Tiny ranges are dropped and the stored ranges are capped.
     */
    public function test_tiny_ranges_are_dropped_and_stored_ranges_are_capped(): void {
        $tiny = [];
        for ($i = 0; $i < 2000; $i++) {
            $tiny[] = [$i * 0.01, $i * 0.01 + 0.001];
        }
        $u = progress_update::apply(null, self::report(['ranges' => $tiny, 'duration' => 7200.0]), self::NOW);
        $this->assertSame('[]', $u->row['ranges']);
        $this->assertSame(0.0, $u->row['watched']);

        $stored = progress_update::apply(null, self::report(['started' => true, 'duration' => 7200.0]), self::NOW)->row;
        $now = self::NOW + 1000;
        for ($round = 0; $round < 3; $round++) {
            $ranges = [];
            for ($i = 0; $i < 150; $i++) {
                $start = ($round * 150 + $i) * 10.0;
                $ranges[] = [$start, $start + 1.0 + ($i % 5) * 0.1];
            }
            $u = progress_update::apply(
                $stored,
                self::report(['seq' => $round + 1, 'ranges' => $ranges, 'duration' => 7200.0]),
                $now
            );
            $this->assertTrue($u->plausible);
            $stored = $u->row;
            $now += 1000;
        }
        $kept = json_decode($stored['ranges'], true);
        $this->assertCount(progress_update::MAX_STORED_RANGES, $kept);
        $this->assertLessThanOrEqual(450 * 1.4, $stored['watched']);
        $this->assertGreaterThanOrEqual(200 * 1.0, $stored['watched']);
        $sorted = $kept;
        sort($sorted);
        $this->assertSame($sorted, $kept, 'still in order');
    }

    /**
     * Every stored number fits its database column.
     */
    public function test_every_number_fits_its_column(): void {
        $u = progress_update::apply(null, self::report(['position' => 1e15, 'seq' => PHP_INT_MAX, 'duration' => 200.0]), self::NOW);
        $this->assertSame(200.0, $u->row['lastposition']);
        $this->assertSame(progress_update::MAX_INT, $u->row['seq']);
        $u = progress_update::apply(null, self::report(['position' => 1e15, 'seq' => -5, 'duration' => 0.0]), self::NOW);
        $this->assertSame(progress_update::MAX_DURATION, $u->row['lastposition']);
        $this->assertSame(0, $u->row['seq']);
    }

    /**
     * Time spent grows within a session by at most a step.
     */
    public function test_time_spent_grows_within_a_session_by_at_most_a_step(): void {
        $u = progress_update::apply(null, self::report(['started' => true]), self::NOW);
        $u = progress_update::apply($u->row, self::report(['seq' => 2, 'ranges' => [[0, 30]]]), self::NOW + 30);
        $this->assertSame(30, $u->row['timespent']);
        $u = progress_update::apply($u->row, self::report(['seq' => 3, 'ranges' => [[0, 31]]]), self::NOW + 3030);
        $this->assertSame(30 + progress_update::MAX_TIME_STEP, $u->row['timespent']);
        $u = progress_update::apply($u->row, self::report(['session' => 'b', 'seq' => 1]), self::NOW + 3100);
        $this->assertSame(30 + progress_update::MAX_TIME_STEP, $u->row['timespent'], 'a new session starts no step');
    }
}
