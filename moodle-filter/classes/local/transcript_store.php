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
 * The transcripts Moodle's search indexes, read from the media host and kept per video in
 * filter_hlsgate_transcript as windows of about a minute, so that indexing and re-indexing read
 * the database, not the media host.
 *
 * How Moodle reads a transcript: as a player does, through the query-signing contract of DESIGN.md
 * (no endpoint of its own). It mints a view token for the video's `res` with `sub`
 * {@see self::SUBJECT} (so the auth server's logs and rate limits tell the indexer apart from
 * viewers, whose `sub` is a user id, and from the duration reader's "moodle"), asks `POST /session`
 * with `{"mode":"query"}` for the signed query, then reads the master, its
 * `EXT-X-MEDIA TYPE=SUBTITLES` playlist and that playlist's WebVTT segments, each URL under the
 * video's `res` with the query appended. Moodle's curl keeps the site's security settings
 * (blocked hosts, allowed ports): an admin who blocks the media host blocks this too.
 *
 * Each video has one marker row (window -1) saying when it was last read and a hash of what was
 * found; a video without captions has only the marker. A read that fails (auth server down, 403,
 * 429, a bad file) changes nothing stored: the caller logs it and the next run tries again.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class transcript_store {
    /** The table. */
    public const TABLE = 'filter_hlsgate_transcript';

    /** `sub` of the tokens the search indexer mints. */
    public const SUBJECT = 'moodle-search';

    /** Seconds a token of the indexer lives: one video's reads. */
    private const TOKEN_LIFETIME = 120;

    /** Window number of a video's marker row. */
    public const MARKER = -1;

    /**
     * Window number of a video's captions-status row (content `<state>: <why>`, from the master's
     * {@see transcript::STATUS_DATA_ID}); absent when the master says nothing. Shown to holders of
     * filter/hlsgate:viewreport only (under the player, in the report).
     */
    public const STATUS = -2;

    /** A video read without captions is asked again after this many seconds (captions may come later). */
    public const RECHECK_NONE = 3600;

    /** A video with a transcript is asked again after this many seconds (a corrected transcript). */
    public const RECHECK_FOUND = 86400;

    /** Most videos read in one run: the auth server allows a `sub` 120 sessions a minute. */
    public const MAX_READS_PER_RUN = 50;

    /** Longest answer read from the media host. */
    private const MAX_BYTES = 4194304;

    /**
     * The embedded videos whose transcript is missing or due for a new read, oldest first.
     *
     * @param int $now
     * @param int $limit
     * @return string[] resources
     */
    public static function due(int $now, int $limit = self::MAX_READS_PER_RUN): array {
        global $DB;
        $content = $DB->sql_compare_text('t.content', 40);
        $sql = "SELECT e.videohash, MIN(COALESCE(t.timechecked, 0)) AS timechecked
                  FROM {" . embed_registry::TABLE . "} e
             LEFT JOIN {" . self::TABLE . "} t ON t.videohash = e.videohash AND t.windowindex = :marker
                 WHERE e.videohash <> :empty
                   AND (t.id IS NULL
                        OR ($content = :none AND t.timechecked < :nonebefore)
                        OR ($content <> :none2 AND t.timechecked < :foundbefore))
              GROUP BY e.videohash
              ORDER BY MIN(COALESCE(t.timechecked, 0)), e.videohash";
        $rows = $DB->get_records_sql($sql, ['marker' => self::MARKER, 'empty' => '', 'none' => '', 'none2' => '',
            'nonebefore' => $now - self::RECHECK_NONE, 'foundbefore' => $now - self::RECHECK_FOUND], 0, $limit);
        $resources = [];
        foreach ($rows as $row) {
            $resources[] = (string) $DB->get_field_select(embed_registry::TABLE, 'resource', 'videohash = ?', [$row->videohash],
                IGNORE_MULTIPLE);
        }
        return $resources;
    }

    /**
     * Reads the due transcripts (at most MAX_READS_PER_RUN).
     *
     * @param int $now
     * @return array<string, string> resource => why its read failed (the read ones are not listed)
     */
    public static function refresh_due(int $now): array {
        $failures = [];
        foreach (self::due($now) as $resource) {
            try {
                $read = self::fetch($resource);
                self::store($resource, $read['windows'], $now, $read['status']);
            } catch (playback_error $e) {
                $failures[$resource] = $e->getMessage();
            }
        }
        return $failures;
    }

    /**
     * Stores what a read found; the windows' time (what search documents take as modified) moves
     * only when the transcript changed, so an unchanged re-read re-indexes nothing.
     *
     * @param string $resource
     * @param array|null $windows from {@see transcript::windows()}, null when the video has no captions
     *     (array<int, array{start: float, end: float, text: string}>|null)
     * @param int $now
     * @param array|null $status from {@see transcript::captions_status()}: what became of speech recognition
     *     (array{state: string, note: string}|null)
     */
    public static function store(string $resource, ?array $windows, int $now, ?array $status = null): void {
        global $DB;
        $videohash = sha1($resource);
        $hash = $windows === null ? '' : sha1(json_encode($windows, JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR));
        $row = static fn(int $index, float $start, float $end, string $content): \stdClass => (object) [
            'videohash' => $videohash, 'resource' => $resource, 'windowindex' => $index, 'starttime' => $start,
            'endtime' => $end, 'content' => $content, 'timefetched' => $now, 'timechecked' => $now,
        ];
        $transaction = $DB->start_delegated_transaction();
        // The status changes apart from the words (pending, then published): its own row, so that a new
        // status never re-indexes an unchanged transcript.
        $DB->delete_records(self::TABLE, ['videohash' => $videohash, 'windowindex' => self::STATUS]);
        if ($status !== null) {
            $DB->insert_record(self::TABLE, $row(self::STATUS, 0, 0, $status['state'] . ': ' . $status['note']));
        }
        $marker = $DB->get_record(self::TABLE, ['videohash' => $videohash, 'windowindex' => self::MARKER]);
        if ($marker && $marker->content === $hash) {
            $DB->set_field(self::TABLE, 'timechecked', $now, ['id' => $marker->id]);
            $transaction->allow_commit();
            return;
        }
        $DB->delete_records_select(self::TABLE, 'videohash = ? AND windowindex <> ?', [$videohash, self::STATUS]);
        $DB->insert_record(self::TABLE, $row(self::MARKER, 0, 0, $hash));
        foreach ($windows ?? [] as $index => $window) {
            $DB->insert_record(self::TABLE, $row($index, $window['start'], $window['end'], $window['text']));
        }
        $transaction->allow_commit();
    }

    /**
     * Reads a video's transcript from the media host, signed as a player's requests are.
     *
     * @param string $resource `<media base><dir>/`
     * @return array{windows: ?array, status: ?array} the windows ({@see transcript::windows()}), null when the
     *     master names no subtitles; the captions status ({@see transcript::captions_status()}), null when it names none
     * @throws playback_error with a message saying what failed
     */
    public static function fetch(string $resource): ?array {
        global $CFG;
        require_once($CFG->libdir . '/filelib.php');
        $config = plugin_config::from_settings(get_config('filter_hlsgate'), $CFG->wwwroot);
        if (!$config->bases->is_resource($resource)) {
            throw new playback_error('error:notallowed', "$resource is not a video of an allowed media base.");
        }
        $token = $config->minter()->mint(token_minter::view_claims(
            $config->issuer,
            self::SUBJECT,
            $resource,
            time(),
            self::TOKEN_LIFETIME
        ));
        $curl = new \curl();
        $curl->setHeader(['Authorization: Bearer ' . $token, 'Content-Type: application/json']);
        $body = $curl->post($config->session_url(), '{"mode":"query"}');
        $status = (int) ($curl->get_info()['http_code'] ?? 0);
        $answer = json_decode((string) $body, true);
        if ($status !== 200 || !is_array($answer) || !is_string($answer['query'] ?? null) || $answer['query'] === '') {
            throw new playback_error('error:nosignature', "The auth server gave no signed query (HTTP $status"
                . ($curl->get_errno() ? ', curl: ' . $curl->error : '') . ').');
        }
        $query = $answer['query'];
        $masterurl = $resource . resource_resolver::MASTER;
        $master = self::get($masterurl, $resource, $query);
        $status = transcript::captions_status($master);
        $subtitlesurl = transcript::subtitles_uri($master, $masterurl);
        if ($subtitlesurl === null) {
            return ['windows' => null, 'status' => $status];
        }
        $cues = [];
        $bytes = 0;
        foreach (transcript::segment_uris(self::get($subtitlesurl, $resource, $query), $subtitlesurl) as $segmenturl) {
            $vtt = self::get($segmenturl, $resource, $query);
            $bytes += strlen($vtt);
            if ($bytes > self::MAX_BYTES) {
                throw new playback_error('error:notvtt', 'The captions are larger than ' . self::MAX_BYTES . ' bytes.');
            }
            array_push($cues, ...transcript::cues($vtt));
        }
        return ['windows' => transcript::windows($cues), 'status' => $status];
    }

    /**
     * What became of a video's speech recognition, as its master said at the last read.
     *
     * @param string $resource
     * @return array{state: string, note: string}|null null when nothing is known
     */
    public static function status_of(string $resource): ?array {
        global $DB;
        $content = $DB->get_field(self::TABLE, 'content', ['videohash' => sha1($resource), 'windowindex' => self::STATUS]);
        if (!is_string($content) || !preg_match('/^([a-z-]+): (.*)$/s', $content, $m)) {
            return null;
        }
        return ['state' => $m[1], 'note' => $m[2]];
    }

    /**
     * The windows of a video.
     *
     * @param string $resource
     * @return \stdClass[] rows by window number
     */
    public static function windows_of(string $resource): array {
        global $DB;
        $rows = $DB->get_records_select(
            self::TABLE,
            'videohash = ? AND windowindex >= 0',
            [sha1($resource)],
            'windowindex'
        );
        $out = [];
        foreach ($rows as $row) {
            $out[(int) $row->windowindex] = $row;
        }
        return $out;
    }

    /**
     * A captions status as a teacher reads it.
     *
     * @param array $status from {@see self::status_of()} (array{state: string, note: string})
     * @return string
     */
    public static function status_text(array $status): string {
        $key = 'captionsstatus:' . $status['state'];
        return get_string_manager()->string_exists($key, 'filter_hlsgate')
            ? get_string($key, 'filter_hlsgate', $status['note']) : $status['state'] . ': ' . $status['note'];
    }

    /**
     * One signed GET of a file of the video.
     *
     * @param string $url
     * @param string $resource the video's folder: the signature goes nowhere else
     * @param string $query the signed query
     * @return string
     * @throws playback_error
     */
    private static function get(string $url, string $resource, string $query): string {
        if (!str_starts_with($url, $resource) || str_contains(substr($url, strlen($resource)), '..')) {
            throw new playback_error('error:notallowed', "$url is outside the video's folder.");
        }
        $curl = new \curl();
        $signed = $url . (str_contains($url, '?') ? '&' : '?') . $query;
        $body = $curl->get($signed, [], ['CURLOPT_MAXFILESIZE' => self::MAX_BYTES]);
        $status = (int) ($curl->get_info()['http_code'] ?? 0);
        if ($status !== 200 || !is_string($body) || strlen($body) > self::MAX_BYTES) {
            throw new playback_error('error:filegone', "The media host did not serve $url (HTTP $status"
                . ($curl->get_errno() ? ', curl: ' . $curl->error : '') . ').');
        }
        return $body;
    }
}
