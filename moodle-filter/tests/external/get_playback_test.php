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
use filter_hlsgate\local\embed_registry;
use filter_hlsgate\local\transcript;
use filter_hlsgate\local\transcript_store;

#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\external\get_playback::class)]
#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\local\access_rule::class)]
/**
 * The web service filter_hlsgate_get_playback inside Moodle: copies, File system aliases, pasted
 * URLs, and the whole access matrix (DESIGN.md step 3): which context, which user, which URL.
 *
 * Every player's attributes come from the real filter (format_text in that context), as the
 * browser gets them; every refusal is checked to be a Moodle exception with a language string and
 * no token, through the AJAX entry (external_api::call_external_function) too.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \filter_hlsgate\external\get_playback
 * @covers     \filter_hlsgate\local\access_rule
 */
final class get_playback_test extends \advanced_testcase {
    /** @var string media base */
    private const BASE = 'https://media.example.test/lectures/';
    /** @var string video folder */
    private const DIR = 'AbCdEfGhIjKlMnOpQrSt12';
    /** @var string master playlist URL */
    private const MEDIA_URL = self::BASE . self::DIR . '/master.m3u8';
    /** @var string test signing secret */
    private const SECRET = 'hlsgate-test-secret-A-0123456789abcdef-not-for-production';

    /** @var \stdClass course */
    private \stdClass $course;

    /** @var \stdClass the page in it */
    private \stdClass $page;

    /** @var \context_module the page's context */
    private \context_module $context;

    /** @var \stdClass an enrolled student */
    private \stdClass $student;

    protected function setUp(): void {
        parent::setUp();
        $this->resetAfterTest();
        $this->getDataGenerator()->get_plugin_generator('filter_hlsgate')->configure_site(self::BASE, self::SECRET);
        $this->course = $this->getDataGenerator()->create_course();
        $this->page = $this->getDataGenerator()->create_module('page', ['course' => $this->course->id]);
        $this->context = \context_module::instance($this->page->cmid);
        $this->student = $this->getDataGenerator()->create_and_enrol(
            $this->course,
            'student',
            ['firstname' => 'Zoë', 'lastname' => 'Ångström', 'email' => 'zoe@example.test']
        );
    }

    /**
     * The repository copy of a master playlist, as ingest writes it.
     *
     * @param string $base
     * @return string
     */
    private static function master(string $base = self::BASE): string {
        $dir = $base . self::DIR;
        return "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\n$dir/360p/index.m3u8\n"
            . "#EXT-X-STREAM-INF:BANDWIDTH=2800000,RESOLUTION=1280x720\n$dir/720p/index.m3u8\n";
    }

    /**
     * What the filter writes for a link in a text of a context (the player's attributes), after a
     * holder of filter/hlsgate:embed (the admin) embedded it there.
     *
     * @param \context $context
     * @param string $url
     * @return array{contextid: int, url: string, grant: string}|null null when the filter left the link alone
     */
    private static function embed(\context $context, string $url): ?array {
        $player = self::render($context, $url);
        if ($player !== null) {
            embed_registry::grant($context, $player['url'], (int) get_admin()->id);
        }
        return $player;
    }

    /**
     * What the filter writes for a link, without any embed: it mints nothing, the markup is all there is.
     *
     * @param \context $context
     * @param string $url
     * @return array{contextid: int, url: string, grant: string}|null
     */
    private static function render(\context $context, string $url): ?array {
        $html = format_text(
            '<p><a href="' . s($url) . '">Lecture</a></p>',
            FORMAT_HTML,
            ['context' => $context, 'noclean' => true]
        );
        self::assertStringNotContainsString('data-hlsgate-grant', $html);
        if (!preg_match('~<span class="filter_hlsgate" data-hlsgate-src="([^"]*)" data-hlsgate-contextid="(\d+)"~', $html, $m)) {
            return null;
        }
        return ['contextid' => (int) $m[2], 'url' => htmlspecialchars_decode($m[1]), 'grant' => ''];
    }

    /**
     * Calls the service as the AJAX layer does and checks the answer against its declared structure.
     *
     * @param array $player (array{contextid: int, url: string, grant: string})
     * @return array
     */
    private function call(array $player): array {
        $result = get_playback::execute($player['contextid'], $player['url'], $player['grant']);
        return external_api::clean_returnvalue(get_playback::execute_returns(), $result);
    }

    /**
     * The claims of a token, after checking its signature with the configured secret.
     *
     * @param string $token
     * @return array
     */
    private static function claims(string $token): array {
        [$header, $payload, $signature] = explode('.', $token);
        $expected = rtrim(strtr(base64_encode(hash_hmac('sha256', "$header.$payload", self::SECRET, true)), '+/', '-_'), '=');
        self::assertSame($expected, $signature);
        self::assertSame('{"alg":"HS256","typ":"JWT","kid":"k2026a"}', base64_decode(strtr($header, '-_', '+/')));
        return json_decode(base64_decode(strtr($payload, '-_', '+/')), true);
    }

    /**
     * Stores a file in the page's content area.
     *
     * @param string $content
     * @param string $filename
     * @return string its pluginfile.php URL
     */
    private function page_file(string $content, string $filename = 'lecture1.m3u8'): string {
        get_file_storage()->create_file_from_string([
            'contextid' => $this->context->id, 'component' => 'mod_page', 'filearea' => 'content', 'itemid' => 0,
            'filepath' => '/', 'filename' => $filename,
        ], $content);
        return \moodle_url::make_pluginfile_url($this->context->id, 'mod_page', 'content', 1, '/', $filename)->out(false);
    }

    /**
     * Asserts a refusal: a moodle_exception of the given code (of this plugin unless another
     * component is named), with its language string, and at the AJAX entry an error without data.
     *
     * @param string $errorcode e.g. 'error:notembedded', or core's 'requireloginerror', 'nopermissions'
     * @param array $player (array{contextid: int, url: string, grant: string})
     * @param string $module the component of the string
     */
    private function assert_refused(string $errorcode, array $player, string $module = 'filter_hlsgate'): void {
        try {
            $this->call($player);
            $this->fail("expected $errorcode, got a token");
        } catch (\moodle_exception $e) {
            $this->assertSame($errorcode, $e->errorcode, $e->getMessage());
            if ($module === 'filter_hlsgate') {
                $this->assertSame('filter_hlsgate', $e->module);
                // With developer debugging Moodle appends the debug info to the message.
                $this->assertStringStartsWith(get_string($errorcode, 'filter_hlsgate', $e->a), $e->getMessage());
            } else {
                $this->assertNotSame('', trim($e->getMessage()));
                $this->assertStringNotContainsString('[[', $e->getMessage(), 'a language string');
            }
        }
        $_POST['sesskey'] = sesskey();
        $response = external_api::call_external_function('filter_hlsgate_get_playback', $player, true);
        $this->assertTrue($response['error']);
        $this->assertArrayNotHasKey('data', $response);
        $this->assertStringNotContainsString('eyJ', json_encode($response), 'no token');
    }

    public function test_why_captions_are_not_switched_on_is_told_to_teachers_never_to_students(): void {
        global $DB;
        $res = self::BASE . self::DIR . '/';
        $url = $this->page_file(self::master());
        $player = self::embed($this->context, $url);
        $teacher = $this->getDataGenerator()->create_and_enrol($this->course, 'editingteacher');
        $assistant = $this->getDataGenerator()->create_and_enrol($this->course, 'teacher');
        // What the search indexer's read of the master stored (ingest's captions status, below the gate).
        $master = "#EXTM3U\n#EXT-X-SESSION-DATA:DATA-ID=\"org.hlsgate.captions-status\",VALUE=\"not-selected: recognised by "
            . "pocketsphinx, mean word confidence 0.42 is below 0.60 (HLSGATE_ASR_MIN_CONFIDENCE)\",LANGUAGE=\"en\"\n";
        transcript_store::store($res, [['start' => 0.0, 'end' => 4.0, 'text' => 'hello']], time(), transcript::captions_status($master));

        $this->setUser($this->student);
        $this->assertSame('', $this->call($player)['captionsnotice']);
        foreach ([$teacher, $assistant] as $user) {
            $this->setUser($user);
            $notice = $this->call($player)['captionsnotice'];
            $this->assertStringStartsWith('Captions (only teachers see this): The automatic captions are not switched on by default', $notice);
            $this->assertStringContainsString('mean word confidence 0.42 is below 0.60 (HLSGATE_ASR_MIN_CONFIDENCE)', $notice);
        }
        // The report's capability taken from a teacher: nothing told.
        $teacherrole = $DB->get_field('role', 'id', ['shortname' => 'teacher']);
        assign_capability('filter/hlsgate:viewreport', CAP_PROHIBIT, $teacherrole, \context_course::instance($this->course->id));
        $this->setUser($assistant);
        $this->assertSame('', $this->call($player)['captionsnotice']);

        // Recognition that found nothing, and captions given by hand (the master says nothing more).
        transcript_store::store($res, null, time(), transcript::captions_status(
            "#EXTM3U\n#EXT-X-SESSION-DATA:DATA-ID=\"org.hlsgate.captions-status\",VALUE=\"no-speech: pocketsphinx recognised no speech\"\n"));
        $this->setUser($teacher);
        $this->assertStringContainsString('No speech was recognised (silence or music only)', $this->call($player)['captionsnotice']);
        $this->setUser($this->student);
        $this->assertSame('', $this->call($player)['captionsnotice']);
        transcript_store::store($res, [['start' => 0.0, 'end' => 4.0, 'text' => 'hello']], time(), null);
        $this->setUser($teacher);
        $this->assertSame('', $this->call($player)['captionsnotice']);
    }

    public function test_copy_in_a_page(): void {
        global $CFG;
        $url = $this->page_file(self::master());
        $this->setUser($this->student);
        $player = self::embed($this->context, $url);
        $this->assertSame(['contextid' => (int) $this->context->id, 'url' => $url], array_slice($player, 0, 2));
        $answer = $this->call($player);
        $res = self::BASE . self::DIR . '/';
        $this->assertSame($res, $answer['resource']);
        $this->assertSame($res . 'master.m3u8', $answer['playlisturl']);
        $this->assertSame('https://media.example.test/_auth/session', $answer['sessionurl']);
        $this->assertSame('Zoë Ångström · zoe@example.test', $answer['watermark']);
        $claims = self::claims($answer['token']);
        $this->assertSame(['iss', 'aud', 'sub', 'iat', 'exp', 'res', 'wm', 'cid'], array_keys($claims));
        $this->assertSame($CFG->wwwroot, $claims['iss']);
        $this->assertSame('hlsgate', $claims['aud']);
        $this->assertSame((string) $this->student->id, $claims['sub']);
        $this->assertSame(300, $claims['exp'] - $claims['iat']);
        $this->assertSame($answer['expiresat'], $claims['exp']);
        $this->assertSame($res, $claims['res']);
        $this->assertSame((string) $this->course->id, $claims['cid']);

        // Through the AJAX entry, as the player calls it.
        $_POST['sesskey'] = sesskey();
        $response = external_api::call_external_function('filter_hlsgate_get_playback', $player, true);
        $this->assertFalse($response['error']);
        $this->assertSame($res, $response['data']['resource']);
    }

    public function test_alias_of_a_file_system_repository_file_and_its_source_gone(): void {
        global $CFG;
        $this->setAdminUser();
        $this->getDataGenerator()->create_repository_type('filesystem');
        make_writable_directory($CFG->dataroot . '/repository/lectures');
        $source = $CFG->dataroot . '/repository/lectures/lecture1.m3u8';
        file_put_contents($source, self::master());
        $repository = $this->getDataGenerator()->create_repository('filesystem', ['fs_path' => 'lectures']);
        get_file_storage()->create_file_from_reference([
            'contextid' => $this->context->id, 'component' => 'mod_page', 'filearea' => 'content', 'itemid' => 0,
            'filepath' => '/', 'filename' => 'lecture1.m3u8',
        ], $repository->id, '/lecture1.m3u8');
        $url = \moodle_url::make_pluginfile_url($this->context->id, 'mod_page', 'content', 1, '/', 'lecture1.m3u8')->out(false);

        $this->setUser($this->student);
        $player = self::embed($this->context, $url);
        $this->assertSame(self::BASE . self::DIR . '/', $this->call($player)['resource']);

        unlink($source);
        // Still a player (which says the file is gone), not Moodle's.
        $this->assertSame($player, self::embed($this->context, $url));
        $this->assert_refused('error:filegone', $player);
    }

    public function test_pasted_url(): void {
        $this->setUser($this->student);
        $player = self::embed($this->context, self::MEDIA_URL);
        $answer = $this->call($player);
        $this->assertSame(self::BASE . self::DIR . '/', $answer['resource']);
        $this->assertSame(self::MEDIA_URL, $answer['playlisturl']);
        // Another spelling of the same URL carries the same grant: the grant is over the canonical URL.
        $shouting = ['url' => 'HTTPS://MEDIA.example.test:443/lectures/' . self::DIR . '/master.m3u8'] + $player;
        $this->assertSame(self::MEDIA_URL, $this->call($shouting)['playlisturl']);
        foreach (
            ['https://evil.example.test/lectures/' . self::DIR . '/master.m3u8', self::BASE . 'short/master.m3u8',
                self::BASE . self::DIR . '/master.m3u8?x', 'javascript:alert(1)', ''] as $url
        ) {
            $this->assertNull(self::embed($this->context, $url), $url);
            $this->assert_refused('error:notallowed', ['url' => $url] + $player);
        }
    }

    public function test_file_that_is_not_an_hlsgate_playlist_is_left_to_moodle(): void {
        $this->setUser($this->student);
        foreach (
            [
            'notes.m3u8' => ['<!DOCTYPE html><html><body>Not a playlist</body></html>', 'error:notaplaylist'],
            'relative.m3u8' => ["#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\n360p/index.m3u8\n", 'error:relativeuris'],
            'foreign.m3u8' => [self::master('https://cdn.other.test/lectures/'), 'error:notallowed'],
            ] as $filename => [$content, $errorcode]
        ) {
            $url = $this->page_file($content, $filename);
            $this->assertNull(self::embed($this->context, $url), $filename);
            // Even embedded by a teacher, the service refuses it.
            embed_registry::grant($this->context, $url, (int) get_admin()->id);
            $this->assert_refused($errorcode, ['contextid' => (int) $this->context->id, 'url' => $url, 'grant' => '']);
        }
    }

    // The access matrix: contexts.

    public function test_system_category_and_user_contexts_are_refused(): void {
        $other = $this->getDataGenerator()->create_user();
        $category = \context_coursecat::instance($this->course->category);
        $this->setUser($this->student);
        foreach (
            [\context_system::instance(), $category, \context_user::instance($this->student->id),
                \context_user::instance($other->id)] as $context
        ) {
            // The filter writes a player there (with a grant of that context), and the service refuses it.
            $player = self::embed($context, self::MEDIA_URL);
            $this->assertSame((int) $context->id, $player['contextid']);
            $this->assert_refused('error:wrongcontextlevel', $player);
        }
        $this->setAdminUser();
        $this->assert_refused('error:wrongcontextlevel', self::embed(\context_system::instance(), self::MEDIA_URL));
    }

    public function test_front_page_is_refused_to_students_and_guests(): void {
        $frontpage = \context_course::instance(SITEID);
        $player = self::embed($frontpage, self::MEDIA_URL);
        $this->setUser($this->student);
        $this->assert_refused('nopermissions', $player, 'core');
        $this->setGuestUser();
        $this->assert_refused('nopermissions', $player, 'core');
        // An admin may grant it, e.g. to the front page role.
        $this->setUser($this->student);
        assign_capability('filter/hlsgate:view', CAP_ALLOW, (int) get_config('core', 'defaultfrontpageroleid'), $frontpage->id);
        $this->assertSame(self::BASE . self::DIR . '/', $this->call($player)['resource']);
    }

    public function test_a_course_the_user_is_not_enrolled_in_and_another_course(): void {
        $other = $this->getDataGenerator()->create_course();
        $otherpage = $this->getDataGenerator()->create_module('page', ['course' => $other->id]);
        $othercontext = \context_module::instance($otherpage->cmid);
        $otherplayer = self::embed($othercontext, self::MEDIA_URL);
        $coursecontext = \context_course::instance($other->id);
        $courseplayer = self::embed($coursecontext, self::MEDIA_URL);

        $this->setUser($this->student);
        $this->assert_refused('requireloginerror', $otherplayer, 'core');
        $this->assert_refused('requireloginerror', $courseplayer, 'core');
        // The other course's URL and grant named with the student's own page: not embedded there.
        $this->assert_refused('error:notembedded', ['contextid' => (int) $this->context->id] + $otherplayer);
        // A teacher of the other course only, asking in this course.
        $teacher = $this->getDataGenerator()->create_and_enrol($other, 'editingteacher');
        $this->setUser($teacher);
        $this->assertNotEmpty($this->call($otherplayer)['token']);
        $this->assert_refused('requireloginerror', self::embed($this->context, self::MEDIA_URL), 'core');
    }

    public function test_guests_and_visitors_who_are_not_logged_in(): void {
        global $DB;
        $player = self::embed($this->context, self::MEDIA_URL);
        $this->setUser(0);
        $this->assert_refused('requireloginerror', $player, 'core');
        $_POST['sesskey'] = sesskey();
        $response = external_api::call_external_function('filter_hlsgate_get_playback', $player, true);
        $this->assertSame('servicerequireslogin', $response['exception']->errorcode);

        $this->setGuestUser();
        $this->assert_refused('requireloginerror', $player, 'core');
        // With guest access on, a guest may enter the course, but has no filter/hlsgate:view.
        $DB->set_field('enrol', 'status', ENROL_INSTANCE_ENABLED, ['courseid' => $this->course->id, 'enrol' => 'guest']);
        $this->assert_refused('nopermissions', $player, 'core');
    }

    public function test_unenrolled_and_suspended_students(): void {
        $player = self::embed($this->context, self::MEDIA_URL);
        $this->setUser($this->student);
        $this->assertNotEmpty($this->call($player)['token']);
        $manual = enrol_get_plugin('manual');
        $instance = $this->manual_instance();
        $manual->update_user_enrol($instance, $this->student->id, ENROL_USER_SUSPENDED);
        $this->assert_refused('requireloginerror', $player, 'core');
        $manual->update_user_enrol($instance, $this->student->id, ENROL_USER_ACTIVE);
        $this->assertNotEmpty($this->call($player)['token']);
        $manual->unenrol_user($instance, $this->student->id);
        $this->assert_refused('requireloginerror', $player, 'core');

        $suspended = $this->getDataGenerator()->create_and_enrol(
            $this->course,
            'student',
            null,
            'manual',
            0,
            0,
            ENROL_USER_SUSPENDED
        );
        $this->setUser($suspended);
        $this->assert_refused('requireloginerror', $player, 'core');
    }

    public function test_hidden_activity(): void {
        $hidden = $this->getDataGenerator()->create_module('page', ['course' => $this->course->id, 'visible' => 0]);
        $player = self::embed(\context_module::instance($hidden->cmid), self::MEDIA_URL);
        $this->setUser($this->student);
        $this->assert_refused('requireloginerror', $player, 'core');
        $teacher = $this->getDataGenerator()->create_and_enrol($this->course, 'editingteacher');
        $this->setUser($teacher);
        $this->assertNotEmpty($this->call($player)['token']);
    }

    public function test_a_role_without_the_capability(): void {
        $player = self::embed($this->context, self::MEDIA_URL);
        assign_capability('filter/hlsgate:view', CAP_PROHIBIT, $this->role_id('student'), $this->context->id);
        $this->setUser($this->student);
        $this->assert_refused('nopermissions', $player, 'core');
        // Taken away in that page only: the course's own players still play.
        $this->assertNotEmpty($this->call(self::embed(\context_course::instance($this->course->id), self::MEDIA_URL))['token']);
    }

    public function test_html_block_in_a_course_and_on_the_dashboard(): void {
        $coursecontext = \context_course::instance($this->course->id);
        $block = $this->getDataGenerator()->create_block('html', ['parentcontextid' => $coursecontext->id,
            'pagetypepattern' => 'course-view-*']);
        $blockcontext = \context_block::instance($block->id);
        get_file_storage()->create_file_from_string(['contextid' => $blockcontext->id, 'component' => 'block_html',
            'filearea' => 'content', 'itemid' => 0, 'filepath' => '/', 'filename' => 'lecture1.m3u8'], self::master());
        $url = \moodle_url::make_pluginfile_url($blockcontext->id, 'block_html', 'content', null, '/', 'lecture1.m3u8')->out(false);

        $this->setUser($this->student);
        foreach ([$url, self::MEDIA_URL] as $embedded) {
            $answer = $this->call(self::embed($blockcontext, $embedded));
            $this->assertSame(self::BASE . self::DIR . '/', $answer['resource']);
            $this->assertSame((string) $this->course->id, self::claims($answer['token'])['cid']);
        }
        $outsider = $this->getDataGenerator()->create_user();
        $this->setUser($outsider);
        $this->assert_refused('requireloginerror', self::embed($blockcontext, self::MEDIA_URL), 'core');

        // A block of the user's own dashboard lives in their user context: never.
        $this->setUser($this->student);
        $usercontextid = \context_user::instance($this->student->id)->id;
        $dashboard = $this->getDataGenerator()->create_block('html', ['parentcontextid' => $usercontextid,
            'pagetypepattern' => 'my-index']);
        $this->assert_refused('error:wrongcontextlevel', self::embed(\context_block::instance($dashboard->id), self::MEDIA_URL));
    }

    // The access matrix: URLs.

    public function test_a_url_not_embedded_there(): void {
        global $DB;
        $this->setUser($this->student);
        $player = self::embed($this->context, self::MEDIA_URL);
        // The grant parameter of older markup means nothing: any value, the same answer.
        foreach (['', str_repeat('A', 43), '<script>'] as $grant) {
            $this->assertNotEmpty($this->call(['grant' => $grant] + $player)['token']);
        }
        $this->assert_refused('invalidparameter', ['grant' => "\0"] + $player, 'core');
        // An embed of one video does not open another, nor the same video in another context.
        $this->assert_refused('error:notembedded', ['url' => self::BASE . 'ZyXwVuTsRqPoNmLkJiHg98/master.m3u8'] + $player);
        $coursecontext = \context_course::instance($this->course->id);
        $this->assert_refused('error:notembedded', ['contextid' => (int) $coursecontext->id] + $player);
        // The filter rendering the URL there (as core does for text anyone sends) makes no embed.
        $this->assertNotNull(self::render($coursecontext, self::MEDIA_URL));
        $this->assert_refused('error:notembedded', ['contextid' => (int) $coursecontext->id] + $player);
        // A missing context is named as such.
        $this->assert_refused('error:nocontext', ['contextid' => 0] + $player);
        $this->assert_refused('error:nocontext', ['contextid' => -5] + $player);
        $this->assert_refused('error:nocontext', ['contextid' => PHP_INT_MAX] + $player);
        // Its record gone, the video stops.
        $DB->delete_records(embed_registry::TABLE, ['contextid' => $this->context->id]);
        $this->assert_refused('error:notembedded', $player);
    }

    public function test_another_users_private_file_and_a_submission(): void {
        $this->setUser($this->student);
        $privatecontext = \context_user::instance($this->student->id);
        get_file_storage()->create_file_from_string(['contextid' => $privatecontext->id, 'component' => 'user',
            'filearea' => 'private', 'itemid' => 0, 'filepath' => '/', 'filename' => 'lecture1.m3u8'], self::master());
        $private = \moodle_url::make_pluginfile_url($privatecontext->id, 'user', 'private', null, '/', 'lecture1.m3u8')->out(false);
        $assign = $this->getDataGenerator()->create_module('assign', ['course' => $this->course->id]);
        $assigncontext = \context_module::instance($assign->cmid);
        get_file_storage()->create_file_from_string(['contextid' => $assigncontext->id, 'component' => 'assignsubmission_file',
            'filearea' => 'submission_files', 'itemid' => 7, 'filepath' => '/', 'filename' => 'lecture1.m3u8'], self::master());
        $submission = \moodle_url::make_pluginfile_url(
            $assigncontext->id,
            'assignsubmission_file',
            'submission_files',
            7,
            '/',
            'lecture1.m3u8'
        )->out(false);
        $absent = \moodle_url::make_pluginfile_url(
            $assigncontext->id,
            'assignsubmission_file',
            'submission_files',
            8,
            '/',
            'nothing.m3u8'
        )->out(false);

        $classmate = $this->getDataGenerator()->create_and_enrol($this->course, 'student');
        $this->setUser($classmate);
        // The filter makes no player of them, in the page or in the assignment (a classmate's own submission text).
        $this->assertNull(self::embed($this->context, $private));
        $this->assertNull(self::embed($assigncontext, $submission));
        $this->assertNull(self::embed($privatecontext, $private));
        $this->assert_refused('error:notembedded', ['contextid' => (int) $this->context->id, 'url' => $private, 'grant' => '']);
        $this->assert_refused(
            'error:wrongcontextlevel',
            ['contextid' => (int) $privatecontext->id, 'url' => $private, 'grant' => '']
        );
        // Even embedded there by a teacher, nothing is read: the same answer whether the file exists or not.
        embed_registry::grant($this->context, $private, (int) get_admin()->id);
        $this->assert_refused('error:notembedded', ['contextid' => (int) $this->context->id, 'url' => $private, 'grant' => '']);
        foreach ([$submission, $absent] as $url) {
            embed_registry::grant($assigncontext, $url, (int) get_admin()->id);
            $this->assert_refused('error:notembedded', ['contextid' => (int) $assigncontext->id, 'url' => $url, 'grant' => '']);
        }
    }

    public function test_a_file_of_another_page_is_left_to_moodle_and_refused(): void {
        $url = $this->page_file(self::master());
        $otherpage = $this->getDataGenerator()->create_module('page', ['course' => $this->course->id]);
        $othercontext = \context_module::instance($otherpage->cmid);
        $this->setUser($this->student);
        $this->assertNull(self::embed($othercontext, $url));
        $this->assert_refused('error:notembedded', ['contextid' => (int) $othercontext->id, 'url' => $url, 'grant' => '']);
        $this->assertNotNull(self::embed($this->context, $url));
    }

    public function test_log_in_as_names_the_real_user(): void {
        global $USER;
        $player = self::embed($this->context, self::MEDIA_URL);
        $this->setAdminUser();
        $admin = clone $USER;
        \core\session\manager::loginas($this->student->id, \context_course::instance($this->course->id));
        $this->assertSame((int) $this->student->id, (int) $USER->id);
        $answer = $this->call($player);
        $this->assertSame(fullname($admin) . ' · ' . $admin->email . ' as Zoë Ångström', $answer['watermark']);
        $claims = self::claims($answer['token']);
        $this->assertSame((string) $admin->id, $claims['sub']);
        $this->assertSame($answer['watermark'], $claims['wm']);
    }

    public function test_site_not_configured(): void {
        $player = self::embed($this->context, self::MEDIA_URL);
        set_config('tokensecret', '', 'filter_hlsgate');
        $this->setUser($this->student);
        $this->assert_refused('error:notconfigured', $player);
    }

    public function test_fuzzed_parameters_give_refusals_never_warnings(): void {
        $player = self::embed($this->context, self::MEDIA_URL);
        $this->setUser($this->student);
        $urls = ['', ' ', "\0", str_repeat('a', 70000), 'https://', 'https://media.example.test/lectures/',
            self::BASE . self::DIR . '/', self::BASE . '..%2f' . self::DIR . '/master.m3u8', self::BASE . self::DIR . '/%00.m3u8',
            'pluginfile.php/1/x/y/z.m3u8',
            \moodle_url::make_pluginfile_url(999999999, 'mod_page', 'content', 1, '/', 'a.m3u8')->out(false),
            \moodle_url::make_pluginfile_url($this->context->id, 'mod_page', 'content', 1, '/../..', 'a.m3u8')->out(false),
            "https://media.example.test/lectures/\u{202E}" . self::DIR . '/master.m3u8', "\xff\xfe.m3u8", null, ['x']];
        $contextids = [0, -1, 1, (int) $this->context->id, PHP_INT_MAX, PHP_INT_MIN, null, '12abc', 1.5, []];
        $codes = [];
        foreach ($contextids as $contextid) {
            foreach ($urls as $url) {
                foreach (['', $player['grant'], str_repeat('x', 5000), null, ['a']] as $grant) {
                    $_POST['sesskey'] = sesskey();
                    $response = external_api::call_external_function(
                        'filter_hlsgate_get_playback',
                        ['contextid' => $contextid, 'url' => $url, 'grant' => $grant],
                        true
                    );
                    $this->assertTrue($response['error'], json_encode([$contextid, $url, $grant], JSON_INVALID_UTF8_SUBSTITUTE));
                    $this->assertArrayNotHasKey('data', $response);
                    $this->assertMatchesRegularExpression('/^[a-z:_]+$/', $response['exception']->errorcode);
                    $this->assertNotSame('', $response['exception']->message);
                    $this->assertStringNotContainsString('[[', $response['exception']->message);
                    $codes[$response['exception']->errorcode] = true;
                }
            }
        }
        $this->assertDebuggingNotCalled();
        ksort($codes);
        $this->assertSame(
            ['error:nocontext', 'error:notallowed', 'error:notembedded', 'error:wrongcontextlevel', 'invalidparameter'],
            array_keys($codes)
        );
    }

    public function test_capability_defaults(): void {
        foreach (['student', 'teacher', 'editingteacher', 'manager'] as $archetype) {
            $this->assertSame(CAP_ALLOW, get_default_capabilities($archetype)['filter/hlsgate:view'] ?? null, $archetype);
        }
        foreach (['guest', 'user', 'frontpage', 'coursecreator'] as $archetype) {
            $this->assertArrayNotHasKey('filter/hlsgate:view', get_default_capabilities($archetype), $archetype);
        }
    }

    public function test_embed_key_made_at_install_and_upgrade_and_never_a_setting(): void {
        global $CFG;
        $key = get_config('filter_hlsgate', 'embedkey');
        $this->assertMatchesRegularExpression('/^[A-Za-z0-9_-]{43}$/', $key);
        require_once($CFG->libdir . '/adminlib.php');
        $this->setAdminUser();
        $settings = admin_get_root(true, true)->locate('filtersettinghlsgate');
        $this->assertNotNull($settings);
        $names = array_map(static fn($setting) => $setting->name, $settings->settings ? (array) $settings->settings : []);
        $this->assertContains('tokensecret', $names);
        $this->assertNotContains('embedkey', $names);

        require_once($CFG->libdir . '/upgradelib.php');
        require_once($CFG->dirroot . '/filter/hlsgate/db/upgrade.php');
        set_config('version', 2026112300, 'filter_hlsgate');
        unset_config('embedkey', 'filter_hlsgate');
        $this->assertTrue(xmldb_filter_hlsgate_upgrade(2026112300));
        $this->assertMatchesRegularExpression('/^[A-Za-z0-9_-]{43}$/', get_config('filter_hlsgate', 'embedkey'));
        $this->assertNotSame($key, get_config('filter_hlsgate', 'embedkey'));
        // An existing key is kept by the upgrade.
        $kept = get_config('filter_hlsgate', 'embedkey');
        set_config('version', 2026112300, 'filter_hlsgate');
        xmldb_filter_hlsgate_upgrade(2026112300);
        $this->assertSame($kept, get_config('filter_hlsgate', 'embedkey'));
    }

    /**
     * The id of a standard role.
     *
     * @param string $shortname
     * @return int
     */
    private function role_id(string $shortname): int {
        global $DB;
        return (int) $DB->get_field('role', 'id', ['shortname' => $shortname], MUST_EXIST);
    }

    /**
     * The course's manual enrolment instance.
     *
     * @return \stdClass
     */
    private function manual_instance(): \stdClass {
        foreach (enrol_get_instances($this->course->id, true) as $instance) {
            if ($instance->enrol === 'manual') {
                return $instance;
            }
        }
        $this->fail('no manual enrolment');
    }
}
