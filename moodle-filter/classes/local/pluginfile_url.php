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
 * A pluginfile.php URL of this site, taken apart so the stored file behind it can be found.
 *
 * Moodle writes `<wwwroot>/pluginfile.php/<contextid>/<component>/<filearea>/<args...>/<filename>`
 * (or `pluginfile.php?file=/...` without slash arguments). The same file has two more spellings
 * that the Moodle App meets: `webservice/pluginfile.php` (what web services rewrite a text's
 * files to; the app appends `?token=`) and `tokenpluginfile.php/<token>/...` (a user's files key
 * in the path). Both name the same stored file as the plain URL: {@see self::canonical()} drops
 * the token, and nothing here ever reads or trusts it. Whether the first argument is the
 * file's itemid depends on the component: mod_page puts its revision there while its files have
 * itemid 0, mod_label has no itemid at all. {@see self::candidates()} lists every reading.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class pluginfile_url {
    /** The scripts that serve a stored file, by path under wwwroot: whether a token comes first in the path. */
    private const SCRIPTS = ['/pluginfile.php' => false, '/webservice/pluginfile.php' => false, '/tokenpluginfile.php' => true];

    /** Areas besides 'intro' whose files every viewer of the module may read, by module name. */
    private const MODULE_AREAS = ['page' => ['content'], 'book' => ['chapter']];

    /**
     * Constructor; use {@see self::parse()}.
     *
     * @param int $contextid context of the file
     * @param string $component component, e.g. mod_page
     * @param string $filearea file area, e.g. content
     * @param string[] $args decoded path segments between the file area and the file name
     * @param string $filename decoded file name
     */
    private function __construct(
        /** @var int context of the file */
        public readonly int $contextid,
        /** @var string component, e.g. mod_page */
        public readonly string $component,
        /** @var string file area, e.g. content */
        public readonly string $filearea,
        /** @var string[] decoded segments between the file area and the file name */
        public readonly array $args,
        /** @var string decoded file name */
        public readonly string $filename,
    ) {
    }

    /**
     * Parses a URL; null when it is not a pluginfile.php URL of this site naming a .m3u8 file.
     *
     * @param string $url absolute URL
     * @param string $wwwroot the site's address, e.g. https://moodle.example.edu
     * @return self|null
     */
    public static function parse(string $url, string $wwwroot): ?self {
        if ($wwwroot === '') {
            return null;
        }
        $rest = null;
        $tokeninpath = false;
        foreach (self::SCRIPTS as $script => $hastoken) {
            $prefix = rtrim($wwwroot, '/') . $script;
            if (strncasecmp($url, $prefix, strlen($prefix)) === 0) {
                $rest = substr($url, strlen($prefix));
                $tokeninpath = $hastoken;
                break;
            }
        }
        if ($rest === null) {
            return null;
        }
        if (str_starts_with($rest, '?')) {
            parse_str(substr($rest, 1), $query);
            if (!isset($query['file']) || !is_string($query['file'])) {
                return null;
            }
            $path = $query['file'];
            $segments = explode('/', $path);
            $segments = array_map('strval', $segments);
        } else if (str_starts_with($rest, '/')) {
            $path = preg_replace('/[?#].*$/s', '', $rest);
            $segments = array_map('rawurldecode', explode('/', $path));
        } else {
            return null;
        }
        // The path starts with '/', so the first segment is empty.
        if (array_shift($segments) !== '') {
            return null;
        }
        // The token of tokenpluginfile.php is dropped unread: it proves nothing here.
        if ($tokeninpath && array_shift($segments) === null) {
            return null;
        }
        if (count($segments) < 4) {
            return null;
        }
        [$contextid, $component, $filearea] = array_splice($segments, 0, 3);
        $filename = array_pop($segments);
        if (
            !preg_match('/^[1-9][0-9]{0,17}$/', $contextid) || !preg_match('/^[a-z][a-z0-9_]*$/', $component)
                || !preg_match('/^[a-z0-9_]+$/', $filearea) || !preg_match('/\.m3u8$/i', $filename)
        ) {
            return null;
        }
        foreach ([...$segments, $filename] as $segment) {
            if ($segment === '' || $segment === '.' || $segment === '..' || preg_match('/[\x00-\x1f\\\\]/', $segment)) {
                return null;
            }
        }
        return new self((int) $contextid, $component, $filearea, $segments, $filename);
    }

    /**
     * The one spelling of this URL that the embed grant signs: slash arguments, every segment
     * percent-encoded as rawurlencode does, no query or fragment.
     *
     * @param string $wwwroot the site's address
     * @return string
     */
    public function canonical(string $wwwroot): string {
        $segments = [(string) $this->contextid, $this->component, $this->filearea, ...$this->args, $this->filename];
        return rtrim($wwwroot, '/') . '/pluginfile.php/' . implode('/', array_map('rawurlencode', $segments));
    }

    /**
     * The other spelling of this URL that names the same file and that a text may have been recorded
     * with: a Page's content files carry the page's revision, and web services drop a revision of 0
     * (core_external\util::format_text turns an empty itemid into none), so the Moodle App sees
     * `mod_page/content/x.m3u8` where the browser sees `mod_page/content/0/x.m3u8`.
     *
     * @param string $wwwroot the site's address
     * @return string|null the canonical URL with revision 0, or null when there is no such spelling
     */
    public function revision_zero_spelling(string $wwwroot): ?string {
        if ($this->component !== 'mod_page' || $this->filearea !== 'content' || $this->args !== []) {
            return null;
        }
        return (new self($this->contextid, $this->component, $this->filearea, ['0'], $this->filename))->canonical($wwwroot);
    }

    /**
     * Whether the file lies in an area that everyone who may enter the context may read, and that
     * holds the text the filter renders there: module descriptions and a page's content, a book's
     * chapters, a course's summary and section summaries, an HTML block's content. Never areas of
     * one user or one group (submissions, feedback, forum posts, private files).
     *
     * @param string $level 'course', 'module' or 'block': the level of the context the text is in
     * @param string $plugin the module's name (page, label, ...) or the block's (html, ...)
     * @return bool
     */
    public function is_shared_in(string $level, string $plugin): bool {
        return match ($level) {
            'course' => $this->component === 'course' && in_array($this->filearea, ['summary', 'section'], true),
            'module' => $plugin !== '' && $this->component === 'mod_' . $plugin
                && ($this->filearea === 'intro' || in_array($this->filearea, self::MODULE_AREAS[$plugin] ?? [], true)),
            'block' => $plugin === 'html' && $this->component === 'block_html' && $this->filearea === 'content',
            default => false,
        };
    }

    /**
     * Every (itemid, filepath, filename) the URL can stand for, most likely first.
     *
     * @return array<int, array{itemid: int, filepath: string, filename: string}>
     */
    public function candidates(): array {
        $path = static fn(array $segments): string => $segments ? '/' . implode('/', $segments) . '/' : '/';
        $readings = [];
        $first = $this->args[0] ?? null;
        $numericfirst = $first !== null && preg_match('/^[0-9]{1,18}$/', $first);
        if ($numericfirst) {
            // Most areas: the first argument is the itemid.
            $readings[] = ['itemid' => (int) $first, 'filepath' => $path(array_slice($this->args, 1))];
        }
        // Areas without an itemid (mod_label intro, course summary).
        $readings[] = ['itemid' => 0, 'filepath' => $path($this->args)];
        if ($numericfirst) {
            // Areas that put a revision in the URL but store itemid 0 (mod_page content).
            $readings[] = ['itemid' => 0, 'filepath' => $path(array_slice($this->args, 1))];
        }
        $unique = [];
        foreach ($readings as $reading) {
            $reading['filename'] = $this->filename;
            $unique[$reading['itemid'] . $reading['filepath']] = $reading;
        }
        return array_values($unique);
    }
}
