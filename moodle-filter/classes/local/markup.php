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
 * The player placeholder the filter writes in place of a link or a video tag.
 *
 * Moodle may cache filtered text and show it to anyone, so the markup holds no per-user data:
 * only the playlist URL, the context id, the embed grant (which depends on nothing else), the title
 * and display options. The AMD module
 * filter_hlsgate/player finds it by its class and asks the web service for a token on play.
 * The fallback link carries the class nomediaplugin, so the Multimedia plugins filter (and this
 * filter, run again) leaves it alone; the wrapper is a span so it may sit inside a paragraph.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class markup {
    /** Class of the placeholder; the AMD module looks for it. */
    public const CSS_CLASS = 'filter_hlsgate';

    /**
     * The placeholder of one player.
     *
     * @param string $url playlist URL (pluginfile.php or media host)
     * @param int $contextid context of the text the link was in
     * @param string $title the player's title; may be empty
     * @param int|null $width width in CSS pixels from the editor's video tag
     * @param int|null $height height in CSS pixels from the editor's video tag
     * @param string $grant the embed grant of the URL in that context ({@see embed_grant}); '' for none
     * @return string HTML
     */
    public static function player(
        string $url,
        int $contextid,
        string $title,
        ?int $width = null,
        ?int $height = null,
        string $grant = ''
    ): string {
        $attributes = [
            'class' => self::CSS_CLASS,
            'data-hlsgate-src' => $url,
            'data-hlsgate-contextid' => (string) $contextid,
        ];
        if ($grant !== '') {
            $attributes['data-hlsgate-grant'] = $grant;
        }
        $attributes['data-hlsgate-title'] = $title;
        if ($width !== null && $height !== null) {
            $attributes['data-hlsgate-width'] = (string) $width;
            $attributes['data-hlsgate-height'] = (string) $height;
        }
        $html = '<span';
        foreach ($attributes as $name => $value) {
            $html .= ' ' . $name . '="' . self::escape($value) . '"';
        }
        $linktext = $title !== '' ? $title : self::filename_of($url);
        return $html . '><a class="' . self::CSS_CLASS . '_fallback nomediaplugin" href="' . self::escape($url) . '">'
            . self::escape($linktext) . '</a></span>';
    }

    /**
     * The last path segment of a URL, decoded.
     *
     * @param string $url
     * @return string
     */
    public static function filename_of(string $url): string {
        $path = preg_replace('/[?#].*$/s', '', $url);
        $slash = strrpos($path, '/');
        return rawurldecode($slash === false ? $path : substr($path, $slash + 1));
    }

    /**
     * Escapes text for an HTML attribute or element.
     *
     * @param string $text
     * @return string
     */
    public static function escape(string $text): string {
        return htmlspecialchars($text, ENT_QUOTES | ENT_SUBSTITUTE | ENT_HTML5, 'UTF-8');
    }
}
