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

/**
 * The web service filter_hlsgate_get_playback inside Moodle: copies, File system aliases, pasted
 * URLs, and the refusals (no access, lost access, a gone alias, a file that is not HLS).
 *
 * Runs in a Moodle checkout only (see README.md).
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \filter_hlsgate\external\get_playback
 */
final class get_playback_test extends \advanced_testcase {
    private const BASE = 'https://media.example.test/lectures/';
    private const DIR = 'AbCdEfGhIjKlMnOpQrSt12';
    private const SECRET = 'hlsgate-test-secret-A-0123456789abcdef-not-for-production';

    /** @var \stdClass course */
    private \stdClass $course;

    /** @var \context_module the page's context */
    private \context_module $context;

    /** @var \stdClass an enrolled student */
    private \stdClass $student;

    protected function setUp(): void {
        parent::setUp();
        $this->resetAfterTest();
        set_config('authurl', 'https://media.example.test/_auth', 'filter_hlsgate');
        set_config('tokenkid', 'k2026a', 'filter_hlsgate');
        set_config('tokensecret', self::SECRET, 'filter_hlsgate');
        set_config('tokenlifetime', 300, 'filter_hlsgate');
        set_config('mediabaseurls', self::BASE, 'filter_hlsgate');
        $this->course = $this->getDataGenerator()->create_course();
        $page = $this->getDataGenerator()->create_module('page', ['course' => $this->course->id]);
        $this->context = \context_module::instance($page->cmid);
        $this->student = $this->getDataGenerator()->create_and_enrol($this->course, 'student',
            ['firstname' => 'Zoë', 'lastname' => 'Ångström', 'email' => 'zoe@example.test']);
    }

    /** The repository copy of a master playlist, as ingest writes it. */
    private static function master(): string {
        $dir = self::BASE . self::DIR;
        return "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\n$dir/360p/index.m3u8\n"
            . "#EXT-X-STREAM-INF:BANDWIDTH=2800000,RESOLUTION=1280x720\n$dir/720p/index.m3u8\n";
    }

    /**
     * Calls the service as the AJAX layer does and checks the answer against its declared structure.
     *
     * @param string $url
     * @param int|null $contextid
     * @return array
     */
    private function call(string $url, ?int $contextid = null): array {
        $result = get_playback::execute($contextid ?? (int) $this->context->id, $url);
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
     * @return string its pluginfile.php URL
     */
    private function page_file(string $content): string {
        get_file_storage()->create_file_from_string([
            'contextid' => $this->context->id, 'component' => 'mod_page', 'filearea' => 'content', 'itemid' => 0,
            'filepath' => '/', 'filename' => 'lecture1.m3u8',
        ], $content);
        return \moodle_url::make_pluginfile_url($this->context->id, 'mod_page', 'content', 1, '/', 'lecture1.m3u8')->out(false);
    }

    public function test_copy_in_a_page(): void {
        global $CFG;
        $url = $this->page_file(self::master());
        $this->setUser($this->student);
        $answer = $this->call($url);
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
        $this->assertSame(self::BASE . self::DIR . '/', $this->call($url)['resource']);

        unlink($source);
        $this->expect_refusal('error:filegone', fn() => $this->call($url));
    }

    public function test_pasted_url(): void {
        $this->setUser($this->student);
        $url = self::BASE . self::DIR . '/master.m3u8';
        $answer = $this->call($url);
        $this->assertSame(self::BASE . self::DIR . '/', $answer['resource']);
        $this->assertSame($url, $answer['playlisturl']);
        $this->expect_refusal('error:notallowed', fn() => $this->call('https://evil.example.test/lectures/' . self::DIR . '/master.m3u8'));
        $this->expect_refusal('error:notallowed', fn() => $this->call(self::BASE . 'short/master.m3u8'));
    }

    public function test_file_that_is_not_hls(): void {
        $url = $this->page_file('<!DOCTYPE html><html><body>Not a playlist</body></html>');
        $this->setUser($this->student);
        $this->expect_refusal('error:notaplaylist', fn() => $this->call($url));
    }

    public function test_user_without_access_is_refused(): void {
        $outsider = $this->getDataGenerator()->create_user();
        $this->setUser($outsider);
        $this->expectException(\require_login_exception::class);
        $this->call(self::BASE . self::DIR . '/master.m3u8');
    }

    public function test_user_who_lost_access_is_refused(): void {
        $this->setUser($this->student);
        $this->call(self::BASE . self::DIR . '/master.m3u8');
        $enrol = enrol_get_plugin('manual');
        $instance = current(enrol_get_instances($this->course->id, true));
        $enrol->unenrol_user($instance, $this->student->id);
        $this->expectException(\require_login_exception::class);
        $this->call(self::BASE . self::DIR . '/master.m3u8');
    }

    public function test_file_of_another_context_is_refused(): void {
        $url = $this->page_file(self::master());
        $this->setUser($this->student);
        $coursecontext = \context_course::instance($this->course->id);
        $this->expect_refusal('error:wrongcontext', fn() => $this->call($url, (int) $coursecontext->id));
    }

    public function test_site_not_configured(): void {
        set_config('tokensecret', '', 'filter_hlsgate');
        $this->setUser($this->student);
        $this->expect_refusal('error:notconfigured', fn() => $this->call(self::BASE . self::DIR . '/master.m3u8'));
    }

    /**
     * Asserts a moodle_exception with a string of this plugin.
     *
     * @param string $errorcode
     * @param callable $call
     */
    private function expect_refusal(string $errorcode, callable $call): void {
        try {
            $call();
            $this->fail("expected $errorcode");
        } catch (\moodle_exception $e) {
            $this->assertSame($errorcode, $e->errorcode);
            $this->assertSame('filter_hlsgate', $e->module);
            // With developer debugging Moodle appends the debug info to the message.
            $this->assertStringStartsWith(get_string($errorcode, 'filter_hlsgate', $e->a), $e->getMessage());
        }
    }
}
