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
 * The allowed media base URLs, and the view-token resource (`res`) a URL under one of them gives.
 *
 * A resource is a base plus exactly one `<dir>` segment and a trailing slash (DESIGN.md), so a
 * token can never open more than one video.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class media_bases {
    /** A per-video directory: at least 128 random bits, base64url (common/contracts.ts DIR_PATTERN). */
    public const DIR_PATTERN = '/^[A-Za-z0-9_-]{16,128}$/';

    /** One path segment below `<dir>/`: plain names only, so no encoding tricks and no dot segments. */
    private const SEGMENT_PATTERN = '/^[A-Za-z0-9_~-][A-Za-z0-9._~-]*$/';

    /** @var string[] normalised bases, each ending with '/' */
    private array $bases;

    /** @var string[] one message per line of the setting that is not a usable base */
    private array $errors;

    /**
     * Constructor; use {@see self::from_setting()}.
     *
     * @param string[] $bases normalised bases
     * @param string[] $errors messages for rejected lines
     */
    private function __construct(array $bases, array $errors) {
        $this->bases = $bases;
        $this->errors = $errors;
    }

    /**
     * Reads the setting: one base URL per line; blank lines and lines starting with # are ignored.
     *
     * @param string $setting the text of the setting
     * @return self
     */
    public static function from_setting(string $setting): self {
        $bases = [];
        $errors = [];
        foreach (preg_split('/\R/', $setting) ?: [] as $line) {
            $line = trim($line);
            if ($line === '' || $line[0] === '#') {
                continue;
            }
            $base = self::normalise_base($line);
            if ($base === null) {
                $errors[] = $line;
            } else if (!in_array($base, $bases, true)) {
                $bases[] = $base;
            }
        }
        return new self($bases, $errors);
    }

    /**
     * The usable bases.
     *
     * @return string[]
     */
    public function bases(): array {
        return $this->bases;
    }

    /**
     * The lines of the setting that were refused (not http(s), no trailing slash, query, ...).
     *
     * @return string[]
     */
    public function errors(): array {
        return $this->errors;
    }

    /**
     * Normalises a base URL: scheme and host in lower case, path kept as is, must end with '/'.
     * Plain http is accepted only for localhost (the local stack), as the auth server does.
     *
     * @param string $url candidate base
     * @return string|null the normalised base, or null when it is not usable
     */
    public static function normalise_base(string $url): ?string {
        $parts = self::split_absolute($url);
        if ($parts === null || !str_ends_with($parts['path'], '/')) {
            return null;
        }
        if ($parts['scheme'] === 'http' && !preg_match('/^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/', $parts['authority'])) {
            return null;
        }
        return $parts['scheme'] . '://' . $parts['authority'] . $parts['path'];
    }

    /**
     * The one spelling of a playlist URL pasted into a text (scheme and host in lower case, no
     * default port), when it is `<base><dir>/<plain segments>.m3u8`; else null.
     *
     * @param string $url absolute URL
     * @return string|null
     */
    public function canonical_playlist_url(string $url): ?string {
        if ($this->resource_for_playlist_url($url) === null) {
            return null;
        }
        $parts = self::split_absolute($url);
        return $parts['scheme'] . '://' . $parts['authority'] . $parts['path'];
    }

    /**
     * The resource of a playlist URL pasted into a text: `<base><dir>/` when the URL is
     * `<base><dir>/<plain segments>.m3u8`, else null.
     *
     * @param string $url absolute URL
     * @return string|null
     */
    public function resource_for_playlist_url(string $url): ?string {
        if (!preg_match('/\.m3u8$/i', $url)) {
            return null;
        }
        return $this->resource_for_url($url);
    }

    /**
     * The resource of any URL under a base: `<base><dir>/` when the URL is
     * `<base><dir>/<plain segments>`, else null.
     *
     * Bases may nest (`https://m/` and `https://m/lectures/`): the longest base the URL lies under
     * is the one that counts, as on the auth server, so a folder of videos can never pass as the
     * `<dir>` of a shorter base; a resource that is itself a base or lies above one is refused.
     *
     * @param string $url absolute URL
     * @return string|null
     */
    public function resource_for_url(string $url): ?string {
        $parts = self::split_absolute($url);
        if ($parts === null) {
            return null;
        }
        $normalised = $parts['scheme'] . '://' . $parts['authority'] . $parts['path'];
        $base = $this->longest_base_of($normalised);
        if ($base === null) {
            return null;
        }
        $segments = explode('/', substr($normalised, strlen($base)));
        if (count($segments) < 2 || !preg_match(self::DIR_PATTERN, $segments[0])) {
            return null;
        }
        foreach (array_slice($segments, 1) as $segment) {
            if (!preg_match(self::SEGMENT_PATTERN, $segment)) {
                return null;
            }
        }
        $resource = $base . $segments[0] . '/';
        return $this->is_above_a_base($resource) ? null : $resource;
    }

    /**
     * Whether a view-token resource obeys the rule both sides apply (DESIGN.md, `res`): the longest
     * base it lies under, exactly one `<dir>` and a trailing slash, and no base at or below it.
     * The same rule as checkResource in server/token.ts; the shared token vectors test both.
     *
     * @param string $resource e.g. `https://media.example.edu/lectures/<dir>/`
     * @return bool
     */
    public function is_resource(string $resource): bool {
        if (!str_ends_with($resource, '/') || $this->is_above_a_base($resource)) {
            return false;
        }
        $base = $this->longest_base_of($resource);
        return $base !== null && preg_match(self::DIR_PATTERN, substr($resource, strlen($base), -1)) === 1;
    }

    /**
     * The longest configured base that a normalised URL starts with.
     *
     * @param string $url
     * @return string|null
     */
    private function longest_base_of(string $url): ?string {
        $longest = null;
        foreach ($this->bases as $base) {
            if (str_starts_with($url, $base) && ($longest === null || strlen($base) > strlen($longest))) {
                $longest = $base;
            }
        }
        return $longest;
    }

    /**
     * Whether some configured base lies at or below a resource, so that cookies for it would open
     * every video of that base.
     *
     * @param string $resource
     * @return bool
     */
    private function is_above_a_base(string $resource): bool {
        foreach ($this->bases as $base) {
            if (str_starts_with($base, $resource)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Splits an absolute http(s) URL without user info, query or fragment.
     *
     * @param string $url
     * @return array{scheme: string, authority: string, path: string}|null
     */
    private static function split_absolute(string $url): ?array {
        if (!preg_match('~^(https?)://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?(/[^?#\s\\\\]*)?$~i', $url, $m)) {
            return null;
        }
        $scheme = strtolower($m[1]);
        $port = $m[3] ?? '';
        if (($scheme === 'https' && $port === ':443') || ($scheme === 'http' && $port === ':80')) {
            // The browser's canonical form, which the auth server compares against.
            $port = '';
        }
        return [
            'scheme' => $scheme,
            'authority' => strtolower($m[2]) . $port,
            'path' => ($m[4] ?? '') === '' ? '/' : $m[4],
        ];
    }
}
