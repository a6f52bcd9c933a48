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

namespace filter_hlsgate\external;

use core_external\external_api;
use core_external\external_function_parameters;
use core_external\external_multiple_structure;
use core_external\external_single_structure;
use core_external\external_value;
use filter_hlsgate\local\access_rule;
use filter_hlsgate\local\playback_error;
use filter_hlsgate\local\plugin_config;
use filter_hlsgate\local\progress_store;
use filter_hlsgate\local\video_duration;
use filter_hlsgate\local\watched_ranges;

/**
 * filter_hlsgate_save_progress: what a player played of a video, for resume and the teacher's report.
 *
 * The same access rule as filter_hlsgate_get_playback ({@see access_rule::check()}) decides whether
 * the user may report on that video in that context. Under "Log in as" nothing is stored: the
 * viewing is not the student's. A report carries every range its player session recorded, so a retry adds
 * nothing; one that claims more than wall time allows since the last accepted report is refused
 * with error:implausible. The duration is the server's ({@see video_duration}), so a report only
 * counts for a video that exists; the client's duration and grant parameters are ignored.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class save_progress extends external_api {
    /**
     * Parameters.
     *
     * @return external_function_parameters
     */
    public static function execute_parameters(): external_function_parameters {
        return new external_function_parameters([
            'contextid' => new external_value(PARAM_INT, 'Context the player was shown in (data-hlsgate-contextid)'),
            'url' => new external_value(PARAM_RAW, 'Playlist URL of the player (data-hlsgate-src)'),
            'grant' => new external_value(PARAM_RAW, 'Ignored: the embed grant of older versions\' markup', VALUE_DEFAULT, ''),
            'session' => new external_value(PARAM_ALPHANUMEXT, 'Random id of the player session (one page view)'),
            'seq' => new external_value(PARAM_INT, 'Sequence number of the report within the session'),
            'ranges' => new external_multiple_structure(new external_single_structure([
                'start' => new external_value(PARAM_FLOAT, 'Seconds'),
                'end' => new external_value(PARAM_FLOAT, 'Seconds'),
            ]), 'Every range of media time played in this session', VALUE_DEFAULT, []),
            'position' => new external_value(PARAM_FLOAT, 'Current media time, seconds'),
            'duration' => new external_value(
                PARAM_FLOAT,
                'Ignored: the duration is the server\'s (the video\'s playlists)',
                VALUE_DEFAULT,
                0.0
            ),
            'started' => new external_value(
                PARAM_BOOL,
                'The first report of the session (playback started)',
                VALUE_DEFAULT,
                false
            ),
        ]);
    }

    /**
     * Stores the report.
     *
     * @param int $contextid
     * @param string $url
     * @param string $grant
     * @param string $session
     * @param int $seq
     * @param array $ranges list of {start, end}
     * @param float $position
     * @param float $duration
     * @param bool $started
     * @return array{watched: float, duration: float, percent: float, lastposition: float}
     */
    public static function execute(
        int $contextid,
        string $url,
        string $grant,
        string $session,
        int $seq,
        array $ranges,
        float $position,
        float $duration = 0.0,
        bool $started = false
    ): array {
        global $CFG;
        global $USER;
        $params = self::validate_parameters(self::execute_parameters(), [
            'contextid' => $contextid, 'url' => $url, 'grant' => $grant, 'session' => $session, 'seq' => $seq, 'ranges' => $ranges,
            'position' => $position, 'duration' => $duration, 'started' => $started,
        ]);
        if ($params['session'] === '' || strlen($params['session']) > 64) {
            throw new \invalid_parameter_exception('session must be 1 to 64 letters, digits, - or _');
        }
        if (count($params['ranges']) > watched_ranges::MAX_RANGES) {
            throw new \invalid_parameter_exception('at most ' . watched_ranges::MAX_RANGES . ' ranges');
        }
        $access = access_rule::check($params['contextid'], $params['url'], $params['grant']);
        if (\core\session\manager::is_loggedinas()) {
            $row = progress_store::get((int) $USER->id, (int) $access->context->id, $access->resource);
            return self::answer($row);
        }

        // Only videos that exist report: the duration is read from the media host (cached per video).
        try {
            $config = plugin_config::from_settings(get_config('filter_hlsgate'), $CFG->wwwroot);
            $serverduration = video_duration::of($access->resource, $config);
        } catch (playback_error $e) {
            throw new \moodle_exception($e->errorcode, 'filter_hlsgate', '', null, $e->getMessage());
        }
        $row = progress_store::save((int) $USER->id, $access->context, $access->resource, $access->url, [
            'session' => $params['session'],
            'seq' => $params['seq'],
            'ranges' => array_map(static fn(array $r): array => [(float) $r['start'], (float) $r['end']], $params['ranges']),
            'position' => $params['position'],
            'duration' => $serverduration,
            'started' => $params['started'],
        ]);
        return self::answer($row);
    }

    /**
     * The answer: what is stored now.
     *
     * @param \stdClass|null $row
     * @return array{watched: float, duration: float, percent: float, lastposition: float}
     */
    private static function answer(?\stdClass $row): array {
        if (!$row) {
            return ['watched' => 0.0, 'duration' => 0.0, 'percent' => 0.0, 'lastposition' => 0.0];
        }
        $stored = json_decode($row->ranges, true) ?: [];
        return [
            'watched' => (float) $row->watched,
            'duration' => (float) $row->duration,
            'percent' => watched_ranges::percent($stored, (float) $row->duration),
            'lastposition' => (float) $row->lastposition,
        ];
    }

    /**
     * Returns.
     *
     * @return external_single_structure
     */
    public static function execute_returns(): external_single_structure {
        return new external_single_structure([
            'watched' => new external_value(PARAM_FLOAT, 'Seconds watched in total (merged, all sessions)'),
            'duration' => new external_value(PARAM_FLOAT, 'Duration stored, seconds'),
            'percent' => new external_value(PARAM_FLOAT, 'Percent of the duration watched'),
            'lastposition' => new external_value(PARAM_FLOAT, 'Position stored for resume, seconds'),
        ]);
    }
}
