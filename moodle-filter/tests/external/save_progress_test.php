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

namespace filter_hlsgate\external;

use core_external\external_api;
use filter_hlsgate\event\video_progress;
use filter_hlsgate\event\video_viewed;
use filter_hlsgate\local\embed_registry;
use filter_hlsgate\local\progress_store;
use filter_hlsgate\local\video_duration;

#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\external\save_progress::class)]
#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\local\progress_store::class)]
/**
 * filter_hlsgate_save_progress inside Moodle: merged ranges, the wall-time rule, retries, the resume
 * position through filter_hlsgate_get_playback, the events, and the access rule of playback.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \filter_hlsgate\external\save_progress
 * @covers     \filter_hlsgate\local\progress_store
 */
final class save_progress_test extends \advanced_testcase {
    /** @var string media base */
    private const BASE = 'https://media.example.test/lectures/';
    /** @var string video folder */
    private const DIR = 'AbCdEfGhIjKlMnOpQrSt12';
    /** @var string test signing secret */
    private const SECRET = 'hlsgate-test-secret-A-0123456789abcdef-not-for-production';

    /** @var \stdClass */
    private \stdClass $course;

    /** @var \context_module the page's context */
    private \context_module $context;

    /** @var \stdClass an enrolled student */
    private \stdClass $student;

    /** @var string the pasted URL of the video */
    private string $url;

    protected function setUp(): void {
        parent::setUp();
        $this->resetAfterTest();
        $this->getDataGenerator()->get_plugin_generator('filter_hlsgate')->configure_site(self::BASE, self::SECRET);
        $this->course = $this->getDataGenerator()->create_course();
        $page = $this->getDataGenerator()->create_module('page', ['course' => $this->course->id]);
        $this->context = \context_module::instance($page->cmid);
        $this->student = $this->getDataGenerator()->create_and_enrol($this->course, 'student');
        $this->url = self::BASE . self::DIR . '/master.m3u8';
        // A teacher's embed, and the video's duration as the media host gives it (no media host here).
        embed_registry::grant($this->context, $this->url, (int) get_admin()->id);
        video_duration::remember(self::BASE . self::DIR . '/', 600.0);
    }

    /**
     * The markup's grant: none any more (kept as a parameter for older players).
     *
     * @param string $url
     * @param \context $context
     * @return string
     */
    private static function grant(string $url, \context $context): string {
        return '';
    }

    /**
     * One report, as the AJAX layer passes it, with the answer checked against its structure.
     *
     * @param array $report session, seq, ranges [[s, e]…], position, duration, started
     * @param int|null $contextid
     * @return array
     */
    private function report(array $report, ?int $contextid = null): array {
        $report += ['session' => 'sessionA', 'seq' => 1, 'ranges' => [], 'position' => 0.0, 'duration' => 600.0,
            'started' => false];
        $ranges = array_map(static fn(array $r): array => ['start' => $r[0], 'end' => $r[1]], $report['ranges']);
        $contextid ??= (int) $this->context->id;
        $grant = $report['grant'] ?? self::grant($this->url, \context::instance_by_id($contextid));
        $result = save_progress::execute(
            $contextid,
            $this->url,
            $grant,
            $report['session'],
            $report['seq'],
            $ranges,
            (float) $report['position'],
            (float) $report['duration'],
            $report['started']
        );
        return external_api::clean_returnvalue(save_progress::execute_returns(), $result);
    }

    /**
     * Moves the wall-time allowance's start back, as if the last accepted report was that long ago.
     *
     * @param int $seconds
     */
    private function wait(int $seconds): void {
        global $DB;
        $DB->execute('UPDATE {' . progress_store::TABLE . '} SET timemodified = timemodified - ?', [$seconds]);
    }

    public function test_watching_40_seconds_then_resume_position_from_get_playback(): void {
        $this->setUser($this->student);
        $sink = $this->redirectEvents();
        $this->report(['started' => true, 'seq' => 1]);
        $this->wait(30);
        $this->report(['seq' => 2, 'ranges' => [[0, 30]], 'position' => 30]);
        $this->wait(10);
        $answer = $this->report(['seq' => 3, 'ranges' => [[0, 40]], 'position' => 40]);
        $this->assertSame(['watched' => 40.0, 'duration' => 600.0, 'percent' => 6.7, 'lastposition' => 40.0], $answer);

        $events = $sink->get_events();
        $this->assertCount(1, $events);
        $this->assertInstanceOf(video_viewed::class, $events[0]);
        $this->assertSame((int) $this->student->id, (int) $events[0]->userid);
        $this->assertSame((int) $this->context->id, (int) $events[0]->contextid);

        $playback = external_api::clean_returnvalue(
            get_playback::execute_returns(),
            get_playback::execute((int) $this->context->id, $this->url, self::grant($this->url, $this->context))
        );
        $this->assertSame(40.0, $playback['lastposition']);
        $this->assertSame(600.0, $playback['duration']);
    }

    public function test_retries_and_rewatching_do_not_inflate_and_a_late_retry_does_not_move_resume_back(): void {
        $this->setUser($this->student);
        $sink = $this->redirectEvents();
        $this->report(['started' => true, 'seq' => 1, 'ranges' => [[0, 5]], 'position' => 5]);
        // The start report again (its answer was lost): one "viewed" only.
        $this->report(['started' => true, 'seq' => 1, 'ranges' => [[0, 5]], 'position' => 5]);
        $this->wait(30);
        $this->report(['seq' => 3, 'ranges' => [[0, 35]], 'position' => 35]);
        // Report seq 2 arrives after seq 3, then the same report twice, then a rewatch of 0–35.
        $this->report(['seq' => 2, 'ranges' => [[0, 20]], 'position' => 20]);
        $answer = $this->report(['seq' => 3, 'ranges' => [[0, 35]], 'position' => 35]);
        $this->assertSame(35.0, $answer['watched']);
        $this->assertSame(35.0, $answer['lastposition']);
        $this->wait(40);
        $answer = $this->report(['seq' => 4, 'ranges' => [[0, 35], [0, 35]], 'position' => 35]);
        $this->assertSame(35.0, $answer['watched']);
        $this->assertCount(1, $sink->get_events());

        // A new page view (new session) counts as a new "viewed", and its first position wins.
        $answer = $this->report(['session' => 'sessionB', 'seq' => 1, 'started' => true, 'position' => 12]);
        $this->assertSame(12.0, $answer['lastposition']);
        $this->assertSame(35.0, $answer['watched']);
        $this->assertCount(2, $sink->get_events());
    }

    public function test_more_than_wall_time_allows_is_refused_and_nothing_is_stored(): void {
        global $DB;
        $this->setUser($this->student);
        $this->report(['started' => true]);
        $this->wait(5);
        try {
            $this->report(['seq' => 2, 'ranges' => [[0, 600]], 'position' => 600]);
            $this->fail('a whole video after 5 s was accepted');
        } catch (\moodle_exception $e) {
            $this->assertSame('error:implausible', $e->errorcode);
        }
        $row = $DB->get_record(progress_store::TABLE, ['userid' => $this->student->id]);
        $this->assertSame(0.0, (float) $row->watched);
        $this->assertSame('[]', $row->ranges);
        // Once the wall time has passed, the same claim (the player keeps it) goes through.
        $this->wait(600);
        $this->assertSame(600.0, $this->report(['seq' => 3, 'ranges' => [[0, 600]], 'position' => 600])['watched']);
    }

    public function test_a_first_report_that_claims_too_much_starts_the_allowance(): void {
        global $DB;
        $this->setUser($this->student);
        try {
            $this->report(['started' => true, 'ranges' => [[0, 100]], 'position' => 100]);
            $this->fail('100 s with no earlier report were accepted');
        } catch (\moodle_exception $e) {
            $this->assertSame('error:implausible', $e->errorcode);
        }
        $this->assertSame(1, $DB->count_records(progress_store::TABLE));
        $this->wait(50);
        $this->assertSame(100.0, $this->report(['started' => true, 'ranges' => [[0, 100]], 'position' => 100])['watched']);
    }

    public function test_skipped_part_is_not_counted_and_milestones_are_logged_once(): void {
        video_duration::remember(self::BASE . self::DIR . '/', 100.0);
        $this->setUser($this->student);
        $sink = $this->redirectEvents();
        $this->report(['started' => true, 'duration' => 100]);
        $this->wait(40);
        $this->report(['seq' => 2, 'ranges' => [[0, 40]], 'position' => 40, 'duration' => 100]);
        $this->wait(10);
        // Seek to 90 and play to the end: 40 + 10 of 100.
        $answer = $this->report(['seq' => 3, 'ranges' => [[0, 40], [90, 100]], 'position' => 100, 'duration' => 100]);
        $this->assertSame(50.0, $answer['percent']);
        $this->wait(100);
        $this->report(['seq' => 4, 'ranges' => [[0, 100]], 'position' => 100, 'duration' => 100]);
        $this->report(['seq' => 5, 'ranges' => [[0, 100]], 'position' => 100, 'duration' => 100]);
        $milestones = [];
        foreach ($sink->get_events() as $event) {
            if ($event instanceof video_progress) {
                $milestones[] = $event->other['percent'];
                $this->assertSame($this->url, $event->other['url']);
            }
        }
        $this->assertSame([25, 50, 75, 95], $milestones);
    }

    public function test_the_clients_duration_is_ignored(): void {
        $this->setUser($this->student);
        $this->report(['started' => true, 'duration' => 600]);
        $this->wait(20);
        $answer = $this->report(['seq' => 2, 'ranges' => [[0, 20]], 'position' => 20, 'duration' => 20]);
        $this->assertSame(600.0, $answer['duration']);
        $this->assertSame(3.3, $answer['percent']);
    }

    public function test_a_student_of_another_course_cannot_report(): void {
        global $DB;
        $other = $this->getDataGenerator()->create_course();
        $outsider = $this->getDataGenerator()->create_and_enrol($other, 'student');
        $this->setUser($outsider);
        try {
            $this->report(['started' => true]);
            $this->fail('a student of another course could report progress');
        } catch (\require_login_exception $e) {
            $this->assertStringContainsString('requireloginerror', $e->errorcode);
        }
        $this->assertSame(0, $DB->count_records(progress_store::TABLE));
    }

    public function test_a_url_outside_the_media_bases_and_bad_input_are_refused(): void {
        $this->setUser($this->student);
        $this->url = 'https://elsewhere.example.test/lectures/' . self::DIR . '/master.m3u8';
        try {
            $this->report(['started' => true]);
            $this->fail('a foreign URL was accepted');
        } catch (\moodle_exception $e) {
            $this->assertSame('error:notallowed', $e->errorcode);
        }
        $this->url = self::BASE . self::DIR . '/master.m3u8';
        $this->expectException(\invalid_parameter_exception::class);
        $this->report(['session' => 'not a session!']);
    }

    public function test_the_issues_forgeries_fail(): void {
        global $DB;
        $this->setUser($this->student);
        // 2. A first report of a whole "10-second" video: 10 s of the server's 600.
        $answer = $this->report(['started' => true, 'ranges' => [[0, 10]], 'position' => 10, 'duration' => 10]);
        $this->assertSame(['watched' => 10.0, 'duration' => 600.0, 'percent' => 1.7, 'lastposition' => 10.0], $answer);
        // 3. A folder nobody embedded (made up): refused, no row.
        $this->url = self::BASE . str_repeat('Q', 22) . '/master.m3u8';
        try {
            $this->report(['started' => true]);
            $this->fail('a made-up folder was accepted');
        } catch (\moodle_exception $e) {
            $this->assertSame('error:notembedded', $e->errorcode);
        }
        $this->url = self::BASE . self::DIR . '/master.m3u8';
        // 2,000 ranges of 1 ms: nothing stored of them.
        $tiny = [];
        for ($i = 0; $i < 2000; $i++) {
            $tiny[] = [20 + $i * 0.002, 20 + $i * 0.002 + 0.001];
        }
        $this->report(['seq' => 2, 'ranges' => $tiny, 'position' => 12]);
        $row = $DB->get_record(progress_store::TABLE, ['userid' => $this->student->id]);
        $this->assertSame('[[0,10]]', $row->ranges);
        // 4. A position of 1e15: clamped to the duration, no database error.
        $this->assertSame(600.0, $this->report(['seq' => 3, 'position' => 1e15])['lastposition']);
        $this->assertSame(1, $DB->count_records(progress_store::TABLE));
    }

    public function test_a_video_the_media_host_does_not_serve_stores_nothing(): void {
        global $DB;
        \cache::make('filter_hlsgate', 'durations')->purge();
        $this->setUser($this->student);
        try {
            $this->report(['started' => true, 'ranges' => [[0, 5]]]);
            $this->fail('a report without a duration from the media host was accepted');
        } catch (\moodle_exception $e) {
            $this->assertSame('error:noduration', $e->errorcode);
        }
        $this->assertSame(0, $DB->count_records(progress_store::TABLE));
    }

    public function test_rows_per_user_are_capped(): void {
        global $DB;
        $rows = [];
        for ($i = 0; $i < progress_store::MAX_ROWS_PER_USER; $i++) {
            $rows[] = ['userid' => $this->student->id, 'contextid' => $this->context->id, 'videohash' => sha1("v$i"),
                'resource' => "v$i", 'url' => "v$i", 'ranges' => '[]'];
        }
        $DB->insert_records(progress_store::TABLE, $rows);
        $this->setUser($this->student);
        try {
            $this->report(['started' => true]);
            $this->fail('a row beyond the cap was made');
        } catch (\moodle_exception $e) {
            $this->assertSame('error:toomanyvideos', $e->errorcode);
        }
    }
}
