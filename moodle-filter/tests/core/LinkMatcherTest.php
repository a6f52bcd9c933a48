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
use filter_hlsgate\local\media_bases;
use filter_hlsgate\local\url_policy;
use PHPUnit\Framework\TestCase;

#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\local\link_matcher::class)]
/**
 * Link matching on real Moodle 4.5 editor output (tests/fixtures/editor-html, copied from the shared
 * fixtures) and on hand-made plain, hostile and malformed HTML.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class LinkMatcherTest extends TestCase {
    use each_case;

    /** The site of the fixtures. */
    private const WWWROOT = 'https://moodle.example.test';

    /** The pasted absolute URL of the fixtures. */
    private const MEDIA_URL = 'https://media.example.test/lectures/AbCdEfGhIjKlMnOpQrSt12/master.m3u8';

    /**
     * Where the fixtures live.
     */
    private static function fixtures(): string {
        return dirname(__DIR__) . '/fixtures/editor-html';
    }

    /**
     * The link matcher of the site with one allowed media base.
     *
     * @return link_matcher
     */
    private static function matcher(): link_matcher {
        return new link_matcher(new url_policy(self::WWWROOT, media_bases::from_setting("https://media.example.test/lectures/\n")));
    }

    /**
     * The cases of the fixture corpus, with what the player must get.
     *
     * @return array<string, array{string, string, string}>
     */
    public static function editor_cases(): array {
        $cases = [];
        foreach (glob(self::fixtures() . '/*.meta.json') as $metafile) {
            $meta = json_decode(file_get_contents($metafile), true, 16, JSON_THROW_ON_ERROR);
            $name = $meta['name'];
            $url = $meta['pluginfile_urls'][0] ?? self::MEDIA_URL;
            $title = match (true) {
                str_ends_with($name, '-c') => 'lecture1',
                str_ends_with($name, '-d'), str_ends_with($name, '-e2') => '',
                default => 'Lecture 1',
            };
            $cases[$name] = [$name, $url, $title];
        }
        ksort($cases);
        return $cases;
    }

    /**
     * What the Multimedia plugins filter would still turn into its own player: a link to a .m3u8
     * without the class nomediaplugin, or a video/audio tag without it (its rules in Moodle 4.5).
     *
     * @param string $html
     * @return string[]
     */
    private static function left_for_mediaplugin(string $html): array {
        $left = [];
        preg_match_all('~<a\s[^>]*href="[^"]*\.m3u8[^"]*"[^>]*>~i', $html, $links);
        preg_match_all('~<(?:video|audio)\b[^>]*>~i', $html, $media);
        foreach ([...$links[0], ...$media[0]] as $tag) {
            if (!preg_match('/class="[^"]*nomediaplugin/i', $tag)) {
                $left[] = $tag;
            }
        }
        return $left;
    }

    /**
     * In the site's filter order (just above mediaplugin, after urltolink) every case becomes one player.
     *
     * Every case of editor_cases(), each run as a data provider's would be (each_case).
     */
    public function test_editor_output_in_the_sites_filter_position(): void {
        $this->each_case(self::editor_cases(), $this->check_editor_output_in_the_sites_filter_position(...));
    }

    /**
     * One case of test_editor_output_in_the_sites_filter_position().
     *
     * @param string $name the fixture's name
     * @param string $url the playlist URL the editor wrote
     * @param string $title the title the player gets
     */
    private function check_editor_output_in_the_sites_filter_position(string $name, string $url, string $title): void {
        $input = file_get_contents(self::fixtures() . "/$name.rendered-without-mediaplugin.html");
        $output = self::matcher()->rewrite($input, 99);

        $this->assertSame(1, substr_count($output, '<span class="filter_hlsgate"'), $output);
        $this->assertStringContainsString(
            '<span class="filter_hlsgate" data-hlsgate-src="' . $url . '" data-hlsgate-contextid="99" data-hlsgate-title="'
                . htmlspecialchars($title, ENT_QUOTES) . '">',
            $output
        );
        $this->assertSame([], self::left_for_mediaplugin($output), 'mediaplugin would embed it again');
        $this->assertStringNotContainsString('<video', $output);
        // The text around the link is kept as it was.
        $this->assertStringContainsString("This week's recording:", $output);
        $this->assertStringStartsWith(substr($input, 0, strpos($input, 'recording:')), $output);
        if (str_contains($input, 'End of notes.')) {
            $plain = str_replace(' dir="ltr" style="text-align: left;"', '', $output);
            $this->assertStringEndsWith('<p>End of notes.</p></div>', $plain);
        }
        foreach (["\u{00A0}", '&nbsp;'] as $space) {
            $this->assertSame(substr_count($input, $space), substr_count($output, $space), "'$space' kept");
        }
        // Running the filter again changes nothing.
        $this->assertSame($output, self::matcher()->rewrite($output, 99));
    }

    /**
     * Placed first (before urltolink), it converts everything but a URL typed as plain text.
     *
     * Every case of editor_cases(), each run as a data provider's would be (each_case).
     */
    public function test_editor_output_before_any_other_filter(): void {
        $this->each_case(self::editor_cases(), $this->check_editor_output_before_any_other_filter(...));
    }

    /**
     * One case of test_editor_output_before_any_other_filter().
     *
     * @param string $name the fixture's name
     * @param string $url the playlist URL the editor wrote
     * @param string $title the title the player gets
     */
    private function check_editor_output_before_any_other_filter(string $name, string $url, string $title): void {
        $input = file_get_contents(self::fixtures() . "/$name.prefilter.html");
        $output = self::matcher()->rewrite($input, 7);
        if (str_ends_with($name, '-e2')) {
            $this->assertSame($input, $output);
            return;
        }
        $this->assertSame(1, substr_count($output, 'class="filter_hlsgate"'));
        $this->assertStringContainsString('data-hlsgate-src="' . $url . '"', $output);
        $this->assertSame([], self::left_for_mediaplugin($output));
    }

    /**
     * The fixtures themselves show that mediaplugin takes these links when hlsgate is absent.
     */
    public function test_mediaplugin_detector_sees_the_unfiltered_links(): void {
        foreach (array_keys(self::editor_cases()) as $name) {
            $input = file_get_contents(self::fixtures() . "/$name.rendered-without-mediaplugin.html");
            $this->assertNotSame([], self::left_for_mediaplugin($input), $name);
        }
    }

    /**
     * Test: text without m3u8 is returned as is.
     */
    public function test_text_without_m3u8_is_returned_as_is(): void {
        $text = '<p><a href="https://example.test/a.mp4">video</a> <video><source src="x.webm"></video></p>';
        $this->assertSame($text, self::matcher()->rewrite($text, 1));
        $this->assertSame([], self::matcher()->find($text));
        $this->assertSame('', self::matcher()->rewrite('', 1));
    }

    /**
     * Test: plain links and links with attributes.
     */
    public function test_plain_links_and_links_with_attributes(): void {
        $url = self::WWWROOT . '/pluginfile.php/5/mod_page/content/3/2026-11-20%2010.00%20-%20Week%201.m3u8';
        $texts = [
            "<a href=\"$url\">Week one</a>" => 'Week one',
            "<A HREF='$url' TARGET=_blank class=\"btn\" title=\"x\">  Week\n one </A>" => 'Week one',
            "<a class=\"_blanktarget\" href=$url>$url</a>" => '2026-11-20 10.00 - Week 1',
            "<a href=\"$url\"></a>" => '2026-11-20 10.00 - Week 1',
            "<a href=\"$url\"><strong>Week</strong> <em>one</em> &amp; two</a>" => 'Week one & two',
            '<a href="' . str_replace('/', '&#47;', $url) . '">Encoded</a>' => 'Encoded',
        ];
        foreach ($texts as $text => $title) {
            $found = self::matcher()->find("<p>before $text after</p>");
            $this->assertCount(1, $found, $text);
            $this->assertSame($url, $found[0]['url'], $text);
            $this->assertSame($title, $found[0]['title'], $text);
        }
    }

    /**
     * Test: pasted links under an allowed base only.
     */
    public function test_pasted_links_under_an_allowed_base_only(): void {
        $accepted = [
            self::MEDIA_URL,
            'https://MEDIA.example.test/lectures/AbCdEfGhIjKlMnOpQrSt12/720p/index.m3u8',
            'https://media.example.test:443/lectures/AbCdEfGhIjKlMnOpQrSt12/master.m3u8',
        ];
        $refused = [
            'https://media.example.test/lectures/short/master.m3u8',
            'https://media.example.test/lectures/master.m3u8',
            'https://media.example.test/other/AbCdEfGhIjKlMnOpQrSt12/master.m3u8',
            'https://media.example.test.evil.test/lectures/AbCdEfGhIjKlMnOpQrSt12/master.m3u8',
            'https://media.example.test@evil.test/lectures/AbCdEfGhIjKlMnOpQrSt12/master.m3u8',
            'http://media.example.test/lectures/AbCdEfGhIjKlMnOpQrSt12/master.m3u8',
            'https://media.example.test/lectures/AbCdEfGhIjKlMnOpQrSt12/../ZyXwVuTsRqPoNmLkJiHg98/master.m3u8',
            'https://media.example.test/lectures/AbCdEfGhIjKlMnOpQrSt12/%2e%2e/master.m3u8',
            'https://media.example.test/lectures/AbCdEfGhIjKlMnOpQrSt12/master.m3u8?x=1',
            'https://media.example.test/lectures/AbCdEfGhIjKlMnOpQrSt12/master.m3u8#t=1',
            'https://cdn.other.test/x/master.m3u8',
            'javascript:alert(1)//media.example.test/lectures/AbCdEfGhIjKlMnOpQrSt12/master.m3u8',
            '//media.example.test/lectures/AbCdEfGhIjKlMnOpQrSt12/master.m3u8',
            self::WWWROOT . '/mod/page/view.php?id=3&x=.m3u8',
            self::WWWROOT . '/draftfile.php/12/user/draft/666558186/lecture1.m3u8',
            'https://other-moodle.test/pluginfile.php/22/mod_page/content/1/lecture1.m3u8',
            self::WWWROOT . '/pluginfile.php/22/mod_page/content/1/../../x/lecture1.m3u8',
        ];
        foreach ($accepted as $url) {
            $this->assertCount(1, self::matcher()->find("<a href=\"$url\">L</a>"), $url);
        }
        foreach ($refused as $url) {
            $text = '<a href="' . htmlspecialchars($url) . '">L</a>';
            $this->assertSame($text, self::matcher()->rewrite($text, 1), $url);
        }
    }

    /**
     * Test: video tags with sources.
     */
    public function test_video_tags_with_sources(): void {
        $pluginfile = self::WWWROOT . '/pluginfile.php/9/course/summary/talk.m3u8';
        $text = '<p>x</p><video controls width="800" height="450" title="The talk" poster="p.jpg">'
            . '<source src="https://example.test/talk.mp4" type="video/mp4">'
            . "<source src=\"$pluginfile\" type=\"application/x-mpegURL\">"
            . "<a href=\"$pluginfile\">$pluginfile</a></video><p>y</p>";
        $found = self::matcher()->find($text);
        $this->assertCount(1, $found);
        $this->assertSame($pluginfile, $found[0]['url']);
        $this->assertSame('The talk', $found[0]['title']);
        $this->assertSame([800, 450], [$found[0]['width'], $found[0]['height']]);
        $output = self::matcher()->rewrite($text, 3);
        $this->assertStringStartsWith('<p>x</p><span class="filter_hlsgate"', $output);
        $this->assertStringEndsWith('</span><p>y</p>', $output);
        $this->assertStringContainsString('data-hlsgate-width="800" data-hlsgate-height="450"', $output);

        $src = '<video src="' . self::MEDIA_URL . '" width="100%"></video>';
        $found = self::matcher()->find($src);
        $this->assertCount(1, $found);
        $this->assertNull($found[0]['width']);

        $foreign = '<video controls><source src="https://cdn.other.test/x/master.m3u8"></video>';
        $this->assertSame($foreign, self::matcher()->rewrite($foreign, 1));
        $audio = '<audio controls><source src="' . self::MEDIA_URL . '"><a href="' . self::MEDIA_URL . '">x</a></audio>';
        $this->assertSame($audio, self::matcher()->rewrite($audio, 1));
    }

    /**
     * Test: links inside code pre nolink and nomediaplugin are left alone.
     */
    public function test_links_inside_code_pre_nolink_and_nomediaplugin_are_left_alone(): void {
        $link = '<a href="' . self::MEDIA_URL . '">Lecture</a>';
        $kept = [
            "<code>$link</code>",
            "<pre class=\"x\">text $link <b>more</b></pre>",
            "<pre><pre>$link</pre>$link</pre>",
            "<nolink>$link</nolink>",
            "<span class=\"nolink\"><span>a</span>$link<span>$link</span></span>",
            "<span class='x NOLINK'>$link</span>",
            '<a class="nomediaplugin" href="' . self::MEDIA_URL . '">Plain</a>',
            '<video class="x nomediaplugin"><source src="' . self::MEDIA_URL . '"></video>',
            "<textarea>$link</textarea>",
            "<script>var s = '$link';</script>",
            "<!-- $link -->",
        ];
        foreach ($kept as $text) {
            $this->assertSame($text, self::matcher()->rewrite($text, 1), $text);
            // ...and a link after the protected region still becomes a player.
            $this->assertCount(1, self::matcher()->find("$text<p>$link</p>"), $text);
        }
        $this->assertCount(1, self::matcher()->find("<span class=\"x\">$link</span>"));
        // Markup inside a comment does not start a skipped region; a self-closed one neither.
        $this->assertCount(1, self::matcher()->find("<!-- <pre> --><p>$link</p>"));
        $this->assertCount(1, self::matcher()->find("<code/><p>$link</p>"));
        $this->assertCount(1, self::matcher()->find("<span title=\"nolink\">$link</span>"));
    }

    /**
     * Test: several players per page in order.
     */
    public function test_several_players_per_page_in_order(): void {
        $urls = [];
        $text = '';
        for ($i = 1; $i <= 5; $i++) {
            $urls[] = $url = self::WWWROOT . "/pluginfile.php/$i/mod_label/intro/week$i.m3u8";
            $text .= "<p>Week $i: <a href=\"$url\">Lecture $i</a></p>\n";
        }
        $found = self::matcher()->find($text);
        $this->assertSame($urls, array_column($found, 'url'));
        $this->assertSame(['Lecture 1', 'Lecture 2', 'Lecture 3', 'Lecture 4', 'Lecture 5'], array_column($found, 'title'));
        $output = self::matcher()->rewrite($text, 4);
        $this->assertSame(5, substr_count($output, 'class="filter_hlsgate"'));
        $this->assertStringNotContainsString(' id=', $output, 'no ids: the same text gives the same markup');
        $this->assertSame(5, substr_count($output, "</p>\n"));
    }

    /**
     * Test: hostile titles are escaped and inert.
     */
    public function test_hostile_titles_are_escaped_and_inert(): void {
        $url = self::MEDIA_URL;
        $text = "<a href=\"$url\"><img src=x onerror=alert(1)>&lt;script&gt;alert(2)&lt;/script&gt;\" onmouseover=\"x</a>"
            . "<video title='\"&gt;&lt;img src=x onerror=alert(3)&gt;'><source src=\"$url\"></video>"
            . "<a href=\"$url\"><script>alert(4)</script>Safe</a>";
        $output = self::matcher()->rewrite($text, 1);
        $this->assertSame(3, substr_count($output, 'class="filter_hlsgate"'));
        $this->assertDoesNotMatchRegularExpression('/<(img|script)\b/i', $output);
        // Parsed as a browser would: only our elements and attributes, the hostile text as plain values.
        $dom = new \DOMDocument();
        $this->assertTrue($dom->loadHTML('<?xml encoding="UTF-8"><body>' . $output . '</body>', LIBXML_NOERROR));
        $elements = [];
        foreach ($dom->getElementsByTagName('body')->item(0)->getElementsByTagName('*') as $element) {
            $elements[] = $element->tagName;
            foreach ($element->attributes as $attribute) {
                $this->assertContains(
                    $attribute->name,
                    ['class', 'data-hlsgate-src', 'data-hlsgate-contextid', 'data-hlsgate-title', 'href']
                );
            }
        }
        $this->assertSame(['span', 'a', 'span', 'a', 'span', 'a'], $elements);
        $titles = [];
        foreach ($dom->getElementsByTagName('span') as $span) {
            $titles[] = $span->getAttribute('data-hlsgate-title');
        }
        $this->assertSame(['<script>alert(2)</script>" onmouseover="x', '"><img src=x onerror=alert(3)>', 'Safe'], $titles);
    }

    /**
     * Test: hostile urls are not turned into players.
     */
    public function test_hostile_urls_are_not_turned_into_players(): void {
        $texts = [
            '<a href="javascript:alert(1)//x.m3u8">x</a>',
            '<a href="' . self::MEDIA_URL . '&quot; onclick=&quot;alert(1)">x</a>',
            '<a href="' . self::MEDIA_URL . '"onclick="alert(1)">x</a>',
            '<a href="data:text/html,<script>alert(1)</script>.m3u8">x</a>',
            "<a href=\"https://media.example.test/lectures/AbCdEfGhIjKlMnOpQrSt12/ma\nster.m3u8\">x</a>",
        ];
        foreach ($texts as $text) {
            $found = self::matcher()->find($text);
            foreach ($found as $match) {
                // The one accepted form is the plain URL itself, never with the injected part.
                $this->assertSame(self::MEDIA_URL, $match['url'], $text);
            }
            $output = self::matcher()->rewrite($text, 1);
            $this->assertDoesNotMatchRegularExpression('/<span[^>]*\sonclick=/i', $output, $text);
        }
        $this->assertSame([], self::matcher()->find($texts[0]));
        $this->assertSame([], self::matcher()->find($texts[1]));
    }

    /**
     * Test: malformed html never warns and keeps the text.
     */
    public function test_malformed_html_never_warns_and_keeps_the_text(): void {
        $link = '<a href="' . self::MEDIA_URL . '">Lecture</a>';
        $unchanged = [
            '<a href="' . self::MEDIA_URL . '">never closed',
            '<a href="' . self::MEDIA_URL . '"',
            '<a href="' . self::MEDIA_URL,
            '<video><source src="' . self::MEDIA_URL . '">',
            "<pre>$link",
            "<code><code>$link</code>",
            "<!-- $link",
            '<a href="' . self::MEDIA_URL . '>Lecture</a>',
            "</a></video></pre>\x00\xff\xfe .m3u8 <<<>>>",
            str_repeat('<a href="x.m3u8" ', 2000),
            // Broken markup that a tag scanner could rescan to the end for every '<' (quadratic time).
            str_repeat('<a ', 100000) . 'x.m3u8',
            str_repeat('<a href="', 100000) . 'x.m3u8',
            str_repeat('<span class="nolink" ', 100000) . 'x.m3u8',
            str_repeat('<pre>', 20000) . $link,
            str_repeat('<video>', 100000) . $link,
        ];
        foreach ($unchanged as $text) {
            $this->assertSame($text, self::matcher()->rewrite($text, 1), substr($text, 0, 80));
        }
        // An unclosed link followed by a good one: the good one still converts, the first is kept.
        $text = '<a href="' . self::MEDIA_URL . '">open <p>' . $link;
        $output = self::matcher()->rewrite($text, 1);
        $this->assertSame(1, substr_count($output, 'class="filter_hlsgate"'));
        $this->assertStringStartsWith('<a href="' . self::MEDIA_URL . '">open <p>', $output);
        // Stray closing tags and invalid UTF-8 in the link text.
        $text = "</pre></code></span>$link<a href=\"" . self::MEDIA_URL . "\">\xC3\x28bad</a>";
        $found = self::matcher()->find($text);
        $this->assertCount(2, $found);
        $this->assertSame('Lecture', $found[0]['title']);
        $this->assertSame('', $found[1]['title']);
    }

    /**
     * Test: attribute reader.
     */
    public function test_attribute_reader(): void {
        $this->assertSame('a b', link_matcher::attribute(' class="a b" href=x', 'class'));
        $this->assertSame('x', link_matcher::attribute(' class="a b" href=x', 'href'));
        $this->assertSame("it's", link_matcher::attribute(" title='it&#39;s'", 'title'));
        $this->assertSame('', link_matcher::attribute(' controls hidden', 'hidden'));
        $this->assertNull(link_matcher::attribute(' data-href="y"', 'href'));
        $this->assertNull(link_matcher::attribute(' class="x"', 'href'));
    }
}
