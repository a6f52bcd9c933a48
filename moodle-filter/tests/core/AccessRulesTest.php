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

use filter_hlsgate\local\embed_grant;
use filter_hlsgate\local\link_matcher;
use filter_hlsgate\local\media_bases;
use filter_hlsgate\local\playback_error;
use filter_hlsgate\local\plugin_config;
use filter_hlsgate\local\pluginfile_url;
use filter_hlsgate\local\url_policy;
use PHPUnit\Framework\TestCase;

#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\local\embed_grant::class)]
#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\local\url_policy::class)]
#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\local\pluginfile_url::class)]
#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\local\link_matcher::class)]
/**
 * The Moodle-free parts of the access rule: embed grants, the canonical playlist URL they sign,
 * the file areas a text may play from, and the filter leaving a link alone when told to.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class AccessRulesTest extends TestCase {
    /** The site's wwwroot. */
    private const WWWROOT = 'https://moodle.example.test';
    /** A pasted media URL under the allowed base. */
    private const MEDIA_URL = 'https://media.example.test/lectures/AbCdEfGhIjKlMnOpQrSt12/master.m3u8';
    /** The site's embed key. */
    private const KEY = 'k3y-of-the-site-0123456789-abcdefghijklmnop';

    /**
     * The URL policy of the site with one allowed media base.
     *
     * @return url_policy
     */
    private static function policy(): url_policy {
        return new url_policy(self::WWWROOT, media_bases::from_setting("https://media.example.test/lectures/\n"));
    }

    /**
     * Test: grant binds the context and the url and nothing else.
     */
    public function test_grant_binds_the_context_and_the_url_and_nothing_else(): void {
        $grants = new embed_grant(self::KEY);
        $grant = $grants->sign(22, self::MEDIA_URL);
        $this->assertMatchesRegularExpression('/^[A-Za-z0-9_-]{43}$/', $grant);
        $this->assertSame($grant, $grants->sign(22, self::MEDIA_URL), 'deterministic: cached text stays valid');
        $this->assertTrue($grants->verify(22, self::MEDIA_URL, $grant));
        $this->assertFalse($grants->verify(23, self::MEDIA_URL, $grant), 'another context');
        $this->assertFalse($grants->verify(2, self::MEDIA_URL, $grant), 'a prefix of the context id');
        $this->assertFalse($grants->verify(22, str_replace('St12', 'St13', self::MEDIA_URL), $grant), 'another video');
        $this->assertFalse($grants->verify(22, self::MEDIA_URL, ''), 'no grant');
        $this->assertFalse($grants->verify(22, self::MEDIA_URL, substr($grant, 0, 42)));
        $this->assertFalse($grants->verify(22, self::MEDIA_URL, strtoupper($grant)));
        $this->assertFalse((new embed_grant(self::KEY . 'x'))->verify(22, self::MEDIA_URL, $grant), 'another site');
        // The context id and the URL cannot be shifted into each other.
        $this->assertNotSame($grants->sign(1, "2\n" . self::MEDIA_URL), $grants->sign(12, self::MEDIA_URL));
    }

    /**
     * Test: keys.
     */
    public function test_keys(): void {
        $key = embed_grant::new_key();
        $this->assertMatchesRegularExpression('/^[A-Za-z0-9_-]{43}$/', $key);
        $this->assertNotSame($key, embed_grant::new_key());
        foreach (['', str_repeat('k', embed_grant::MIN_KEY_LENGTH - 1)] as $short) {
            try {
                new embed_grant($short);
                $this->fail('a short key');
            } catch (playback_error $e) {
                $this->assertSame('error:notconfigured', $e->errorcode);
            }
        }
        $config = plugin_config::from_settings(['embedkey' => $key, 'tokensecret' => 'x'], self::WWWROOT);
        $this->assertTrue($config->embed_grant()->verify(5, 'u', (new embed_grant($key))->sign(5, 'u')));
        $this->expectException(playback_error::class);
        plugin_config::from_settings([], self::WWWROOT)->embed_grant();
    }

    /**
     * Test: one canonical spelling per playlist.
     */
    public function test_one_canonical_spelling_per_playlist(): void {
        $policy = self::policy();
        $page = self::WWWROOT . '/pluginfile.php/22/mod_page/content/1/lecture1.m3u8';
        $spaced = self::WWWROOT . '/pluginfile.php/22/mod_page/content/1/Week%201/2026-11-20%20-%20A%20%26%20B.m3u8';
        foreach (
            [
            $page => $page,
            " $page\n" => $page,
            "$page?forcedownload=1" => $page,
            "$page#t=10" => $page,
            self::WWWROOT . '/pluginfile.php?file=%2F22%2Fmod_page%2Fcontent%2F1%2Flecture1.m3u8' => $page,
            self::WWWROOT . '/pluginfile.php/22/mod_page/content/1/lecture%31.m3u8' => $page,
            $spaced => $spaced,
            str_replace('%20', ' ', $spaced) => $spaced,
            self::MEDIA_URL => self::MEDIA_URL,
            'HTTPS://Media.Example.TEST:443/lectures/AbCdEfGhIjKlMnOpQrSt12/master.m3u8' => self::MEDIA_URL,
            ] as $url => $canonical
        ) {
            $this->assertSame($canonical, $policy->canonical($url), $url);
            $this->assertSame($canonical, $policy->canonical($canonical), 'idempotent');
            $this->assertTrue($policy->accepts($url));
        }
        foreach (
            [
            'https://media.example.test/lectures/AbCdEfGhIjKlMnOpQrSt12/master.m3u8?x=1',
            'https://media.example.test/lectures/AbCdEfGhIjKlMnOpQrSt12/../master.m3u8',
            'https://media.example.test/lectures/master.m3u8',
            'https://evil.example.test/pluginfile.php/22/mod_page/content/1/lecture1.m3u8',
            self::WWWROOT . '/pluginfile.php/22/mod_page/content/1/lecture1.mp4',
            self::WWWROOT . '/pluginfile.php/22/mod_page/content/1/' . str_repeat('a', url_policy::MAX_URL_LENGTH) . '.m3u8',
            '',
            'javascript:alert(1)//.m3u8',
            ] as $url
        ) {
            $this->assertNull($policy->canonical($url), $url);
            $this->assertFalse($policy->accepts($url));
        }
    }

    /**
     * Test: file areas a text may play from.
     */
    public function test_file_areas_a_text_may_play_from(): void {
        $area = static fn(string $path): pluginfile_url =>
            pluginfile_url::parse(self::WWWROOT . "/pluginfile.php/22/$path", self::WWWROOT);
        $shared = [
            ['mod_page/content/3/a.m3u8', 'module', 'page'],
            ['mod_page/intro/a.m3u8', 'module', 'page'],
            ['mod_label/intro/a.m3u8', 'module', 'label'],
            ['mod_assign/intro/a.m3u8', 'module', 'assign'],
            ['mod_book/chapter/4/a.m3u8', 'module', 'book'],
            ['course/summary/a.m3u8', 'course', ''],
            ['course/section/9/a.m3u8', 'course', ''],
            ['block_html/content/a.m3u8', 'block', 'html'],
        ];
        foreach ($shared as [$path, $level, $plugin]) {
            $this->assertTrue($area($path)->is_shared_in($level, $plugin), $path);
        }
        $private = [
            ['mod_assign/submission_files/5/a.m3u8', 'module', 'assign'],
            ['assignsubmission_file/submission_files/5/a.m3u8', 'module', 'assign'],
            ['assignsubmission_onlinetext/submissions_onlinetext/5/a.m3u8', 'module', 'assign'],
            ['assignfeedback_file/feedback_files/5/a.m3u8', 'module', 'assign'],
            ['mod_forum/post/5/a.m3u8', 'module', 'forum'],
            ['mod_forum/attachment/5/a.m3u8', 'module', 'forum'],
            ['user/private/a.m3u8', 'module', 'page'],
            ['user/draft/5/a.m3u8', 'course', ''],
            ['mod_page/content/3/a.m3u8', 'module', 'label'],
            ['mod_page/content/3/a.m3u8', 'course', ''],
            ['mod_label/intro/a.m3u8', 'module', ''],
            ['course/overviewfiles/a.m3u8', 'course', ''],
            ['course/summary/a.m3u8', 'module', 'page'],
            ['block_html/content/a.m3u8', 'block', 'rss_client'],
            ['block_html/content/a.m3u8', 'course', ''],
            ['mod_page/content/3/a.m3u8', 'system', 'page'],
            ['mod_page/content/3/a.m3u8', 'user', 'page'],
        ];
        foreach ($private as [$path, $level, $plugin]) {
            $this->assertFalse($area($path)->is_shared_in($level, $plugin), "$path in $level $plugin");
        }
    }

    /**
     * Test: rewrite puts the grant in and leaves what it is told to.
     */
    public function test_rewrite_puts_the_grant_in_and_leaves_what_it_is_told_to(): void {
        $matcher = new link_matcher(self::policy());
        $pluginfile = self::WWWROOT . '/pluginfile.php/22/mod_page/content/1/notes.m3u8';
        $text = '<p><a href="' . self::MEDIA_URL . '">Lecture</a> <a href="' . $pluginfile . '">Notes</a></p>';
        $asked = [];
        $output = $matcher->rewrite($text, 22, static function (string $url) use (&$asked, $pluginfile): ?string {
            $asked[] = $url;
            return $url === $pluginfile ? null : 'GRANT_of-the-url';
        });
        $this->assertSame([self::MEDIA_URL, $pluginfile], $asked);
        $this->assertSame('<p><span class="filter_hlsgate" data-hlsgate-src="' . self::MEDIA_URL . '" data-hlsgate-contextid="22"'
            . ' data-hlsgate-grant="GRANT_of-the-url" data-hlsgate-title="Lecture"><a class="filter_hlsgate_fallback nomediaplugin"'
            . ' href="' . self::MEDIA_URL . '">Lecture</a></span> <a href="' . $pluginfile . '">Notes</a></p>', $output);
        $this->assertSame($text, $matcher->rewrite($text, 22, static fn(string $url): ?string => null));
    }
}
