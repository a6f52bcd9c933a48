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

use core_external\external_api;
use core_external\external_settings;
use filter_hlsgate\external\get_playback;
use filter_hlsgate\local\embed_registry;

#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\output\mobile::class)]
#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\text_filter::class)]
/**
 * The filter in the Moodle App, inside Moodle: the handler the app loads (db/mobile.php, the init
 * JavaScript through tool_mobile_get_content), the web services in the official mobile service, the
 * text as the app's web-service calls get it (webservice/pluginfile.php URLs) and a user's own
 * tokenpluginfile.php URL, which must grant nothing the plain URL would not; and filter() doing no
 * database query over 1,000 texts (its time is in moodle-filter/bench/app-filter.bench.ts).
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \filter_hlsgate\output\mobile
 * @covers     \filter_hlsgate\text_filter
 */
final class mobile_test extends \advanced_testcase {
    /** @var string media base */
    private const BASE = 'https://media.example.test/lectures/';
    /** @var string video folder */
    private const DIR = 'AbCdEfGhIjKlMnOpQrSt12';
    /** @var string test signing secret */
    private const SECRET = 'hlsgate-test-secret-A-0123456789abcdef-not-for-production';

    protected function setUp(): void {
        parent::setUp();
        $this->resetAfterTest();
        $this->getDataGenerator()->get_plugin_generator('filter_hlsgate')->configure_site(self::BASE, self::SECRET);
    }

    /**
     * A repository copy of a master playlist, as ingest writes it.
     *
     * @return string
     */
    private static function master(): string {
        $dir = self::BASE . self::DIR;
        return "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\n$dir/360p/index.m3u8\n";
    }

    public function test_the_app_finds_a_filter_handler_with_an_init_method(): void {
        // Logged in: a visitor gets the auth plugins' handlers only.
        $this->setUser($this->getDataGenerator()->create_user());
        $plugins = \tool_mobile\api::get_plugins_supporting_mobile();
        $ours = array_values(array_filter($plugins, fn(array $p): bool => $p['component'] === 'filter_hlsgate'));
        $this->assertCount(1, $ours);
        $handlers = json_decode($ours[0]['handlers'], true);
        $this->assertSame(['hlsgate' => ['delegate' => 'CoreFilterDelegate', 'init' => 'mobile_init']], $handlers);
    }

    public function test_the_init_javascript_registers_the_handler_and_holds_nothing_of_the_user(): void {
        global $CFG;
        require_once($CFG->dirroot . '/admin/tool/mobile/classes/external.php');
        $course = $this->getDataGenerator()->create_course();
        $student = $this->getDataGenerator()->create_and_enrol($course, 'student', ['email' => 'zoe@example.test']);
        $this->setUser($student);
        // What the app asks at start-up (CoreSitePluginsInit: tool_mobile_get_content with the app's args).
        $answer = external_api::clean_returnvalue(
            \tool_mobile\external::get_content_returns(),
            \tool_mobile\external::get_content('filter_hlsgate', 'mobile_init', [
                ['name' => 'applang', 'value' => 'en'], ['name' => 'appversioncode', 'value' => '50000'],
            ])
        );
        $js = $answer['javascript'];
        $this->assertStringNotContainsString('HLSGATE_APP_CONFIG', $js);
        $this->assertStringContainsString('app.CoreFilterDelegate.registerHandler(handler)', $js);
        $this->assertStringContainsString("var FILTER = 'hlsgate';", $js);
        $this->assertStringContainsString("signing: 'query'", $js);
        $this->assertStringContainsString("site.read(METHOD, args, NO_CACHE)", $js);
        $this->assertStringContainsString("site.write(SAVE_METHOD", $js);
        $this->assertStringContainsString("document.addEventListener('pause'", $js);
        $this->assertStringContainsString(json_encode(get_string('app:offline', 'filter_hlsgate')), $js);
        $this->assertStringNotContainsString('zoe@example.test', $js);
        $this->assertStringNotContainsString('eyJ', $js, 'no token');
        $this->assertFalse($answer['disabled']);
        // The options are valid JSON in the script.
        $this->assertSame(1, preg_match('~\}\)\(this, (\{.*\})\);\s*$~s', $js, $m));
        $options = json_decode($m[1], true, 512, JSON_THROW_ON_ERROR);
        $this->assertSame(get_string('player:noaccess', 'filter_hlsgate'), $options['strings']['noaccess']);
        $this->assertSame((string) get_config('filter_hlsgate', 'version'), $options['version']);
        // A language the site does not have: the user's.
        $other = \filter_hlsgate\output\mobile::mobile_init(['applang' => 'xx-nosuch']);
        $this->assertStringContainsString(json_encode(get_string('app:offline', 'filter_hlsgate')), $other['javascript']);
    }

    public function test_both_functions_are_in_the_official_mobile_service(): void {
        global $DB;
        $functions = $DB->get_fieldset_sql(
            'SELECT f.functionname FROM {external_services_functions} f JOIN {external_services} s ON s.id = f.externalserviceid
              WHERE s.shortname = ? AND f.functionname LIKE ? ORDER BY f.functionname',
            [MOODLE_OFFICIAL_MOBILE_SERVICE, 'filter_hlsgate_%']
        );
        $this->assertSame(['filter_hlsgate_get_playback', 'filter_hlsgate_save_progress'], $functions);
    }

    public function test_the_apps_file_urls_become_the_same_player_with_the_same_rule_and_no_token_in_the_markup(): void {
        global $DB;
        $course = $this->getDataGenerator()->create_course();
        $page = $this->getDataGenerator()->create_module('page', ['course' => $course->id,
            'content' => '<p><a href="@@PLUGINFILE@@/Lecture%201.m3u8">Lecture 1</a></p>', 'contentformat' => FORMAT_HTML]);
        $context = \context_module::instance($page->cmid);
        get_file_storage()->create_file_from_string(['contextid' => $context->id, 'component' => 'mod_page',
            'filearea' => 'content', 'itemid' => 0, 'filepath' => '/', 'filename' => 'Lecture 1.m3u8'], self::master());
        // As after the first save in the form: the URLs carry the revision.
        $DB->set_field('page', 'revision', 1, ['id' => $page->id]);
        $page->revision = 1;
        $plain = \moodle_url::make_pluginfile_url($context->id, 'mod_page', 'content', $page->revision, '/', 'Lecture 1.m3u8')
            ->out(false);
        embed_registry::grant($context, $plain, (int) get_admin()->id);
        $student = $this->getDataGenerator()->create_and_enrol($course, 'student');
        $outsider = $this->getDataGenerator()->create_user();
        filter_set_global_state('mediaplugin', TEXTFILTER_ON);

        // The page's content as mod_page_get_pages_by_courses gives it to the app (files under
        // webservice/pluginfile.php, filtered on the server).
        $this->setUser($student);
        $settings = external_settings::get_instance();
        $settings->set_filter(true);
        $settings->set_fileurl(true);
        $settings->set_file('webservice/pluginfile.php');
        try {
            $record = $DB->get_record('page', ['id' => $page->id]);
            [$html] = \core_external\util::format_text($record->content, FORMAT_HTML, $context, 'mod_page', 'content',
                $record->revision);
        } finally {
            $settings->set_filter(false);
        }
        $this->assertStringContainsString('<span class="filter_hlsgate" data-hlsgate-src="' . s($plain) . '"', $html);
        $this->assertStringNotContainsString('webservice/pluginfile.php', $html);
        $this->assertStringNotContainsString('<video', $html, 'never Moodle\'s own player');
        $this->assertStringNotContainsString('mediaplugin', str_replace('nomediaplugin', '', $html));

        // A user's own token URL: the same file, the same placeholder, and the token nowhere in it.
        $tokenurl = \moodle_url::make_pluginfile_url($context->id, 'mod_page', 'content', $page->revision, '/',
            'Lecture 1.m3u8', false, true)->out(false);
        $this->assertStringContainsString('/tokenpluginfile.php/', $tokenurl);
        $filekey = explode('/', explode('/tokenpluginfile.php/', $tokenurl)[1])[0];
        $wsurl = str_replace('/pluginfile.php/', '/webservice/pluginfile.php/', $plain) . '?token=0123456789abcdef0123456789abcdef';
        foreach ([$tokenurl, $wsurl] as $url) {
            $html = format_text('<p><a href="' . s($url) . '">Lecture 1</a></p>', FORMAT_HTML, ['context' => $context]);
            $this->assertStringContainsString('data-hlsgate-src="' . s($plain) . '"', $html, $url);
            $this->assertStringNotContainsString($filekey, $html, $url);
            $this->assertStringNotContainsString('0123456789abcdef0123456789abcdef', $html, $url);
        }

        // The same access rule: the student plays through any spelling, the same video ...
        $resources = [];
        foreach ([$plain, $wsurl, $tokenurl] as $url) {
            $answer = external_api::clean_returnvalue(
                get_playback::execute_returns(),
                get_playback::execute($context->id, $url, '')
            );
            $resources[] = $answer['resource'];
        }
        $this->assertSame(array_fill(0, 3, self::BASE . self::DIR . '/'), $resources);
        // ... and an outsider gets nothing through any of them.
        $this->setUser($outsider);
        foreach ([$plain, $wsurl, $tokenurl] as $url) {
            try {
                get_playback::execute($context->id, $url, '');
                $this->fail("an outsider got a token for $url");
            } catch (\require_login_exception $e) {
                $this->assertSame('requireloginerror', $e->errorcode);
            }
        }
    }

    public function test_a_page_at_revision_0_plays_in_the_app_through_the_url_without_the_revision(): void {
        global $DB;
        $course = $this->getDataGenerator()->create_course();
        $this->setAdminUser();
        $page = $this->getDataGenerator()->create_module('page', ['course' => $course->id,
            'content' => '<p><a href="@@PLUGINFILE@@/lecture.m3u8">Lecture</a></p>', 'contentformat' => FORMAT_HTML]);
        $context = \context_module::instance($page->cmid);
        get_file_storage()->create_file_from_string(['contextid' => $context->id, 'component' => 'mod_page',
            'filearea' => 'content', 'itemid' => 0, 'filepath' => '/', 'filename' => 'lecture.m3u8'], self::master());
        $this->assertSame(0, (int) $DB->get_field('page', 'revision', ['id' => $page->id]));
        embed_registry::sync_context($context, (int) get_admin()->id);
        $student = $this->getDataGenerator()->create_and_enrol($course, 'student');
        $this->setUser($student);
        $settings = external_settings::get_instance();
        $settings->set_filter(true);
        try {
            [$html] = \core_external\util::format_text($DB->get_field('page', 'content', ['id' => $page->id]), FORMAT_HTML,
                $context, 'mod_page', 'content', 0);
        } finally {
            $settings->set_filter(false);
        }
        $this->assertSame(1, preg_match('~data-hlsgate-src="([^"]+)"~', $html, $m), $html);
        $url = htmlspecialchars_decode($m[1]);
        // Moodle 4.5 drops the revision 0 from the app's URL; 5.1 keeps it. Either plays.
        $this->assertMatchesRegularExpression('~/mod_page/content/(0/)?lecture\.m3u8$~', $url);
        $answer = get_playback::execute($context->id, $url, '');
        $this->assertSame(self::BASE . self::DIR . '/', $answer['resource']);
        // Not another page's file through that spelling.
        $other = $this->getDataGenerator()->create_module('page', ['course' => $course->id]);
        $this->expectException(\moodle_exception::class);
        get_playback::execute(\context_module::instance($other->cmid)->id, str_replace("/{$context->id}/", '/'
            . \context_module::instance($other->cmid)->id . '/', $url), '');
    }

    public function test_a_users_own_token_url_grants_nothing_the_plain_url_would_not(): void {
        $course = $this->getDataGenerator()->create_course();
        $assign = $this->getDataGenerator()->create_module('assign', ['course' => $course->id]);
        $context = \context_module::instance($assign->cmid);
        $student = $this->getDataGenerator()->create_and_enrol($course, 'student');
        // A playlist in the student's own submission: a file that student may download, in an area of one user.
        get_file_storage()->create_file_from_string(['contextid' => $context->id, 'component' => 'assignsubmission_file',
            'filearea' => 'submission_files', 'itemid' => 7, 'filepath' => '/', 'filename' => 'mine.m3u8'], self::master());
        $this->setUser($student);
        $plain = \moodle_url::make_pluginfile_url($context->id, 'assignsubmission_file', 'submission_files', 7, '/',
            'mine.m3u8')->out(false);
        $tokenurl = \moodle_url::make_pluginfile_url($context->id, 'assignsubmission_file', 'submission_files', 7, '/',
            'mine.m3u8', false, true)->out(false);
        $this->assertStringContainsString('/tokenpluginfile.php/', $tokenurl);
        $refusals = [];
        foreach (['plain' => $plain, 'token' => $tokenurl] as $kind => $url) {
            $html = format_text('<p><a href="' . s($url) . '">mine</a></p>', FORMAT_HTML, ['context' => $context]);
            $this->assertStringNotContainsString('class="filter_hlsgate"', $html, "$kind: not an hlsgate player");
            try {
                get_playback::execute($context->id, $url, '');
                $this->fail("$kind: a token for a submission");
            } catch (\moodle_exception $e) {
                $refusals[$kind] = $e->errorcode;
            }
        }
        $this->assertSame(['plain' => 'error:notembedded', 'token' => 'error:notembedded'], $refusals);
    }

    public function test_filter_does_no_database_query_over_1000_texts(): void {
        global $DB;
        $course = $this->getDataGenerator()->create_course();
        $page = $this->getDataGenerator()->create_module('page', ['course' => $course->id]);
        $context = \context_module::instance($page->cmid);
        $other = \context_course::instance($course->id);
        $filter = new text_filter($context, []);
        $media = self::BASE . self::DIR . '/master.m3u8';
        $foreign = \moodle_url::make_pluginfile_url($other->id, 'course', 'summary', 0, '/', 'x.m3u8')->out(false);
        require_once(__DIR__ . '/fixtures/app_texts.php');
        $texts = filter_hlsgate_app_texts($media, $foreign);
        $filter->filter($texts[1]);
        $reads = $DB->perf_get_reads();
        $writes = $DB->perf_get_writes();
        $players = 0;
        foreach ($texts as $text) {
            $players += substr_count($filter->filter($text), 'class="filter_hlsgate"');
        }
        $this->assertSame(400, $players);
        $this->assertSame(0, $DB->perf_get_reads() - $reads, 'database reads by filter() over 1,000 texts');
        $this->assertSame(0, $DB->perf_get_writes() - $writes);
    }
}
