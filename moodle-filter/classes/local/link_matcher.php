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
     * The tags that matter and comments. Possessive quantifiers: no backtracking on unclosed quotes.
     * Groups: 1 '/' of a closing tag, 2 tag name, 3 attributes.
     */
    private const TAG_PATTERN = '~<!--.*?(?:-->|\z)|<(/?)(a|video|audio|pre|code|nolink|script|style|textarea|select|span|head)'
        . '(?=[\s/>])((?:[^>"\']++|"[^"]*+"|\'[^\']*+\')*+)>~is';

    /** Elements whose content is never filtered, whatever their attributes. */
    private const SKIP_ELEMENTS = ['pre', 'code', 'nolink', 'script', 'style', 'textarea', 'select', 'head', 'audio'];

    /** Longest title kept, in characters. */
    private const MAX_TITLE = 200;

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
     * @param string $text HTML
     * @return array<int, array{offset: int, length: int, url: string, title: string, width: ?int, height: ?int}>
     */
    public function find(string $text): array {
        if (stripos($text, '.m3u8') === false
                || !preg_match_all(self::TAG_PATTERN, $text, $tags, PREG_SET_ORDER | PREG_OFFSET_CAPTURE)) {
            return [];
        }
        $found = [];
        $skip = null;
        $skipdepth = 0;
        $open = null;
        foreach ($tags as $tag) {
            if (!isset($tag[2])) {
                continue;
            }
            $closing = $tag[1][0] === '/';
            $name = strtolower($tag[2][0]);
            $offset = $tag[0][1];
            if ($skip !== null) {
                if ($name === $skip) {
                    $skipdepth += $closing ? -1 : 1;
                    if ($skipdepth === 0) {
                        $skip = null;
                    }
                }
                continue;
            }
            if ($open !== null) {
                if ($closing && $name === $open['name']) {
                    $end = $offset + strlen($tag[0][0]);
                    $match = $this->consider($text, $open, $open['inner'], $offset, $end);
                    if ($match !== null) {
                        $found[] = $match;
                    }
                    $open = null;
                    continue;
                }
                if ($open['name'] === 'video' || $closing || ($name !== 'a' && $name !== 'video')) {
                    // Inside a video everything is its fallback; inside a link, other tags are its text.
                    continue;
                }
                // A link or video opening inside a link that was never closed: drop the first one.
                $open = null;
            }
            if ($closing) {
                continue;
            }
            $attributes = $tag[3][0];
            if (in_array($name, self::SKIP_ELEMENTS, true)
                    || ($name === 'span' && preg_match('/\bnolink\b/i', self::attribute($attributes, 'class') ?? ''))) {
                if (!str_ends_with(rtrim($attributes), '/')) {
                    $skip = $name;
                    $skipdepth = 1;
                }
                continue;
            }
            if ($name === 'span' || str_ends_with(rtrim($attributes), '/')) {
                continue;
            }
            if ($name === 'a' && stripos($attributes, '.m3u8') === false) {
                continue;
            }
            $open = ['name' => $name, 'start' => $offset, 'attributes' => $attributes, 'inner' => $offset + strlen($tag[0][0])];
        }
        return $found;
    }

    /**
     * The text with every match replaced by a player placeholder.
     *
     * @param string $text HTML
     * @param int $contextid the context the text is shown in
     * @return string
     */
    public function rewrite(string $text, int $contextid): string {
        $matches = $this->find($text);
        if (!$matches) {
            return $text;
        }
        $result = '';
        $copied = 0;
        foreach ($matches as $match) {
            $result .= substr($text, $copied, $match['offset'] - $copied)
                . markup::player($match['url'], $contextid, $match['title'], $match['width'], $match['height']);
            $copied = $match['offset'] + $match['length'];
        }
        return $result . substr($text, $copied);
    }

    /**
     * Decides about one complete link or video element.
     *
     * @param string $text the whole text
     * @param array{name: string, start: int, attributes: string, inner: int} $open the opening tag
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
            if (preg_match_all('~<source(?=[\s/>])((?:[^>"\']++|"[^"]*+"|\'[^\']*+\')*+)>~i', $inner, $tags)) {
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
