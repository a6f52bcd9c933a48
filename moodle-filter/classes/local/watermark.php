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
 * The watermark text the player draws over the video, from the site's template.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class watermark {
    /** Placeholders a template may use. */
    public const FIELDS = ['fullname', 'firstname', 'lastname', 'email', 'username', 'idnumber', 'id'];

    /** The token carries the text; keep it short. */
    public const MAX_LENGTH = 200;

    /**
     * Fills a template such as `{fullname} · {email}`. Unknown placeholders stay as written so an
     * administrator sees the mistake; control characters are removed.
     *
     * @param string $template the setting
     * @param array $fields values by placeholder name (array<string, string|int|null>)
     * @return string the text, '' when the template is empty
     */
    public static function render(string $template, array $fields): string {
        $text = preg_replace_callback('/\{([a-z]+)\}/', static function (array $m) use ($fields): string {
            if (!in_array($m[1], self::FIELDS, true)) {
                return $m[0];
            }
            return (string) ($fields[$m[1]] ?? '');
        }, $template) ?? '';
        return self::clean($text);
    }

    /**
     * A watermark text as the player may draw it: control characters and runs of white space
     * become one space, at most MAX_LENGTH characters.
     *
     * @param string $text
     * @return string
     */
    public static function clean(string $text): string {
        $text = preg_replace('/[\x00-\x1f\x7f]+/u', ' ', $text) ?? '';
        $text = trim(preg_replace('/\s+/u', ' ', $text) ?? '');
        if (preg_match('/^.{0,' . self::MAX_LENGTH . '}/us', $text, $m)) {
            $text = $m[0];
        }
        return $text;
    }
}
