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

use filter_hlsgate\local\link_matcher;
use filter_hlsgate\local\markup;
use filter_hlsgate\local\media_bases;
use filter_hlsgate\local\pluginfile_url;
use filter_hlsgate\local\url_policy;
use filter_hlsgate\local\watermark;
use PHPUnit\Framework\TestCase;

#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\local\media_bases::class)]
#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\local\pluginfile_url::class)]
#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\local\watermark::class)]
#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\local\markup::class)]
#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\local\url_policy::class)]
#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\local\link_matcher::class)]
/**
 * The small rules: allowed media bases, pluginfile URLs, watermark templates, markup.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class RulesTest extends TestCase {
    /**
     * Test: media bases setting.
     */
    public function test_media_bases_setting(): void {
        $bases = media_bases::from_setting(implode("\r\n", [
            '# comment',
            '',
            '  https://Media.Example.test/lectures/  ',
            'https://media.example.test/lectures/',
            'https://media.example.test:443/other/',
            'http://localhost:8787/lectures/',
            'http://media.example.test/lectures/',
            'https://media.example.test/no-slash',
            'https://media.example.test/q/?x=1',
            'https://user@media.example.test/x/',
            'ftp://media.example.test/x/',
            'not a url',
        ]));
        $this->assertSame([
            'https://media.example.test/lectures/',
            'https://media.example.test/other/',
            'http://localhost:8787/lectures/',
        ], $bases->bases());
        $this->assertSame([
            'http://media.example.test/lectures/',
            'https://media.example.test/no-slash',
            'https://media.example.test/q/?x=1',
            'https://user@media.example.test/x/',
            'ftp://media.example.test/x/',
            'not a url',
        ], $bases->errors());
        $this->assertSame([], media_bases::from_setting('')->bases());
    }

    /**
     * Test: resource for url.
     */
    public function test_resource_for_url(): void {
        $bases = media_bases::from_setting('https://media.example.test/lectures/');
        $dir = 'AbCdEfGhIjKlMnOpQrSt12';
        $res = "https://media.example.test/lectures/$dir/";
        $this->assertSame($res, $bases->resource_for_playlist_url("https://media.example.test/lectures/$dir/master.m3u8"));
        $this->assertSame($res, $bases->resource_for_playlist_url("https://media.example.test/lectures/$dir/720p/index.M3U8"));
        $this->assertSame($res, $bases->resource_for_url("https://media.example.test/lectures/$dir/720p/seg_001.ts"));
        $this->assertNull($bases->resource_for_playlist_url("https://media.example.test/lectures/$dir/720p/seg_001.ts"));
        $this->assertNull($bases->resource_for_url("https://media.example.test/lectures/$dir/"));
        $this->assertNull($bases->resource_for_url("https://media.example.test/lectures/$dir//x.m3u8"));
        $this->assertNull($bases->resource_for_url("https://media.example.test/lectures/$dir/./x.m3u8"));
        $this->assertNull($bases->resource_for_url("https://media.example.test/lectures/$dir/.hidden.m3u8"));
        $this->assertNull($bases->resource_for_url("https://media.example.test/lectures/$dir/a b.m3u8"));
        $this->assertNull($bases->resource_for_url("https://media.example.test/lectures/$dir\\x.m3u8"));
        $this->assertNull($bases->resource_for_url("https://media.example.test/lectures/ab/x.m3u8"));
        $this->assertNull($bases->resource_for_url("https://media.example.test/lectures/{$dir}ä/x.m3u8"));
    }

    /**
     * Test: nested bases longest match and nothing at or above a base.
     */
    public function test_nested_bases_longest_match_and_nothing_at_or_above_a_base(): void {
        $dir = 'AbCdEfGhIjKlMnOpQrSt12';
        $folder = 'https://media.example.test/lecture-recordings/';
        foreach (["https://media.example.test/\n$folder", "$folder\nhttps://media.example.test/"] as $setting) {
            $bases = media_bases::from_setting($setting);
            $this->assertSame("$folder$dir/", $bases->resource_for_playlist_url("$folder$dir/master.m3u8"));
            $this->assertSame("https://media.example.test/$dir/", $bases->resource_for_url("https://media.example.test/$dir/x.ts"));
            // Under the shorter base, lecture-recordings/ would pass as one video: cookies for every video below it.
            $this->assertNull($bases->resource_for_playlist_url("{$folder}master.m3u8"));
            $this->assertNull($bases->resource_for_url("{$folder}index.m3u8"));
            $this->assertFalse($bases->is_resource($folder));
            $this->assertFalse($bases->is_resource('https://media.example.test/'));
            $this->assertTrue($bases->is_resource("$folder$dir/"));
            $this->assertFalse($bases->is_resource("$folder$dir"));
            $this->assertFalse($bases->is_resource("$folder$dir/720p/"));
        }
        $bases = media_bases::from_setting("https://media.example.test/\nhttps://media.example.test/$dir/sub/");
        $this->assertNull($bases->resource_for_url("https://media.example.test/$dir/master.m3u8"), 'above a base');
        $this->assertFalse($bases->is_resource("https://media.example.test/$dir/"));
    }

    /**
     * Test: pluginfile urls.
     */
    public function test_pluginfile_urls(): void {
        $www = 'https://moodle.example.test';
        $page = pluginfile_url::parse("$www/pluginfile.php/22/mod_page/content/1/lecture1.m3u8", $www);
        $this->assertNotNull($page);
        $this->assertSame(
            [22, 'mod_page', 'content', ['1'], 'lecture1.m3u8'],
            [$page->contextid, $page->component, $page->filearea, $page->args, $page->filename]
        );
        $this->assertSame([
            ['itemid' => 1, 'filepath' => '/', 'filename' => 'lecture1.m3u8'],
            ['itemid' => 0, 'filepath' => '/1/', 'filename' => 'lecture1.m3u8'],
            ['itemid' => 0, 'filepath' => '/', 'filename' => 'lecture1.m3u8'],
        ], $page->candidates());

        $label = pluginfile_url::parse("$www/pluginfile.php/30/mod_label/intro/lecture1.m3u8", $www);
        $this->assertSame([['itemid' => 0, 'filepath' => '/', 'filename' => 'lecture1.m3u8']], $label->candidates());

        $deep = pluginfile_url::parse(
            "$www/pluginfile.php/5/mod_folder/content/3/Week%201/2026-11-20%2010.00%20-%20A.m3u8?forcedownload=1",
            $www
        );
        $this->assertSame('2026-11-20 10.00 - A.m3u8', $deep->filename);
        $this->assertSame(
            ['itemid' => 3, 'filepath' => '/Week 1/', 'filename' => '2026-11-20 10.00 - A.m3u8'],
            $deep->candidates()[0]
        );

        $noslash = pluginfile_url::parse("$www/pluginfile.php?file=%2F22%2Fmod_page%2Fcontent%2F1%2Flecture1.m3u8", $www);
        $this->assertSame(22, $noslash->contextid);
        $this->assertSame('lecture1.m3u8', $noslash->filename);

        $subdir = pluginfile_url::parse(
            'https://example.test/moodle/pluginfile.php/2/course/summary/x.m3u8',
            'https://example.test/moodle'
        );
        $this->assertSame('course', $subdir->component);

        foreach (
            [
            "$www/pluginfile.php/22/mod_page/content/1/lecture1.mp4",
            "$www/pluginfile.php/22/mod_page/lecture1.m3u8",
            "$www/pluginfile.php/0/mod_page/content/1/lecture1.m3u8",
            "$www/pluginfile.php/x/mod_page/content/1/lecture1.m3u8",
            "$www/pluginfile.php/22/Mod_Page/content/1/lecture1.m3u8",
            "$www/pluginfile.php/22/mod_page/content/../1/lecture1.m3u8",
            "$www/pluginfile.php/22/mod_page/content/1/%2e%2e/lecture1.m3u8",
            "$www/pluginfile.php/22/mod_page/content//lecture1.m3u8",
            "$www/pluginfile.phpx/22/mod_page/content/1/lecture1.m3u8",
            "$www/tokenpluginfile.php/abc/22/mod_page/content/1/lecture1.mp4",
            "$www/tokenpluginfile.php/22/mod_page/content/lecture1.m3u8",
            "$www/webservice/pluginfile.phpx/22/mod_page/content/1/lecture1.m3u8",
            "$www/webservice/tokenpluginfile.php/abc/22/mod_page/content/1/lecture1.m3u8",
            "https://evil.test/webservice/pluginfile.php/22/mod_page/content/1/lecture1.m3u8",
            "https://evil.test/pluginfile.php/22/mod_page/content/1/lecture1.m3u8",
            "$www/pluginfile.php?file=",
            ] as $url
        ) {
            $this->assertNull(pluginfile_url::parse($url, $www), $url);
        }
        $this->assertNull(pluginfile_url::parse("$www/pluginfile.php/22/mod_page/content/1/lecture1.m3u8", ''));
    }

    /**
     * Test: the Moodle App's spellings of a stored file (webservice/pluginfile.php with the app's token in the query,
     * tokenpluginfile.php with a files key in the path) are the same file as pluginfile.php, and their canonical
     * URL, which the grant, the embed records and the markup use, carries no token.
     */
    public function test_app_spellings_of_a_stored_file_are_the_same_file_without_the_token(): void {
        $www = 'https://moodle.example.test';
        $plain = "$www/pluginfile.php/22/mod_page/content/1/Lecture%201.m3u8";
        $secret = '0123456789abcdef0123456789abcdef';
        foreach (
            [
            "$www/webservice/pluginfile.php/22/mod_page/content/1/Lecture%201.m3u8",
            "$www/webservice/pluginfile.php/22/mod_page/content/1/Lecture%201.m3u8?token=$secret",
            "$www/webservice/pluginfile.php?file=%2F22%2Fmod_page%2Fcontent%2F1%2FLecture%201.m3u8&token=$secret",
            "$www/tokenpluginfile.php/$secret/22/mod_page/content/1/Lecture%201.m3u8",
            "$www/tokenpluginfile.php/$secret/22/mod_page/content/1/Lecture%201.m3u8?forcedownload=1",
            "$www/pluginfile.php/22/mod_page/content/1/Lecture%201.m3u8?token=$secret",
            ] as $url
        ) {
            $file = pluginfile_url::parse($url, $www);
            $this->assertNotNull($file, $url);
            $this->assertSame(
                [22, 'mod_page', 'content', ['1'], 'Lecture 1.m3u8'],
                [$file->contextid, $file->component, $file->filearea, $file->args, $file->filename],
                $url
            );
            $this->assertSame($plain, $file->canonical($www), $url);
            $policy = new url_policy($www, media_bases::from_setting("https://media.example.test/lectures/\n"));
            $this->assertSame($plain, $policy->canonical($url), $url);
            $this->assertSame($plain, $policy->markup_url($url), $url);
            $html = (new link_matcher($policy))->rewrite('<p><a href="' . htmlspecialchars($url) . '">Lecture 1</a></p>', 22);
            $this->assertStringContainsString('data-hlsgate-src="' . $plain . '"', $html, $url);
            $this->assertStringNotContainsString($secret, $html, $url);
            $this->assertStringNotContainsString('token', $html, $url);
        }
        // A Page's file as web services spell it at revision 0, and the browser's spelling of it.
        $this->assertSame(
            "$www/pluginfile.php/22/mod_page/content/0/a.m3u8",
            pluginfile_url::parse("$www/webservice/pluginfile.php/22/mod_page/content/a.m3u8", $www)->revision_zero_spelling($www)
        );
        $this->assertNull(pluginfile_url::parse($plain, $www)->revision_zero_spelling($www));
        $this->assertNull(pluginfile_url::parse("$www/pluginfile.php/22/mod_label/intro/a.m3u8", $www)->revision_zero_spelling($www));
        // A pasted media URL keeps its spelling.
        $policy = new url_policy($www, media_bases::from_setting("https://media.example.test/lectures/\n"));
        $media = 'https://media.example.test/lectures/AbCdEfGhIjKlMnOpQrSt12/master.m3u8';
        $this->assertSame($media, $policy->markup_url($media));
    }

    /**
     * Test: watermark templates.
     */
    public function test_watermark_templates(): void {
        $fields = ['fullname' => 'Zoë Ångström', 'email' => 'zoe@example.test', 'id' => 42, 'idnumber' => null];
        $this->assertSame('Zoë Ångström · zoe@example.test', watermark::render('{fullname} · {email}', $fields));
        $this->assertSame('42 {nosuch}', watermark::render("{id}  {idnumber}\n{nosuch}", $fields));
        $this->assertSame('', watermark::render('', $fields));
        $this->assertSame(200, mb_strlen(watermark::render(str_repeat('é', 300), $fields)));
        $this->assertSame('a b', watermark::render("a\x00\x1fb", $fields));
    }

    /**
     * Test: markup has only the url context title and size.
     */
    public function test_markup_has_only_the_url_context_title_and_size(): void {
        $html = markup::player('https://media.example.test/lectures/AbCdEfGhIjKlMnOpQrSt12/master.m3u8', 12, '', 640, 360);
        $this->assertSame('<span class="filter_hlsgate" data-hlsgate-src="https://media.example.test/lectures/'
            . 'AbCdEfGhIjKlMnOpQrSt12/master.m3u8" data-hlsgate-contextid="12" data-hlsgate-title=""'
            . ' data-hlsgate-width="640" data-hlsgate-height="360"><a class="filter_hlsgate_fallback nomediaplugin"'
            . ' href="https://media.example.test/lectures/AbCdEfGhIjKlMnOpQrSt12/master.m3u8">master.m3u8</a></span>', $html);
        $this->assertSame('a b.m3u8', markup::filename_of('https://x.test/p/a%20b.m3u8?x=/y#z'));
    }
}
