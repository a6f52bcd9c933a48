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
 * The duration of a video, from the server: the sum of #EXTINF of its first variant's media
 * playlist on the media host, cached per video (MUC cache filter_hlsgate/durations). Never the
 * client's: a forged report could otherwise claim a 10-second lecture.
 *
 * Why Moodle reads the media host and not the repository copy: a pasted URL has no repository
 * copy, and the copy names only the variants, whose playlists live behind CloudFront signatures.
 * So Moodle does what a player does, with its own key: it mints a view token for the video
 * (`sub` "moodle", 60 s), asks the auth server for a signature — a signed query where the server
 * speaks query mode, else the three cookies of cookie mode — and reads the master and one variant
 * with it. No contract changes: these are the requests every player makes.
 * The URLs lie under an allowed media base (the admin's setting, never a user's), which is why
 * Moodle's curl security list (which blocks localhost) is bypassed for them.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class video_duration {
    /** `sub` of the tokens Moodle mints for itself. */
    public const SUBJECT = 'moodle';

    /** Longest answer read from the media host. */
    private const MAX_BYTES = 1048576;

    /**
     * The duration of a video, from the cache or the media host.
     *
     * @param string $resource `<media base><dir>/` (checked by the access rule)
     * @param plugin_config $config
     * @return float seconds, > 0
     * @throws playback_error error:noduration when the media host does not tell
     */
    public static function of(string $resource, plugin_config $config): float {
        $cache = \cache::make('filter_hlsgate', 'durations');
        $cached = $cache->get(sha1($resource));
        if (is_numeric($cached) && $cached > 0) {
            return (float) $cached;
        }
        $seconds = self::fetch($resource, $config);
        self::remember($resource, $seconds);
        return $seconds;
    }

    /**
     * Stores a duration (the fetch, and tests that run without a media host).
     *
     * @param string $resource
     * @param float $seconds
     */
    public static function remember(string $resource, float $seconds): void {
        \cache::make('filter_hlsgate', 'durations')->set(sha1($resource), $seconds);
    }

    /**
     * Reads the duration from the media host, signed as a player would be.
     *
     * @param string $resource
     * @param plugin_config $config
     * @return float
     * @throws playback_error error:noduration
     */
    public static function fetch(string $resource, plugin_config $config): float {
        global $CFG;
        require_once($CFG->libdir . '/filelib.php');
        if (!$config->bases->is_resource($resource)) {
            throw new playback_error('error:noduration', 'Not a video of an allowed media base.');
        }
        try {
            $token = $config->minter()->mint(token_minter::view_claims($config->issuer, self::SUBJECT, $resource, time(), 60));
            $curl = new \curl(['ignoresecurity' => true]);
            $curl->setHeader(['Authorization: Bearer ' . $token, 'Content-Type: application/json']);
            $answer = json_decode((string) $curl->post($config->session_url(), '{"mode":"query"}'), true);
            if ((int) ($curl->get_info()['http_code'] ?? 0) !== 200 || !is_array($answer)) {
                throw new playback_error('error:noduration', 'The auth server refused Moodle\'s own token.');
            }
            // Query mode where the auth server speaks it, else the three cookies it set.
            $signature = ['query' => is_string($answer['query'] ?? null) ? $answer['query'] : '', 'cookies' => []];
            foreach ((array) $curl->get_raw_response() as $line) {
                if (is_string($line) && preg_match('/^Set-Cookie:\s*(CloudFront-[A-Za-z-]+=[^;\s]*)/i', $line, $m)) {
                    $signature['cookies'][] = $m[1];
                }
            }
            if ($signature['query'] === '' && count($signature['cookies']) !== 3) {
                throw new playback_error('error:noduration', 'The auth server gave no signature.');
            }
            $masterurl = $resource . resource_resolver::MASTER;
            $master = self::get($masterurl, $signature);
            $variant = playlist_parser::first_variant($master, $masterurl);
            $media = $variant === null ? $master : self::get($variant, $signature);
            $seconds = playlist_parser::media_duration($media);
        } catch (playback_error $e) {
            throw new playback_error('error:noduration', $e->getMessage());
        } catch (\JsonException $e) {
            throw new playback_error('error:noduration', $e->getMessage());
        }
        if (!is_finite($seconds) || $seconds <= 0 || $seconds > progress_update::MAX_DURATION) {
            throw new playback_error('error:noduration', 'The playlists give no usable duration.');
        }
        return round($seconds, 3);
    }

    /**
     * One signed GET of a playlist under the video's folder.
     *
     * @param string $url
     * @param array $signature what the auth server answered (array{query: string, cookies: string[]})
     * @return string
     * @throws playback_error
     */
    private static function get(string $url, array $signature): string {
        $curl = new \curl(['ignoresecurity' => true]);
        if ($signature['query'] !== '') {
            $url .= (str_contains($url, '?') ? '&' : '?') . $signature['query'];
        } else {
            $curl->setHeader(['Cookie: ' . implode('; ', $signature['cookies'])]);
        }
        $body = $curl->get($url, [], ['CURLOPT_MAXFILESIZE' => self::MAX_BYTES]);
        if ((int) ($curl->get_info()['http_code'] ?? 0) !== 200 || !is_string($body) || strlen($body) > self::MAX_BYTES) {
            throw new playback_error('error:noduration', 'The media host did not serve the playlist.');
        }
        return $body;
    }
}
