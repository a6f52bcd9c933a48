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
 * The teacher's report's query: every video of a course that was played × every student.
 *
 * "Videos of the course" are those with a progress row in the course or any context inside it (a
 * filter has no list of the videos it rendered: a video appears once anyone, its teacher too, played
 * it). "Students" are the active enrolled users counted in completion reports
 * (moodle/course:isincompletionreports, the student archetype), in one group when one is chosen.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class progress_report {
    /** Who counts as a student. */
    public const STUDENT_CAPABILITY = 'moodle/course:isincompletionreports';

    /**
     * The pieces of the query, for table_sql::set_sql or a plain get_records_sql.
     *
     * @param \context_course $context
     * @param int $groupid 0 for everyone
     * @return array{fields: string, from: string, where: string, params: array}
     */
    public static function sql(\context_course $context, int $groupid = 0): array {
        global $DB;
        [$esql, $eparams] = get_enrolled_sql($context, self::STUDENT_CAPABILITY, $groupid, true);
        $userfields = \core_user\fields::for_name()->get_sql('u', false, '', '', false)->selects;
        $like = $DB->sql_like('ctx.path', ':ctxpath');
        $uniqueid = $DB->sql_concat('u.id', "'-'", 'v.contextid', "'-'", 'v.videohash');
        $fields = "$uniqueid AS uniqueid, u.id AS userid, $userfields, v.contextid, v.videohash, v.url AS video,
                   p.watched, p.duration, p.timespent, p.lastposition AS position, p.timemodified AS lastwatched,
                   CASE WHEN p.duration > 0 THEN p.watched * 100 / p.duration ELSE 0 END AS percent,
                   ts.content AS captions";
        $from = "{user} u
                 JOIN ($esql) je ON je.id = u.id
                 CROSS JOIN (
                     SELECT pv.contextid, pv.videohash, MIN(pv.url) AS url
                       FROM {" . progress_store::TABLE . "} pv
                       JOIN {context} ctx ON ctx.id = pv.contextid
                      WHERE ctx.id = :ctxid OR $like
                   GROUP BY pv.contextid, pv.videohash
                 ) v
                 LEFT JOIN {" . progress_store::TABLE . "} p
                        ON p.userid = u.id AND p.contextid = v.contextid AND p.videohash = v.videohash
                 LEFT JOIN {" . transcript_store::TABLE . "} ts
                        ON ts.videohash = v.videohash AND ts.windowindex = :statusrow";
        $params = array_merge($eparams, ['ctxid' => $context->id, 'ctxpath' => $context->path . '/%',
            'statusrow' => transcript_store::STATUS]);
        return ['fields' => $fields, 'from' => $from, 'where' => 'u.deleted = 0', 'params' => $params];
    }

    /**
     * Every row, sorted by student then video (the tests, and small courses).
     *
     * @param \context_course $context
     * @param int $groupid
     * @return \stdClass[]
     */
    public static function rows(\context_course $context, int $groupid = 0): array {
        global $DB;
        $sql = self::sql($context, $groupid);
        return array_values($DB->get_records_sql(
            "SELECT {$sql['fields']} FROM {$sql['from']} WHERE {$sql['where']}
                                                  ORDER BY u.lastname, u.firstname, u.id, v.contextid, v.videohash",
            $sql['params']
        ));
    }

    /**
     * What a video is called in the report: its page or activity and the playlist's file name.
     *
     * @param int $contextid
     * @param string $url
     * @return string plain text
     */
    public static function video_name(int $contextid, string $url): string {
        $path = (string) parse_url($url, PHP_URL_PATH);
        $file = preg_replace('/\.m3u8$/i', '', rawurldecode(basename($path)));
        $context = \context::instance_by_id($contextid, IGNORE_MISSING);
        $where = $context ? $context->get_context_name(false, true) : '';
        return $where !== '' ? "$where: $file" : $file;
    }
}
