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

#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\text_filter::class)]
/**
 * The filter inside Moodle: on a page in a course, in the site's filter order.
 *
 * Runs in a Moodle checkout only (see README.md); the matching rules themselves are tested without
 * Moodle in tests/core/.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \filter_hlsgate\text_filter
 */
final class text_filter_test extends \advanced_testcase {
    /** A pasted absolute URL under the allowed base. */
    private const MEDIA_URL = 'https://media.example.test/lectures/AbCdEfGhIjKlMnOpQrSt12/master.m3u8';

    protected function setUp(): void {
        parent::setUp();
        $this->resetAfterTest();
        set_config('mediabaseurls', 'https://media.example.test/lectures/', 'filter_hlsgate');
    }

    public function test_install_puts_the_filter_on_and_above_mediaplugin(): void {
        global $CFG;
        require_once($CFG->libdir . '/filterlib.php');
        $states = filter_get_global_states();
        $this->assertEquals(TEXTFILTER_ON, $states['hlsgate']->active);
        $order = array_keys($states);
        $this->assertLessThan(array_search('mediaplugin', $order, true), array_search('hlsgate', $order, true));
    }

    public function test_links_on_a_page_become_players_without_user_data(): void {
        global $CFG;
        require_once($CFG->libdir . '/filterlib.php');
        filter_set_global_state('hlsgate', TEXTFILTER_ON);
        filter_set_global_state('mediaplugin', TEXTFILTER_ON);

        $course = $this->getDataGenerator()->create_course();
        $page = $this->getDataGenerator()->create_module('page', ['course' => $course->id]);
        $context = \context_module::instance($page->cmid);
        $pluginfile = \moodle_url::make_pluginfile_url($context->id, 'mod_page', 'content', 1, '/', 'lecture1.m3u8')->out(false);
        $text = '<p>This week\'s recording:</p><p><a href="' . $pluginfile . '">Lecture 1</a></p>'
            . '<p><a href="' . self::MEDIA_URL . '">Lecture 2</a></p>'
            . '<pre><a href="' . self::MEDIA_URL . '">in pre</a></pre>';
        $student = $this->getDataGenerator()->create_and_enrol($course, 'student');
        $this->setUser($student);

        $html = format_text($text, FORMAT_HTML, ['context' => $context, 'noclean' => true]);

        $this->assertSame(2, substr_count($html, '<span class="filter_hlsgate"'));
        $this->assertStringContainsString('data-hlsgate-src="' . s($pluginfile) . '"', $html);
        $this->assertStringContainsString('data-hlsgate-contextid="' . $context->id . '"', $html);
        $this->assertStringContainsString('data-hlsgate-title="Lecture 1"', $html);
        // The mediaplugin filter did not turn ours into its own player; the link in <pre> was left to the other
        // filters (mediaplugin, which does not skip <pre>, makes it its own player).
        $pre = strpos($html, '<pre>');
        $this->assertNotFalse($pre);
        $this->assertStringNotContainsString('mediaplugin_videojs', substr($html, 0, $pre));
        $this->assertStringNotContainsString('filter_hlsgate', substr($html, $pre));
        // Nothing of the viewer in the (cacheable) markup.
        $this->assertStringNotContainsString($student->email, $html);
        $this->assertStringNotContainsString(fullname($student), $html);
        $this->assertStringNotContainsString('eyJ', $html, 'no token');
    }

    public function test_text_without_playlists_and_disallowed_hosts_are_untouched(): void {
        $context = \context_system::instance();
        $filter = new text_filter($context, []);
        $plain = '<p><a href="https://example.test/a.mp4">video</a></p>';
        $this->assertSame($plain, $filter->filter($plain));
        $foreign = '<p><a href="https://cdn.other.test/x/master.m3u8">elsewhere</a></p>';
        $this->assertSame($foreign, $filter->filter($foreign));
        $this->assertSame('', $filter->filter(''));
    }

    public function test_the_markup_is_the_same_for_every_viewer_and_mints_nothing(): void {
        global $CFG;
        require_once($CFG->libdir . '/filterlib.php');
        $course = $this->getDataGenerator()->create_course();
        $page = $this->getDataGenerator()->create_module('page', ['course' => $course->id]);
        $context = \context_module::instance($page->cmid);
        $text = '<p><a href="' . self::MEDIA_URL . '">Lecture 2</a></p>';
        $html = [];
        foreach (['student', 'editingteacher'] as $role) {
            $this->setUser($this->getDataGenerator()->create_and_enrol($course, $role));
            $html[] = format_text($text, FORMAT_HTML, ['context' => $context, 'noclean' => true]);
        }
        $this->assertSame($html[0], $html[1], 'cacheable: nothing of the viewer');
        $this->assertStringContainsString('data-hlsgate-contextid="' . $context->id . '" data-hlsgate-title="Lecture 2"', $html[0]);
        $this->assertStringNotContainsString('grant', $html[0]);
        // Rendering, by anyone, records nothing: only saved texts make embeds.
        $this->assertSame([], local\embed_registry::videos_in($context));
    }

    public function test_a_pluginfile_playlist_that_could_not_play_here_is_left_to_mediaplugin(): void {
        global $CFG;
        require_once($CFG->libdir . '/filterlib.php');
        filter_set_global_state('mediaplugin', TEXTFILTER_ON);
        $course = $this->getDataGenerator()->create_course();
        $page = $this->getDataGenerator()->create_module('page', ['course' => $course->id]);
        $context = \context_module::instance($page->cmid);
        $dir = 'https://media.example.test/lectures/AbCdEfGhIjKlMnOpQrSt12';
        $files = [
            'ours.m3u8' => "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\n$dir/360p/index.m3u8\n",
            'relative.m3u8' => "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\n360p/index.m3u8\n",
            'foreign.m3u8' => "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\nhttps://cdn.other.test/v/360p/index.m3u8\n",
            'notes.m3u8' => 'just some notes',
        ];
        foreach ($files as $name => $content) {
            get_file_storage()->create_file_from_string(['contextid' => $context->id, 'component' => 'mod_page',
                'filearea' => 'content', 'itemid' => 0, 'filepath' => '/', 'filename' => $name], $content);
        }
        $url = fn(string $name, ?\context $in = null): string =>
            \moodle_url::make_pluginfile_url(($in ?? $context)->id, 'mod_page', 'content', 1, '/', $name)->out(false);
        $this->setUser($this->getDataGenerator()->create_and_enrol($course, 'student'));
        $render = fn(string $href, \context $in): string => format_text(
            '<p><a href="' . $href . '">Video</a></p>',
            FORMAT_HTML,
            ['context' => $in, 'noclean' => true]
        );

        $this->assertStringContainsString('<span class="filter_hlsgate"', $render($url('ours.m3u8'), $context));
        // A gone or missing file still gets our player, which says so when played.
        $this->assertStringContainsString('<span class="filter_hlsgate"', $render($url('missing.m3u8'), $context));
        foreach (['relative.m3u8', 'foreign.m3u8', 'notes.m3u8'] as $name) {
            $html = $render($url($name), $context);
            $this->assertStringNotContainsString('filter_hlsgate', $html, $name);
            $this->assertStringContainsString('mediaplugin_videojs', $html, $name);
        }
        // Our playlist linked from another page, or from the course: not read there, not ours there.
        $otherpage = $this->getDataGenerator()->create_module('page', ['course' => $course->id]);
        foreach ([\context_module::instance($otherpage->cmid), \context_course::instance($course->id)] as $elsewhere) {
            $this->assertStringNotContainsString('filter_hlsgate', $render($url('ours.m3u8'), $elsewhere));
        }
        // A pasted media URL is ours wherever it is.
        $this->assertStringContainsString('<span class="filter_hlsgate"', $render(self::MEDIA_URL, \context_system::instance()));
    }
}
