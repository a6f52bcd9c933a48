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

namespace filter_hlsgate\search;

use core_search\manager;
use filter_hlsgate\local\transcript;
use filter_hlsgate\local\transcript_store;

defined('MOODLE_INTERNAL') || die();

global $CFG;
require_once($CFG->dirroot . '/search/tests/fixtures/testable_core_search.php');

/**
 * Moodle's global search finds words said in lectures (issue 19): documents built from a WebVTT
 * transcript, one per window and embedding context, each opening the page at the window's time;
 * the hits obey the rule of playback; markup in a transcript stays text; a transcript that cannot
 * be read is logged and retried, and breaks nothing. Indexed and searched with core's
 * search_simpledb engine on the test database.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \filter_hlsgate\search\lecture
 * @covers     \filter_hlsgate\local\transcript_store
 * @covers     \filter_hlsgate\local\access_rule
 */
#[\PHPUnit\Framework\Attributes\CoversClass(lecture::class)]
#[\PHPUnit\Framework\Attributes\CoversClass(transcript_store::class)]
#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\local\access_rule::class)]
final class lecture_test extends \advanced_testcase {
    /** @var string media base */
    private const BASE = 'https://media.example.test/lectures/';
    /** @var string the captioned video's folder */
    private const DIR = 'AbCdEfGhIjKlMnOpQrSt12';
    /** @var string its view-token resource */
    private const RES = self::BASE . self::DIR . '/';
    /** @var string test signing secret */
    private const SECRET = 'hlsgate-test-secret-A-0123456789abcdef-not-for-production';
    /** @var string the lecture's captions: the word is said at 1:15, markup at 2:20 */
    private const VTT = "WEBVTT\n\n1\n00:00:02.000 --> 00:00:06.000\nTess Teacher: Good morning, today linear maps.\n\n"
        . "2\n00:01:15.000 --> 00:01:19.000\nTess Teacher: An eigenvector keeps its direction: eigenvectors.\n\n"
        . "3\n00:02:20.000 --> 00:02:24.000\nTess Teacher: Never type &lt;script&gt;alert(1)&lt;/script&gt; quizzically.\n";

    /** @var \stdClass course A, whose page embeds the lecture */
    private \stdClass $course;
    /** @var \stdClass the page */
    private \stdClass $page;
    /** @var \stdClass[] users by role name */
    private array $users = [];

    protected function setUp(): void {
        parent::setUp();
        $this->resetAfterTest();
        $generator = $this->getDataGenerator();
        $generator->get_plugin_generator('filter_hlsgate')->configure_site(self::BASE, self::SECRET);
        $this->course = $generator->create_course(['fullname' => 'Linear algebra']);
        $other = $generator->create_course();
        $this->users['teacher'] = $generator->create_and_enrol($this->course, 'editingteacher');
        $this->users['student'] = $generator->create_and_enrol($this->course, 'student');
        $this->users['otherstudent'] = $generator->create_and_enrol($other, 'student');
        $this->users['outsider'] = $generator->create_user();
        // The teacher's page embeds the lecture (a pasted media URL): the embed record.
        $this->setUser($this->users['teacher']);
        $this->page = $generator->create_module('page', ['course' => $this->course->id, 'name' => 'Week 3',
            'content' => '<p><a href="' . self::RES . 'master.m3u8">Lecture 3</a></p>', 'contentformat' => FORMAT_HTML]);
        $this->setUser(null);
        // The transcript as the store keeps it after a read.
        transcript_store::store(self::RES, transcript::windows(transcript::cues(self::VTT)), time() - 10);
    }

    /**
     * The documents the area gives the indexer.
     *
     * @return \core_search\document[]
     */
    private static function documents(): array {
        $area = new lecture();
        $docs = [];
        $recordset = $area->get_document_recordset(0);
        foreach ($recordset as $record) {
            $docs[] = $area->get_document($record);
        }
        $recordset->close();
        return $docs;
    }

    /**
     * Indexes the site with search_simpledb and searches as a user.
     *
     * @param \stdClass|null $user null: not logged in
     * @param string $q
     * @return \core_search\document[] hits of this area
     */
    private static function search_as(?\stdClass $user, string $q): array {
        // A fresh manager: a save's event may have made core's own one, and each user's accesses are cached.
        manager::clear_static();
        $search = \testable_core_search::instance(new \search_simpledb\engine());
        $search->add_core_search_areas();
        $search->index();
        self::setUser($user);
        $hits = $search->search((object) ['q' => $q]);
        return array_values(array_filter($hits, static fn($doc) => $doc->get('areaid') === 'filter_hlsgate-lecture'));
    }

    public function test_documents_are_transcript_windows_that_open_the_page_at_their_time(): void {
        $docs = self::documents();
        $this->assertCount(3, $docs);
        $coursecontext = \context_course::instance($this->course->id);
        $area = new lecture();
        $this->setUser($this->users['student']);
        foreach ($docs as $doc) {
            $this->assertSame($coursecontext->id, (int) $doc->get('contextid'));
            $this->assertSame((int) $this->course->id, (int) $doc->get('courseid'));
            $this->assertSame(manager::ACCESS_GRANTED, $area->check_access($doc->get('itemid')));
        }
        $this->assertSame('Week 3, at 1:15', $docs[1]->get('title'));
        $this->assertSame('Tess Teacher: An eigenvector keeps its direction: eigenvectors.', $docs[1]->get('content'));
        $this->assertSame(
            (new \moodle_url('/mod/page/view.php', ['id' => $this->page->cmid]))->out(false) . '#t=75',
            $area->get_doc_url($docs[1])->out(false)
        );
        $this->assertSame('#t=2', strstr($area->get_doc_url($docs[0])->out(false), '#'));
        $this->assertSame(
            (new \moodle_url('/mod/page/view.php', ['id' => $this->page->cmid]))->out(false),
            $area->get_context_url($docs[1])->out(false)
        );
    }

    public function test_the_same_video_in_two_places_gives_each_its_documents(): void {
        $this->setUser($this->users['teacher']);
        $second = $this->getDataGenerator()->create_module('page', ['course' => $this->course->id, 'name' => 'Revision',
            'content' => '<p><a href="' . self::RES . 'master.m3u8">again</a> <a href="' . self::RES . 'master.m3u8">twice</a></p>',
            'contentformat' => FORMAT_HTML]);
        $this->setUser(null);
        $docs = self::documents();
        $this->assertCount(6, $docs);
        $this->assertCount(6, array_unique(array_map(static fn($d) => $d->get('id'), $docs)));
        $area = new lecture();
        $urls = array_map(static fn($d) => $area->get_doc_url($d)->out(false), $docs);
        $this->assertContains((new \moodle_url('/mod/page/view.php', ['id' => $second->cmid]))->out(false) . '#t=140', $urls);
    }

    public function test_a_word_said_in_a_lecture_is_found_by_the_enrolled_only(): void {
        $hits = self::search_as($this->users['student'], 'eigenvectors');
        $this->assertCount(1, $hits);
        $this->assertSame('Week 3, at 1:15', $hits[0]->get('title'));
        $this->assertCount(1, self::search_as($this->users['teacher'], 'eigenvectors'));
        $this->assertSame([], self::search_as($this->users['otherstudent'], 'eigenvectors'));
        $this->assertSame([], self::search_as($this->users['outsider'], 'eigenvectors'));
        $this->assertSame([], self::search_as(guest_user(), 'eigenvectors'));
    }

    public function test_check_access_for_each_kind_of_user(): void {
        global $DB;
        $area = new lecture();
        $itemid = self::documents()[1]->get('itemid');
        $expect = [
            'teacher' => manager::ACCESS_GRANTED, 'student' => manager::ACCESS_GRANTED,
            'otherstudent' => manager::ACCESS_DENIED, 'outsider' => manager::ACCESS_DENIED,
        ];
        foreach ($expect as $who => $answer) {
            $this->setUser($this->users[$who]);
            $this->assertSame($answer, $area->check_access($itemid), $who);
        }
        // The guest, even in a course open to guests, lacks filter/hlsgate:view; nobody logged in sees nothing.
        $DB->set_field('enrol', 'status', ENROL_INSTANCE_ENABLED, ['courseid' => $this->course->id, 'enrol' => 'guest']);
        $this->setGuestUser();
        $this->assertSame(manager::ACCESS_DENIED, $area->check_access($itemid));
        $this->setUser(null);
        $this->assertSame(manager::ACCESS_DENIED, $area->check_access($itemid));

        // A hidden page hides its hits from the student, not from the teacher.
        set_coursemodule_visible($this->page->cmid, 0);
        $this->setUser($this->users['student']);
        $this->assertSame(manager::ACCESS_DENIED, (new lecture())->check_access($itemid));
        $this->setUser($this->users['teacher']);
        $this->assertSame(manager::ACCESS_GRANTED, (new lecture())->check_access($itemid));
        set_coursemodule_visible($this->page->cmid, 1);

        // Without filter/hlsgate:view (playback's capability), no hit.
        $student = $DB->get_record('role', ['shortname' => 'student'], '*', MUST_EXIST);
        assign_capability('filter/hlsgate:view', CAP_PROHIBIT, $student->id, \context_course::instance($this->course->id), true);
        $this->setUser($this->users['student']);
        $this->assertSame(manager::ACCESS_DENIED, (new lecture())->check_access($itemid));
    }

    public function test_a_removed_embed_takes_its_hits_away(): void {
        global $DB;
        $itemid = self::documents()[1]->get('itemid');
        // The teacher drops the link: the edit's scan removes the embed record.
        $this->setUser($this->users['teacher']);
        $DB->set_field('page', 'content', '<p>No lecture this week.</p>', ['id' => $this->page->id]);
        \core\event\course_module_updated::create_from_cm(get_coursemodule_from_id('page', $this->page->cmid))->trigger();
        $this->setUser($this->users['student']);
        $this->assertSame(manager::ACCESS_DELETED, (new lecture())->check_access($itemid));
        $this->assertSame([], self::documents());
        $this->assertSame([], self::search_as($this->users['student'], 'eigenvectors'));
    }

    public function test_markup_in_a_transcript_stays_text_in_the_results(): void {
        global $PAGE;
        $hits = self::search_as($this->users['student'], 'quizzically');
        $this->assertCount(1, $hits);
        $this->assertStringContainsString('<script>alert(1)</script>', $hits[0]->get('content'));
        $shown = $hits[0]->export_for_template($PAGE->get_renderer('core'));
        $this->assertStringContainsString('&lt;script&gt;alert(1)&lt;/script&gt;', $shown['content']);
        $this->assertStringNotContainsString('<script', $shown['content']);
    }

    public function test_a_transcript_that_cannot_be_read_is_logged_skipped_and_retried(): void {
        global $CFG, $DB;
        // A second lecture, no transcript stored yet; the auth server is down (nothing listens there).
        $lecture4 = self::BASE . 'ZyXwVuTsRqPoNmLkJiHg98/';
        $this->setUser($this->users['teacher']);
        $this->getDataGenerator()->create_module('page', ['course' => $this->course->id, 'name' => 'Week 4',
            'content' => '<p><a href="' . $lecture4 . 'master.m3u8">Lecture 4</a></p>', 'contentformat' => FORMAT_HTML]);
        $this->setUser(null);
        $CFG->curlsecurityblockedhosts = '';
        $CFG->curlsecurityallowedport = '';
        set_config('authurl', 'http://127.0.0.1:9/_auth', 'filter_hlsgate');
        $this->assertSame([$lecture4], transcript_store::due(time()));

        $this->expectOutputRegex('~the transcript of ' . preg_quote($lecture4, '~') . ' was not read \(.*HTTP 0.*\); the next run~');
        $docs = self::documents();
        // The read lecture is still indexed; nothing was stored for the other, so the next run asks again.
        $this->assertCount(3, $docs);
        $this->assertFalse($DB->record_exists(transcript_store::TABLE, ['videohash' => sha1($lecture4)]));
        $this->assertSame([$lecture4], transcript_store::due(time()));
    }

    public function test_an_unchanged_reread_keeps_the_documents_time_and_a_changed_one_moves_it(): void {
        global $DB;
        $now = time();
        $before = (int) $DB->get_field(transcript_store::TABLE, 'timefetched', ['videohash' => sha1(self::RES), 'windowindex' => 0]);
        transcript_store::store(self::RES, transcript::windows(transcript::cues(self::VTT)), $now + 100);
        $this->assertSame($before, (int) $DB->get_field(transcript_store::TABLE, 'timefetched',
            ['videohash' => sha1(self::RES), 'windowindex' => 0]));
        $this->assertSame([], transcript_store::due($now + 200));
        // A corrected transcript replaces the windows and moves their time, so the indexer takes them again.
        transcript_store::store(self::RES, transcript::windows(transcript::cues(
            "WEBVTT\n\n00:00:03.000 --> 00:00:05.000\nCorrected.\n"
        )), $now + 300);
        $this->assertSame(['Corrected.'], array_values(array_map(
            static fn($w) => $w->content,
            transcript_store::windows_of(self::RES)
        )));
        $this->assertSame([$now + 300], array_values(array_unique(array_map(
            static fn($d) => (int) $d->get('modified'),
            self::documents()
        ))));
        // A video read without captions keeps only its marker, and is asked again an hour later.
        transcript_store::store(self::RES, null, $now);
        $this->assertSame([], transcript_store::windows_of(self::RES));
        $this->assertSame([], transcript_store::due($now + transcript_store::RECHECK_NONE - 60));
        $this->assertSame([self::RES], transcript_store::due($now + transcript_store::RECHECK_NONE + 60));
    }
}
