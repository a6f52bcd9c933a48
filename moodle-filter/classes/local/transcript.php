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
 * A lecture's transcript for Moodle's search: where the captions are (the master's
 * `EXT-X-MEDIA TYPE=SUBTITLES` rendition and its WebVTT segments), the cues of a WebVTT file as
 * plain text, and the windows of about a minute that become search documents. Pure: no Moodle, no
 * network.
 *
 * Cue text is plain text: WebVTT's own markup (`<v Speaker>`, `<b>`, timestamps) is dropped and its
 * character references decoded, so `&lt;script&gt;` becomes the words `<script>`, which Moodle's
 * search shows as text (its documents are FORMAT_PLAIN).
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class transcript {
    /** Seconds a window covers at least before the next cue starts a new one. */
    public const WINDOW_SECONDS = 60;

    /** Most windows kept of one video (a window a minute: 166 hours). */
    public const MAX_WINDOWS = 9999;

    /** Most characters of one window's text (a minute of fast speech is about 1,200). */
    public const MAX_WINDOW_CHARS = 8000;

    /** Most WebVTT segments read of one video. */
    public const MAX_SEGMENTS = 2000;

    /** `DATA-ID` of the master's `EXT-X-SESSION-DATA` whose VALUE is ingest's captions status (`<state>: <why>`). */
    public const STATUS_DATA_ID = 'org.hlsgate.captions-status';

    /** The states ingest writes (DESIGN: ingest's CAPTIONS_STATES). */
    public const STATES = ['pending', 'offered', 'not-selected', 'no-speech', 'failed'];

    /** Most characters of a status's explanation kept. */
    public const MAX_STATUS_CHARS = 400;

    /** One WebVTT timestamp: [hh:]mm:ss.ttt. */
    private const TIME = '(?:(\d+):)?([0-5]\d):([0-5]\d)\.(\d{3})';

    /**
     * The subtitles rendition a master playlist names, resolved against the master's URL.
     *
     * @param string $master the bytes of the master playlist
     * @param string $masterurl where it was read
     * @return string|null the subtitles playlist's URL; null when the master names none
     */
    public static function subtitles_uri(string $master, string $masterurl): ?string {
        foreach (preg_split('/\r\n|\r|\n/', $master) ?: [] as $line) {
            $line = trim($line);
            if (
                str_starts_with($line, '#EXT-X-MEDIA:') && preg_match('/[:,]TYPE=SUBTITLES(?:,|$)/', $line)
                    && preg_match('/[:,]URI="([^"]+)"/', $line, $m)
            ) {
                return self::resolve($m[1], $masterurl);
            }
        }
        return null;
    }

    /**
     * What became of speech recognition, as ingest wrote it into the master for the teacher: the
     * `EXT-X-SESSION-DATA` tag {@see self::STATUS_DATA_ID}, `VALUE="<state>: <why>"`.
     *
     * @param string $master the bytes of the master playlist
     * @return array{state: string, note: string}|null null when the master says nothing (captions given
     *     by hand or with the recording, recognition off, or an ingest older than the status)
     */
    public static function captions_status(string $master): ?array {
        foreach (preg_split('/\r\n|\r|\n/', $master) ?: [] as $line) {
            $line = trim($line);
            if (!str_starts_with($line, '#EXT-X-SESSION-DATA:')
                    || !preg_match('/[:,]DATA-ID="' . preg_quote(self::STATUS_DATA_ID, '/') . '"(?:,|$)/', $line)
                    || !preg_match('/[:,]VALUE="([^"]*)"/', $line, $m)) {
                continue;
            }
            if (!preg_match('/^([a-z-]+):\s*(.*)$/s', $m[1], $parts) || !in_array($parts[1], self::STATES, true)) {
                return null;
            }
            $note = trim(preg_replace('/\s+/u', ' ', $parts[2]) ?? '');
            return ['state' => $parts[1], 'note' => mb_substr($note, 0, self::MAX_STATUS_CHARS)];
        }
        return null;
    }

    /**
     * The segment URLs of a media playlist, resolved against its URL.
     *
     * @param string $playlist the bytes of the subtitles' media playlist
     * @param string $playlisturl where it was read
     * @return string[]
     * @throws playback_error when it is not an HLS media playlist or names too many segments
     */
    public static function segment_uris(string $playlist, string $playlisturl): array {
        $parsed = playlist_parser::parse($playlist);
        if ($parsed['kind'] !== 'media') {
            throw new playback_error('error:notaplaylist', 'The subtitles playlist is not a media playlist.');
        }
        if (count($parsed['uris']) > self::MAX_SEGMENTS) {
            throw new playback_error('error:notaplaylist', 'The subtitles playlist names too many segments.');
        }
        return array_map(static fn(string $uri): string => self::resolve($uri, $playlisturl), $parsed['uris']);
    }

    /**
     * A URI of a playlist as an absolute URL: absolute ones as they are, relative ones against the
     * playlist's folder (`a/b.vtt`, `../subs/x.vtt`).
     *
     * @param string $uri
     * @param string $base the playlist's URL
     * @return string
     */
    public static function resolve(string $uri, string $base): string {
        if (preg_match('~^[a-z][a-z0-9+.-]*:~i', $uri)) {
            return $uri;
        }
        $base = preg_replace('/[?#].*$/s', '', $base);
        if (str_starts_with($uri, '/')) {
            return preg_replace('~^([a-z][a-z0-9+.-]*://[^/]+).*$~is', '$1', $base) . self::normalise_path($uri);
        }
        $slash = strpos($base, '/', (int) strpos($base, '://') + 3);
        $origin = $slash === false ? $base : substr($base, 0, $slash);
        $folder = $slash === false ? '/' : substr($base, $slash, strrpos($base, '/') - $slash + 1);
        return $origin . self::normalise_path($folder . $uri);
    }

    /**
     * A path with its `.` and `..` segments resolved (RFC 3986, 5.2.4).
     *
     * @param string $path starting with /
     * @return string
     */
    private static function normalise_path(string $path): string {
        [$path, $query] = array_pad(explode('?', $path, 2), 2, null);
        $out = [];
        $segments = explode('/', $path);
        foreach ($segments as $i => $segment) {
            if ($segment === '..') {
                if (count($out) > 1) {
                    array_pop($out);
                }
                if ($i === count($segments) - 1) {
                    $out[] = '';
                }
            } else if ($segment === '.') {
                if ($i === count($segments) - 1) {
                    $out[] = '';
                }
            } else {
                $out[] = $segment;
            }
        }
        return implode('/', $out) . ($query === null ? '' : '?' . $query);
    }

    /**
     * The cues of a WebVTT file, as plain text, in the file's order.
     *
     * @param string $vtt the file
     * @return array<int, array{start: float, end: float, text: string}> cues with no text are left out
     * @throws playback_error error:notvtt when it is not WebVTT
     */
    public static function cues(string $vtt): array {
        $vtt = str_replace(["\r\n", "\r"], "\n", preg_replace('/^\xEF\xBB\xBF/', '', $vtt));
        if (!preg_match('/^WEBVTT(?:[ \t][^\n]*)?(?:\n|$)/', $vtt)) {
            throw new playback_error('error:notvtt', 'The captions are not WebVTT (no WEBVTT header).');
        }
        $cues = [];
        foreach (preg_split('/\n{2,}/', $vtt) ?: [] as $block) {
            $lines = explode("\n", trim($block, "\n"));
            // A cue's timing line is its first or, after an identifier, its second line.
            $timing = null;
            foreach (array_slice($lines, 0, 2) as $i => $line) {
                if (str_contains($line, '-->')) {
                    $timing = $i;
                    break;
                }
            }
            if ($timing === null || str_starts_with($lines[0], 'NOTE')) {
                continue;
            }
            $pattern = '/^\s*' . self::TIME . '\s+-->\s+' . self::TIME . '(?:\s|$)/';
            if (!preg_match($pattern, $lines[$timing], $m)) {
                continue;
            }
            $start = self::seconds($m[1], $m[2], $m[3], $m[4]);
            $end = self::seconds($m[5], $m[6], $m[7], $m[8]);
            $text = self::plain_text(implode("\n", array_slice($lines, $timing + 1)));
            if ($text !== '' && $end >= $start) {
                $cues[] = ['start' => $start, 'end' => $end, 'text' => $text];
            }
        }
        return $cues;
    }

    /**
     * The text of a cue as a reader sees it: tags dropped, character references decoded, white space
     * collapsed.
     *
     * @param string $cuetext the cue's payload
     * @return string
     */
    public static function plain_text(string $cuetext): string {
        $text = preg_replace('/<[^>\n]*>/', '', $cuetext);
        $text = html_entity_decode($text, ENT_QUOTES | ENT_HTML5, 'UTF-8');
        // Direction marks are for rendering, not words.
        $text = str_replace(["\u{200E}", "\u{200F}"], '', $text);
        return trim(preg_replace('/\s+/u', ' ', $text) ?? '');
    }

    /**
     * Cues in windows of about a minute: a window starts at a cue and takes the cues that start
     * within WINDOW_SECONDS of it. Cues repeated across WebVTT segments count once.
     *
     * @param array $cues from {@see self::cues()}, of one or several segments
     *     (array<int, array{start: float, end: float, text: string}>)
     * @param int $seconds window length
     * @return array<int, array{start: float, end: float, text: string}> in time order
     */
    public static function windows(array $cues, int $seconds = self::WINDOW_SECONDS): array {
        $unique = [];
        foreach ($cues as $cue) {
            $unique[sprintf('%.3f|%.3f|%s', $cue['start'], $cue['end'], $cue['text'])] = $cue;
        }
        $cues = array_values($unique);
        usort($cues, static fn(array $a, array $b): int => $a['start'] <=> $b['start'] ?: $a['end'] <=> $b['end']);
        $windows = [];
        $current = null;
        foreach ($cues as $cue) {
            if ($current !== null && $cue['start'] < $current['start'] + $seconds) {
                $current['end'] = max($current['end'], $cue['end']);
                $current['text'] .= ' ' . $cue['text'];
                continue;
            }
            if ($current !== null) {
                $windows[] = $current;
                if (count($windows) >= self::MAX_WINDOWS) {
                    $current = null;
                    break;
                }
            }
            $current = $cue;
        }
        if ($current !== null) {
            $windows[] = $current;
        }
        foreach ($windows as &$window) {
            if (mb_strlen($window['text']) > self::MAX_WINDOW_CHARS) {
                $window['text'] = mb_substr($window['text'], 0, self::MAX_WINDOW_CHARS);
            }
        }
        return $windows;
    }

    /**
     * A time as the search results name it: m:ss, or h:mm:ss from an hour on.
     *
     * @param float $seconds
     * @return string
     */
    public static function clock(float $seconds): string {
        $s = (int) floor($seconds);
        $h = intdiv($s, 3600);
        return $h > 0 ? sprintf('%d:%02d:%02d', $h, intdiv($s % 3600, 60), $s % 60) : sprintf('%d:%02d', intdiv($s, 60), $s % 60);
    }

    /**
     * Seconds of one parsed timestamp.
     *
     * @param string $h hours, '' when absent
     * @param string $m minutes
     * @param string $s seconds
     * @param string $ms milliseconds
     * @return float
     */
    private static function seconds(string $h, string $m, string $s, string $ms): float {
        return (int) ($h === '' ? 0 : $h) * 3600 + (int) $m * 60 + (int) $s + (int) $ms / 1000;
    }
}
