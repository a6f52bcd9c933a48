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

use filter_hlsgate\external\get_playback;
use filter_hlsgate\local\embed_registry;

#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\local\embed_registry::class)]
#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\embed_observer::class)]
#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\local\access_rule::class)]
/**
 * Embed records inside Moodle (issue 17): made from what a holder of filter/hlsgate:embed saves,
 * never from text someone got filtered; dropped by an edit; kept by restore, import and duplicate;
 * built by the upgrade; hidden chapters and sections refused as a wrong name is.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \filter_hlsgate\local\embed_registry
 * @covers     \filter_hlsgate\embed_observer
 * @covers     \filter_hlsgate\local\access_rule
 */
final class embed_registry_test extends \advanced_testcase {
    /** @var string media base */
    private const BASE = 'https://media.example.test/lectures/';
    /** @var string video folder */
    private const DIR = 'AbCdEfGhIjKlMnOpQrSt12';
    /** @var string another video folder */
    private const OTHER_DIR = 'ZyXwVuTsRqPoNmLkJiHg98';
    /** @var string master playlist URL */
    private const MEDIA_URL = self::BASE . self::DIR . '/master.m3u8';
    /** @var string test signing secret */
    private const SECRET = 'hlsgate-test-secret-A-0123456789abcdef-not-for-production';

    /** @var \stdClass */
    private \stdClass $course;

    /** @var \stdClass editing teacher */
    private \stdClass $teacher;

    /** @var \stdClass student */
    private \stdClass $student;

    protected function setUp(): void {
        parent::setUp();
        $this->resetAfterTest();
        $this->getDataGenerator()->get_plugin_generator('filter_hlsgate')->configure_site(self::BASE, self::SECRET);
        $this->course = $this->getDataGenerator()->create_course(['numsections' => 2]);
        $this->teacher = $this->getDataGenerator()->create_and_enrol($this->course, 'editingteacher');
        $this->student = $this->getDataGenerator()->create_and_enrol($this->course, 'student');
    }

    /**
     * A link to a video in a text.
     *
     * @param string $url
     * @param string $text
     * @return string
     */
    private static function link(string $url, string $text = 'Lecture'): string {
        return '<p><a href="' . s($url) . '">' . $text . '</a></p>';
    }

    /**
     * The repository copy of a master playlist.
     *
     * @param string $dir
     * @return string
     */
    private static function master(string $dir = self::DIR): string {
        return "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\n" . self::BASE . "$dir/360p/index.m3u8\n";
    }

    /**
     * What get_playback answers the current user: 'token' or the error code, and the message.
     *
     * @param int $contextid
     * @param string $url
     * @return array{0: string, 1: string}
     */
    private static function play(int $contextid, string $url): array {
        try {
            $answer = get_playback::execute($contextid, $url, '');
            self::assertNotEmpty($answer['token']);
            return ['token', ''];
        } catch (\moodle_exception $e) {
            return [$e->errorcode, $e->getMessage()];
        }
    }

    /**
     * A page made by the teacher, as the course page's "Add an activity" does.
     *
     * @param string $content
     * @param \stdClass|null $course
     * @return \stdClass
     */
    private function teacher_page(string $content, ?\stdClass $course = null): \stdClass {
        $this->setUser($this->teacher);
        return $this->getDataGenerator()->create_module('page', ['course' => ($course ?? $this->course)->id,
            'content' => $content, 'contentformat' => FORMAT_HTML]);
    }

    /**
     * Saves a page's content as modedit does: the row, then course_module_updated.
     *
     * @param \stdClass $page
     * @param string $content
     */
    private static function edit_page(\stdClass $page, string $content): void {
        global $DB;
        $DB->set_field('page', 'content', $content, ['id' => $page->id]);
        $cm = get_coursemodule_from_id('page', $page->cmid, 0, false, MUST_EXIST);
        \core\event\course_module_updated::create_from_cm($cm)->trigger();
    }

    public function test_a_teachers_page_embeds_and_an_edit_that_drops_the_link_stops_it(): void {
        $page = $this->teacher_page(self::link(self::MEDIA_URL) . self::link(self::BASE . self::OTHER_DIR . '/master.m3u8'));
        $context = \context_module::instance($page->cmid);
        $records = embed_registry::videos_in($context);
        $this->assertCount(2, $records);
        $this->assertSame((int) $this->teacher->id, (int) $records[0]->userid);
        $this->assertSame(self::BASE . self::DIR . '/', $records[0]->resource);
        $this->assertSame([(int) $context->id], embed_registry::contexts_of(self::BASE . self::DIR . '/'));

        $this->setUser($this->student);
        $this->assertSame('token', self::play((int) $context->id, self::MEDIA_URL)[0]);
        self::edit_page($page, self::link(self::BASE . self::OTHER_DIR . '/master.m3u8'));
        $this->assertSame('error:notembedded', self::play((int) $context->id, self::MEDIA_URL)[0]);
        $this->assertSame('token', self::play((int) $context->id, self::BASE . self::OTHER_DIR . '/master.m3u8')[0]);
        $this->assertSame([], embed_registry::contexts_of(self::BASE . self::DIR . '/'));
    }

    public function test_text_that_core_filters_for_a_student_embeds_nothing(): void {
        global $DB;
        $other = $this->getDataGenerator()->create_course();
        $this->getDataGenerator()->enrol_user($this->teacher->id, $other->id, 'editingteacher');
        $otherpage = $this->teacher_page(self::link(self::MEDIA_URL), $other);
        $page = $this->teacher_page(self::link(self::BASE . self::OTHER_DIR . '/master.m3u8'));
        $before = $DB->count_records(embed_registry::TABLE);
        $this->setUser($this->student);
        $contexts = [\context_course::instance($this->course->id), \context_module::instance($page->cmid),
            \context_course::instance(SITEID)];
        foreach ($contexts as $context) {
            // As the attack sent it (tiny_equation_filter): another course's video.
            $answer = \tiny_equation\external\filter::execute((int) $context->id, self::link(self::MEDIA_URL));
            $this->assertStringContainsString('data-hlsgate-src', $answer['content']);
            $this->assertStringNotContainsString('grant', $answer['content']);
            $this->assertNotSame('token', self::play((int) $context->id, self::MEDIA_URL)[0]);
        }
        $this->assertSame($before, $DB->count_records(embed_registry::TABLE));
        $this->assertSame(
            [(int) \context_module::instance($otherpage->cmid)->id],
            embed_registry::contexts_of(self::BASE . self::DIR . '/')
        );
    }

    public function test_a_user_without_the_capability_can_remove_but_not_add(): void {
        $page = $this->teacher_page(self::link(self::MEDIA_URL));
        $context = \context_module::instance($page->cmid);
        $roleid = (int) $this->getDataGenerator()->create_role();
        $editor = $this->getDataGenerator()->create_user();
        role_assign($roleid, $editor->id, $context->id);
        $this->setUser($editor);
        self::edit_page($page, self::link(self::MEDIA_URL) . self::link(self::BASE . self::OTHER_DIR . '/master.m3u8'));
        $this->assertCount(1, embed_registry::videos_in($context));
        self::edit_page($page, 'no video any more');
        $this->assertCount(0, embed_registry::videos_in($context));
    }

    public function test_a_students_forum_post_plays_only_what_the_teacher_embeds_in_that_forum(): void {
        $this->setUser($this->teacher);
        $forum = $this->getDataGenerator()->create_module('forum', ['course' => $this->course->id]);
        $context = \context_module::instance($forum->cmid);
        $this->setUser($this->student);
        $discussion = $this->getDataGenerator()->get_plugin_generator('mod_forum')->create_discussion([
            'course' => $this->course->id, 'forum' => $forum->id, 'userid' => $this->student->id,
            'message' => self::link(self::MEDIA_URL)]);
        $this->assertNotEmpty($discussion);
        $this->assertSame('error:notembedded', self::play((int) $context->id, self::MEDIA_URL)[0]);
        // The teacher's forum description embeds the same video (here by its repository copy): the post plays.
        global $DB;
        get_file_storage()->create_file_from_string(['contextid' => $context->id, 'component' => 'mod_forum',
            'filearea' => 'intro', 'itemid' => 0, 'filepath' => '/', 'filename' => 'lecture.m3u8'], self::master());
        $copy = \moodle_url::make_pluginfile_url($context->id, 'mod_forum', 'intro', null, '/', 'lecture.m3u8')->out(false);
        $DB->set_field('forum', 'intro', self::link($copy), ['id' => $forum->id]);
        $this->setUser($this->teacher);
        \core\event\course_module_updated::create_from_cm(get_coursemodule_from_id('forum', $forum->cmid))->trigger();
        $this->setUser($this->student);
        $this->assertSame('token', self::play((int) $context->id, self::MEDIA_URL)[0]);
        $this->assertSame('error:notembedded', self::play((int) $context->id, self::BASE . self::OTHER_DIR . '/master.m3u8')[0]);
    }

    public function test_hidden_chapter_and_section_give_the_same_refusal_as_a_wrong_name(): void {
        global $DB;
        $this->setUser($this->teacher);
        $book = $this->getDataGenerator()->create_module('book', ['course' => $this->course->id]);
        $context = \context_module::instance($book->cmid);
        $bookgen = $this->getDataGenerator()->get_plugin_generator('mod_book');
        $urls = [];
        foreach (['visible' => 0, 'hidden' => 1] as $name => $hidden) {
            $chapter = $bookgen->create_chapter(['bookid' => $book->id, 'hidden' => $hidden, 'content' => '']);
            get_file_storage()->create_file_from_string(['contextid' => $context->id, 'component' => 'mod_book',
                'filearea' => 'chapter', 'itemid' => $chapter->id, 'filepath' => '/', 'filename' => "$name.m3u8"], self::master());
            $urls[$name] = \moodle_url::make_pluginfile_url($context->id, 'mod_book', 'chapter', $chapter->id, '/', "$name.m3u8")
                ->out(false);
            $DB->set_field('book_chapters', 'content', self::link($urls[$name]), ['id' => $chapter->id]);
            \mod_book\event\chapter_created::create_from_chapter(
                $book,
                $context,
                $DB->get_record('book_chapters', ['id' => $chapter->id])
            )->trigger();
            $urls["$name-guess"] = \moodle_url::make_pluginfile_url(
                $context->id,
                'mod_book',
                'chapter',
                $chapter->id,
                '/',
                'guess.m3u8'
            )->out(false);
        }
        $this->assertCount(2, embed_registry::videos_in($context));

        // A section: its summary links its own file, then the section is hidden.
        $section = $DB->get_record('course_sections', ['course' => $this->course->id, 'section' => 1]);
        $coursecontext = \context_course::instance($this->course->id);
        get_file_storage()->create_file_from_string(['contextid' => $coursecontext->id, 'component' => 'course',
            'filearea' => 'section', 'itemid' => $section->id, 'filepath' => '/', 'filename' => 'section.m3u8'], self::master());
        $sectionurl = \moodle_url::make_pluginfile_url($coursecontext->id, 'course', 'section', $section->id, '/', 'section.m3u8')
            ->out(false);
        course_update_section($this->course, $section, ['summary' => self::link($sectionurl), 'summaryformat' => FORMAT_HTML]);
        $guess = \moodle_url::make_pluginfile_url($coursecontext->id, 'course', 'section', $section->id, '/', 'guess.m3u8')
            ->out(false);

        $this->setUser($this->student);
        $this->assertSame('token', self::play((int) $context->id, $urls['visible'])[0]);
        $this->assertSame('token', self::play((int) $coursecontext->id, $sectionurl)[0]);
        set_section_visible($this->course->id, 1, 0);
        $wrong = self::play((int) $context->id, $urls['visible-guess']);
        $this->assertSame('error:notembedded', $wrong[0]);
        $this->assertSame($wrong, self::play((int) $context->id, $urls['hidden']));
        $this->assertSame($wrong, self::play((int) $context->id, $urls['hidden-guess']));
        $this->assertSame($wrong, self::play((int) $coursecontext->id, $sectionurl));
        $this->assertSame($wrong, self::play((int) $coursecontext->id, $guess));
        // Whoever may see them plays them.
        $this->setUser($this->teacher);
        $this->assertSame('token', self::play((int) $context->id, $urls['hidden'])[0]);
        $this->assertSame('token', self::play((int) $coursecontext->id, $sectionurl)[0]);
    }

    public function test_restore_import_and_duplicate_keep_playback(): void {
        global $CFG, $DB;
        require_once($CFG->dirroot . '/backup/util/includes/backup_includes.php');
        require_once($CFG->dirroot . '/backup/util/includes/restore_includes.php');
        require_once($CFG->dirroot . '/course/lib.php');
        $page = $this->teacher_page(self::link(self::MEDIA_URL));
        $this->setAdminUser();
        $admin = get_admin();

        // Import into another course.
        $target = $this->getDataGenerator()->create_course();
        $bc = new \backup_controller(
            \backup::TYPE_1COURSE,
            $this->course->id,
            \backup::FORMAT_MOODLE,
            \backup::INTERACTIVE_NO,
            \backup::MODE_IMPORT,
            $admin->id
        );
        $backupid = $bc->get_backupid();
        $bc->execute_plan();
        $bc->destroy();
        $rc = new \restore_controller(
            $backupid,
            $target->id,
            \backup::INTERACTIVE_NO,
            \backup::MODE_IMPORT,
            $admin->id,
            \backup::TARGET_CURRENT_ADDING
        );
        $this->assertTrue($rc->execute_precheck());
        $rc->execute_plan();
        $rc->destroy();
        // Restore as a new course.
        $bc = new \backup_controller(
            \backup::TYPE_1COURSE,
            $this->course->id,
            \backup::FORMAT_MOODLE,
            \backup::INTERACTIVE_NO,
            \backup::MODE_IMPORT,
            $admin->id
        );
        $backupid = $bc->get_backupid();
        $bc->execute_plan();
        $bc->destroy();
        $newid = \restore_dbops::create_new_course('Restored', 'RESTORED', $this->course->category);
        $rc = new \restore_controller(
            $backupid,
            $newid,
            \backup::INTERACTIVE_NO,
            \backup::MODE_IMPORT,
            $admin->id,
            \backup::TARGET_NEW_COURSE
        );
        $this->assertTrue($rc->execute_precheck());
        $rc->execute_plan();
        $rc->destroy();
        // A restored course is hidden and has no enrolment method until someone adds one.
        $DB->set_field('course', 'visible', 1, ['id' => $newid]);
        enrol_get_plugin('manual')->add_default_instance(get_course($newid));
        // Duplicate the page.
        $newcm = duplicate_module($this->course, get_fast_modinfo($this->course)->get_cm($page->cmid));

        foreach ([$target->id, $newid] as $courseid) {
            $student = $this->getDataGenerator()->create_and_enrol(get_course($courseid), 'student');
            $cm = array_values(get_fast_modinfo($courseid)->get_instances_of('page'))[0];
            $this->setUser($student);
            $cmcontextid = (int) \context_module::instance($cm->id)->id;
            $this->assertSame('token', self::play($cmcontextid, self::MEDIA_URL)[0], "course $courseid");
        }
        $this->setUser($this->student);
        $this->assertSame('token', self::play((int) \context_module::instance($newcm->id)->id, self::MEDIA_URL)[0]);
        $this->assertCount(4, embed_registry::contexts_of(self::BASE . self::DIR . '/'));
        $this->assertSame(4, $DB->count_records(embed_registry::TABLE));
    }

    public function test_the_upgrade_builds_records_for_existing_content(): void {
        global $CFG, $DB;
        $page = $this->teacher_page(self::link(self::MEDIA_URL));
        $this->course->summary = self::link(self::BASE . self::OTHER_DIR . '/master.m3u8');
        $DB->set_field('course', 'summary', $this->course->summary, ['id' => $this->course->id]);
        $DB->delete_records(embed_registry::TABLE);
        require_once($CFG->libdir . '/upgradelib.php');
        require_once($CFG->dirroot . '/filter/hlsgate/db/upgrade.php');
        set_config('version', 2026120101, 'filter_hlsgate');
        $this->assertTrue(xmldb_filter_hlsgate_upgrade(2026120101));
        $CFG->upgraderunning = 0;
        $this->assertSame(
            [(int) \context_module::instance($page->cmid)->id],
            embed_registry::contexts_of(self::BASE . self::DIR . '/')
        );
        $this->assertSame(
            [(int) \context_course::instance($this->course->id)->id],
            embed_registry::contexts_of(self::BASE . self::OTHER_DIR . '/')
        );
        $this->setUser($this->student);
        $this->assertSame('token', self::play((int) \context_module::instance($page->cmid)->id, self::MEDIA_URL)[0]);
    }

    public function test_an_html_block_is_scanned_on_its_first_request(): void {
        $coursecontext = \context_course::instance($this->course->id);
        $this->setUser($this->teacher);
        $block = $this->getDataGenerator()->create_block('html', ['parentcontextid' => $coursecontext->id,
            'pagetypepattern' => 'course-view-*', 'configdata' => base64_encode(serialize((object) [
                'title' => 'Videos', 'text' => self::link(self::MEDIA_URL), 'format' => FORMAT_HTML]))]);
        $blockcontext = \context_block::instance($block->id);
        $this->setUser($this->student);
        $this->assertSame('token', self::play((int) $blockcontext->id, self::MEDIA_URL)[0]);
        $this->assertSame(
            'error:notembedded',
            self::play((int) $blockcontext->id, self::BASE . self::OTHER_DIR . '/master.m3u8')[0]
        );
        // Its text edited (core has no event for it): the dropped link stops, the new one plays.
        global $DB;
        $DB->set_field('block_instances', 'configdata', base64_encode(serialize((object) ['title' => 'Videos',
            'text' => self::link(self::BASE . self::OTHER_DIR . '/master.m3u8'), 'format' => FORMAT_HTML])), ['id' => $block->id]);
        $this->assertSame('error:notembedded', self::play((int) $blockcontext->id, self::MEDIA_URL)[0]);
        $this->assertSame('token', self::play((int) $blockcontext->id, self::BASE . self::OTHER_DIR . '/master.m3u8')[0]);
    }

    public function test_embed_capability_defaults(): void {
        foreach (['editingteacher', 'manager'] as $archetype) {
            $this->assertSame(CAP_ALLOW, get_default_capabilities($archetype)[embed_registry::CAPABILITY] ?? null, $archetype);
        }
        foreach (['student', 'teacher', 'guest', 'user', 'frontpage'] as $archetype) {
            $this->assertArrayNotHasKey(embed_registry::CAPABILITY, get_default_capabilities($archetype), $archetype);
        }
    }
}
