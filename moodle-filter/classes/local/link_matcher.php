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

namespace filter_hlsgate\local;

/**
 * Finds the links and video tags that become players, and rewrites the text around them.
 *
 * A single pass over the tags that matter, like filter_mediaplugin: the rest of the text is copied
 * byte for byte, so malformed HTML elsewhere stays as it was. Nothing inside nolink, pre, code,
 * script, style, textarea, select or audio is touched, nor a link or video marked nomediaplugin.
 * An element that is never closed is left alone.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class link_matcher {
    /**
     * The tags that matter, and comments: elements whose content is skipped (opening and closing, for
     * nesting), links with .m3u8 in the tag, spans marked nolink, video tags. Ordinary links and spans
     * are not even matched, so a page full of them costs one regex scan. A tag ends at the first '<'
     * outside quotes and quantifiers are possessive, so broken markup (unclosed tags or quotes) costs
     * linear time, never a rescan to the end of the text for every '<'.
     * Groups: 1 '/' of a closing tag, 2 tag name, 3 attributes.
     */
    private const TAG_PATTERN = '~<!--.*?(?:-->|\z)|<(/?)(pre|code|nolink|script|style|textarea|select|head|audio'
        . '|a(?=[^<>]*\.m3u8)|span(?=[^<>]*nolink)|video)(?=[\s/>])((?:[^<>"\']++|"[^"]*+"|\'[^\']*+\')*+)>~is';

    /** The next link or video tag, opening or closing, after an opening link. */
    private const LINK_END_PATTERN = '~<(/?)(a|video)(?=[\s/>])(?:[^<>"\']++|"[^"]*+"|\'[^\']*+\')*+>~i';

    /** Elements whose content is never filtered, whatever their attributes. */
    private const SKIP_ELEMENTS = ['pre', 'code', 'nolink', 'script', 'style', 'textarea', 'select', 'head', 'audio'];

    /** Longest title kept, in characters. */
    private const MAX_TITLE = 200;

    /** Link text longer than this (bytes of HTML) is no title. */
    private const MAX_TITLE_SOURCE = 8192;

    /** @var url_policy which URLs become players */
    private url_policy $policy;

    /**
     * Constructor.
     *
     * @param url_policy $policy which URLs become players
     */
    public function __construct(url_policy $policy) {
        $this->policy = $policy;
    }

    /**
     * Every link or video tag that becomes a player.
     *
     * One forward walk from tag to tag that matters, jumping over skipped elements, links and videos,
     * and stopping after the last '.m3u8': memory stays constant whatever the size of the text.
     *
     * @param string $text HTML
     * @return array<int, array{offset: int, length: int, url: string, title: string, width: ?int, height: ?int}>
     */
    public function find(string $text): array {
        $last = strripos($text, '.m3u8');
        if ($last === false) {
            return [];
        }
        $found = [];
        $pos = 0;
        while ($pos <= $last && preg_match(self::TAG_PATTERN, $text, $tag, PREG_OFFSET_CAPTURE, $pos)) {
            $offset = $tag[0][1];
            if ($offset > $last) {
                break;
            }
            $pos = $offset + strlen($tag[0][0]);
            if (!isset($tag[2]) || $tag[1][0] === '/') {
                // A comment, or a closing tag without its opening one.
                continue;
            }
            $name = strtolower($tag[2][0]);
            $attributes = $tag[3][0];
            if (str_ends_with(rtrim($attributes), '/')) {
                continue;
            }
            if (
                in_array($name, self::SKIP_ELEMENTS, true)
                    || ($name === 'span' && preg_match('/\bnolink\b/i', self::attribute($attributes, 'class') ?? ''))
            ) {
                $pos = self::end_of_element($text, $name, $pos);
                continue;
            }
            if ($name === 'span') {
                continue;
            }
            $inner = $pos;
            if ($name === 'a') {
                // The link ends at the next </a>; another link or a video first means it never closes.
                if (
                    !preg_match(self::LINK_END_PATTERN, $text, $next, PREG_OFFSET_CAPTURE, $inner)
                        || $next[1][0] !== '/' || strtolower($next[2][0]) !== 'a'
                ) {
                    continue;
                }
                $innerend = $next[0][1];
                $end = $innerend + strlen($next[0][0]);
            } else {
                $innerend = stripos($text, '</video', $inner);
                $close = $innerend === false ? false : strpos($text, '>', $innerend);
                if ($close === false) {
                    // Never closed: everything after it stays as it is.
                    break;
                }
                $end = $close + 1;
            }
            $pos = $end;
            $match = $this->consider(
                $text,
                ['name' => $name, 'start' => $offset, 'attributes' => $attributes],
                $inner,
                $innerend,
                $end
            );
            if ($match !== null) {
                $found[] = $match;
            }
        }
        return $found;
    }

    /**
     * Where an element ends, counting nested elements of the same name; the end of the text when it
     * never does.
     *
     * @param string $text
     * @param string $name element name, lower case
     * @param int $offset just after the opening tag
     * @return int offset after the closing tag
     */
    private static function end_of_element(string $text, string $name, int $offset): int {
        $pattern = '~<(/?)' . $name . '(?=[\s/>])(?:[^<>"\']++|"[^"]*+"|\'[^\']*+\')*+>~i';
        $depth = 1;
        while (preg_match($pattern, $text, $m, PREG_OFFSET_CAPTURE, $offset)) {
            $offset = $m[0][1] + strlen($m[0][0]);
            if ($m[1][0] === '/') {
                if (--$depth === 0) {
                    return $offset;
                }
            } else if (!str_ends_with(rtrim($m[0][0], '> '), '/')) {
                $depth++;
            }
        }
        return strlen($text);
    }

    /**
     * The text with every match replaced by a player placeholder.
     *
     * @param string $text HTML
     * @param int $contextid the context the text is shown in
     * @param callable|null $grantfor (callable(string): ?string) given a match's URL, the embed grant to
     *     put in its placeholder, or null to leave that link or video to the other filters; without it
     *     every match becomes a placeholder without a grant
     * @return string
     */
    public function rewrite(string $text, int $contextid, ?callable $grantfor = null): string {
        $matches = $this->find($text);
        if (!$matches) {
            return $text;
        }
        $result = '';
        $copied = 0;
        foreach ($matches as $match) {
            $grant = $grantfor === null ? '' : $grantfor($match['url']);
            if ($grant === null) {
                continue;
            }
            $result .= substr($text, $copied, $match['offset'] - $copied)
                . markup::player($this->policy->markup_url($match['url']), $contextid, $match['title'], $match['width'], $match['height'], $grant);
            $copied = $match['offset'] + $match['length'];
        }
        return $result . substr($text, $copied);
    }

    /**
     * Decides about one complete link or video element.
     *
     * @param string $text the whole text
     * @param array $open the opening tag (array{name: string, start: int, attributes: string, inner: int})
     * @param int $innerstart offset of the element's content
     * @param int $innerend offset of its closing tag
     * @param int $end offset just after its closing tag
     * @return array{offset: int, length: int, url: string, title: string, width: ?int, height: ?int}|null
     */
    private function consider(string $text, array $open, int $innerstart, int $innerend, int $end): ?array {
        $attributes = $open['attributes'];
        if (stripos(self::attribute($attributes, 'class') ?? '', 'nomediaplugin') !== false) {
            return null;
        }
        $inner = substr($text, $innerstart, $innerend - $innerstart);
        $width = null;
        $height = null;
        if ($open['name'] === 'a') {
            $url = trim(self::attribute($attributes, 'href') ?? '');
            if ($url === '' || !$this->policy->accepts($url)) {
                return null;
            }
            $title = self::plain_text($inner);
            if (stripos($title, 'http') === 0 || $title === $url) {
                $title = '';
            }
        } else {
            if (stripos($attributes, '.m3u8') === false && stripos($inner, '.m3u8') === false) {
                return null;
            }
            $url = null;
            $sources = [self::attribute($attributes, 'src')];
            if (preg_match_all('~<source(?=[\s/>])((?:[^<>"\']++|"[^"]*+"|\'[^\']*+\')*+)>~i', $inner, $tags)) {
                foreach ($tags[1] as $sourceattributes) {
                    $sources[] = self::attribute($sourceattributes, 'src');
                }
            }
            foreach ($sources as $source) {
                if ($source !== null && $this->policy->accepts(trim($source))) {
                    $url = trim($source);
                    break;
                }
            }
            if ($url === null) {
                return null;
            }
            $title = self::plain_text(self::attribute($attributes, 'title') ?? '', false);
            $width = self::dimension(self::attribute($attributes, 'width'));
            $height = self::dimension(self::attribute($attributes, 'height'));
            if ($width === null || $height === null) {
                $width = $height = null;
            }
        }
        if ($title === '') {
            $title = self::title_from_url($url);
        }
        return [
            'offset' => $open['start'],
            'length' => $end - $open['start'],
            'url' => $url,
            'title' => $title,
            'width' => $width,
            'height' => $height,
        ];
    }

    /**
     * The decoded value of an attribute in a tag's attribute text; null when absent.
     *
     * @param string $attributes e.g. ' href="x" class=y'
     * @param string $name attribute name, lower case
     * @return string|null
     */
    public static function attribute(string $attributes, string $name): ?string {
        if (stripos($attributes, $name) === false) {
            return null;
        }
        preg_match_all('~([^\s"\'>/=]+)(?:\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|([^\s"\'>]+)))?~', $attributes, $pairs, PREG_SET_ORDER);
        foreach ($pairs as $pair) {
            if (strtolower($pair[1]) === $name) {
                $value = ($pair[2] ?? '') . ($pair[3] ?? '') . ($pair[4] ?? '');
                return html_entity_decode($value, ENT_QUOTES | ENT_HTML5, 'UTF-8');
            }
        }
        return null;
    }

    /**
     * Text of an HTML fragment: tags removed, entities decoded, white space collapsed, shortened.
     *
     * @param string $html
     * @param bool $striptags false for an attribute value, which holds no tags
     * @return string '' when it is not valid UTF-8
     */
    private static function plain_text(string $html, bool $striptags = true): string {
        if (strlen($html) > self::MAX_TITLE_SOURCE) {
            return '';
        }
        if ($striptags) {
            $html = strip_tags(preg_replace('~<(script|style)\b.*?</\1\s*>~is', '', $html) ?? '');
        }
        $text = html_entity_decode($html, ENT_QUOTES | ENT_HTML5, 'UTF-8');
        $text = preg_replace('/[\s\x{00A0}\x00-\x1f\x7f]+/u', ' ', $text);
        if ($text === null) {
            return '';
        }
        $text = trim($text);
        return preg_match('/^.{0,' . self::MAX_TITLE . '}/us', $text, $m) ? trim($m[0]) : '';
    }

    /**
     * A title from the playlist's file name: the repository copy is named `<date> - <title>.m3u8`;
     * the generic names of the media host (master, index) give none.
     *
     * @param string $url
     * @return string
     */
    private static function title_from_url(string $url): string {
        $name = preg_replace('/\.m3u8$/i', '', markup::filename_of($url)) ?? '';
        if (in_array(strtolower($name), ['master', 'index', 'playlist'], true)) {
            return '';
        }
        return self::plain_text($name, false);
    }

    /**
     * A width or height from a video tag, in CSS pixels.
     *
     * @param string|null $value
     * @return int|null null when absent or unreasonable
     */
    private static function dimension(?string $value): ?int {
        if ($value === null || !preg_match('/^\s*([1-9][0-9]{0,3})(?:px)?\s*$/i', $value, $m)) {
            return null;
        }
        return (int) $m[1];
    }
}
