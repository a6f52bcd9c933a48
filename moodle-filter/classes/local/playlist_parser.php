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
 * Reads an HLS playlist just enough to find which video it opens.
 *
 * The repository copy of a master playlist (written by ingest) names its variants with absolute
 * URIs `<media base><dir>/<rendition>/index.m3u8`; the view token's resource is `<media base><dir>/`.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class playlist_parser {
    /** Larger files are not the small master playlists ingest writes. */
    public const MAX_BYTES = 1048576;

    /** Tags whose URI attribute names another playlist of the same video. */
    private const URI_TAGS = ['#EXT-X-MEDIA:', '#EXT-X-I-FRAME-STREAM-INF:'];

    /**
     * Parses a playlist.
     *
     * @param string $content the bytes of the file
     * @return array{kind: string, uris: string[]} kind 'master' or 'media'; every URI it names, in order
     * @throws playback_error when it is not an HLS playlist
     */
    public static function parse(string $content): array {
        if (strlen($content) > self::MAX_BYTES) {
            throw new playback_error('error:notaplaylist', 'The file is too large to be an HLS playlist.');
        }
        if (str_starts_with($content, "\xEF\xBB\xBF")) {
            $content = substr($content, 3);
        }
        $lines = preg_split('/\r\n|\r|\n/', $content) ?: [];
        while ($lines && trim($lines[0]) === '') {
            array_shift($lines);
        }
        if (!$lines || rtrim($lines[0]) !== '#EXTM3U') {
            throw new playback_error('error:notaplaylist', 'The file does not start with #EXTM3U.');
        }
        $uris = [];
        $variants = 0;
        $segments = 0;
        foreach ($lines as $line) {
            $line = trim($line);
            if ($line === '') {
                continue;
            }
            if ($line[0] !== '#') {
                $uris[] = $line;
                continue;
            }
            if (str_starts_with($line, '#EXT-X-STREAM-INF:')) {
                $variants++;
            } else if (str_starts_with($line, '#EXTINF:')) {
                $segments++;
            }
            foreach (self::URI_TAGS as $tag) {
                if (str_starts_with($line, $tag) && preg_match('/(?:^|[:,])URI="([^"]*)"/', $line, $m)) {
                    $uris[] = $m[1];
                }
            }
        }
        if ($variants === 0 && $segments === 0) {
            throw new playback_error('error:notaplaylist', 'The playlist names no variant and no segment.');
        }
        return ['kind' => $variants > 0 ? 'master' : 'media', 'uris' => $uris];
    }

    /**
     * The view-token resource of a playlist file: every URI in it must lie under the same
     * `<media base><dir>/`.
     *
     * @param string $content the bytes of the file
     * @param media_bases $bases the allowed media base URLs
     * @return string the resource, e.g. `https://media.example.edu/lectures/<dir>/`
     * @throws playback_error when it is not HLS, names relative or foreign URIs, or several videos
     */
    public static function resource_of(string $content, media_bases $bases): string {
        $playlist = self::parse($content);
        $resource = null;
        foreach ($playlist['uris'] as $uri) {
            if (!preg_match('~^[a-z][a-z0-9+.-]*:~i', $uri)) {
                throw new playback_error(
                    'error:relativeuris',
                    "The playlist names '$uri' relatively; only the repository copy with absolute URIs can be played."
                );
            }
            $uriresource = $bases->resource_for_url($uri);
            if ($uriresource === null) {
                throw new playback_error('error:notallowed', "'$uri' is not under an allowed media base URL.", $uri);
            }
            if ($resource !== null && $resource !== $uriresource) {
                throw new playback_error('error:severalvideos', 'The playlist names files of more than one video.');
            }
            $resource = $uriresource;
        }
        if ($resource === null) {
            throw new playback_error('error:notaplaylist', 'The playlist names no URI.');
        }
        return $resource;
    }

    /**
     * The duration of a media playlist: the sum of its #EXTINF durations.
     *
     * @param string $content the bytes of a media playlist
     * @return float seconds, 0 when it names no segment
     * @throws playback_error when it is not an HLS playlist
     */
    public static function media_duration(string $content): float {
        self::parse($content);
        $total = 0.0;
        if (preg_match_all('/^#EXTINF:\s*([0-9]+(?:\.[0-9]+)?)/m', $content, $m)) {
            foreach ($m[1] as $seconds) {
                $total += (float) $seconds;
            }
        }
        return $total;
    }

    /**
     * The first variant of a master playlist, resolved against the master's URL (the media host's
     * master names them relatively, the repository copy absolutely).
     *
     * @param string $content the bytes of a master playlist
     * @param string $masterurl where it was read, `<res>master.m3u8`
     * @return string|null the variant's absolute URL; null for a media playlist
     * @throws playback_error when it is not an HLS playlist
     */
    public static function first_variant(string $content, string $masterurl): ?string {
        $lines = preg_split('/\r\n|\r|\n/', $content) ?: [];
        $afterstreaminf = false;
        foreach ($lines as $line) {
            $line = trim($line);
            if (str_starts_with($line, '#EXT-X-STREAM-INF:')) {
                $afterstreaminf = true;
            } else if ($afterstreaminf && $line !== '' && $line[0] !== '#') {
                if (preg_match('~^[a-z][a-z0-9+.-]*:~i', $line)) {
                    return $line;
                }
                if (str_starts_with($line, '/') || str_contains($line, '..') || str_contains($line, '?')) {
                    throw new playback_error('error:notaplaylist', 'The variant URI is not a plain relative path.');
                }
                return substr($masterurl, 0, strrpos($masterurl, '/') + 1) . $line;
            }
        }
        self::parse($content);
        return null;
    }
}
