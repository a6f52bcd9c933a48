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

use filter_hlsgate\event\video_progress;
use filter_hlsgate\event\video_viewed;

/**
 * The table filter_hlsgate_progress: applies reports (progress_update) and logs the events.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class progress_store {
    /** The table. */
    public const TABLE = 'filter_hlsgate_progress';

    /** Most rows (videos × contexts) per user: 25 made-up folders made 25 rows before embed records. */
    public const MAX_ROWS_PER_USER = 2000;

    /**
     * The key of a video: its resource (media base + dir), whichever URL embedded it.
     *
     * @param string $resource
     * @return string
     */
    public static function video_hash(string $resource): string {
        return sha1($resource);
    }

    /**
     * Applies one report of a user; throws when it claims more than wall time allows.
     *
     * @param int $userid
     * @param \context $context the context the player was shown in (access already checked)
     * @param string $resource the video's res
     * @param string $url the playlist URL the filter rendered
     * @param array $report session, seq, ranges, position, duration, started
     * @param int|null $now epoch seconds (tests)
     * @return \stdClass the stored row
     * @throws \moodle_exception error:implausible
     */
    public static function save(
        int $userid,
        \context $context,
        string $resource,
        string $url,
        array $report,
        ?int $now = null
    ): \stdClass {
        global $DB;
        $now ??= time();
        $key = ['userid' => $userid, 'contextid' => $context->id, 'videohash' => self::video_hash($resource)];
        $stored = $DB->get_record(self::TABLE, $key);
        $update = progress_update::apply($stored ? (array) $stored : null, $report, $now);
        $row = (object) array_merge($update->row, $key, ['resource' => $resource, 'url' => $url]);
        if ($stored) {
            $row->id = $stored->id;
            if ($update->plausible) {
                $DB->update_record(self::TABLE, $row);
            }
        } else {
            if ($DB->count_records(self::TABLE, ['userid' => $userid]) >= self::MAX_ROWS_PER_USER) {
                throw new \moodle_exception('error:toomanyvideos', 'filter_hlsgate', '', self::MAX_ROWS_PER_USER);
            }
            try {
                $row->id = $DB->insert_record(self::TABLE, $row);
            } catch (\dml_write_exception $e) {
                // Another request of the same viewer inserted the row first: apply to that one.
                if (!$DB->record_exists(self::TABLE, $key)) {
                    throw $e;
                }
                return self::save($userid, $context, $resource, $url, $report, $now);
            }
        }
        if (!$update->plausible) {
            throw new \moodle_exception(
                'error:implausible',
                'filter_hlsgate',
                '',
                (object) ['added' => round($update->added), 'allowed' => round($update->allowed)]
            );
        }
        if ($update->viewed) {
            video_viewed::create(['context' => $context, 'objectid' => $row->id,
                'other' => ['url' => $url]])->trigger();
        }
        foreach ($update->milestones as $milestone) {
            video_progress::create(['context' => $context, 'objectid' => $row->id,
                'other' => ['percent' => $milestone, 'url' => $url]])->trigger();
        }
        return $row;
    }

    /**
     * The stored row of a user for a video in a context, if any.
     *
     * @param int $userid
     * @param int $contextid
     * @param string $resource
     * @return \stdClass|null
     */
    public static function get(int $userid, int $contextid, string $resource): ?\stdClass {
        global $DB;
        return $DB->get_record(self::TABLE, ['userid' => $userid, 'contextid' => $contextid,
            'videohash' => self::video_hash($resource)]) ?: null;
    }
}
