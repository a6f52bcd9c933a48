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

namespace filter_hlsgate\privacy;

use core_privacy\local\metadata\collection;
use core_privacy\local\request\approved_contextlist;
use core_privacy\local\request\approved_userlist;
use core_privacy\local\request\contextlist;
use core_privacy\local\request\transform;
use core_privacy\local\request\userlist;
use core_privacy\local\request\writer;
use filter_hlsgate\local\embed_registry;
use filter_hlsgate\local\progress_store;
use filter_hlsgate\local\transcript_store;

/**
 * Privacy provider: each view token sends the user's id, the watermark text (by default the full name
 * and email address) and the course id to the auth server; Moodle stores what each user watched of
 * each video (filter_hlsgate_progress), which is exported and deleted here, and who saved the text
 * that embeds a video (filter_hlsgate_embed), which is exported and, on deletion, set to nobody: the
 * embed belongs to the course's content and its students still need it. The transcripts kept for
 * Moodle's search (filter_hlsgate_transcript) belong to videos, not users: declared, nothing to export.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class provider implements
    \core_privacy\local\metadata\provider,
    \core_privacy\local\request\core_userlist_provider,
    \core_privacy\local\request\plugin\provider {
    #[\Override]
    public static function get_metadata(collection $collection): collection {
        $collection->add_external_location_link('authserver', [
            'userid' => 'privacy:metadata:authserver:userid',
            'watermark' => 'privacy:metadata:authserver:watermark',
            'courseid' => 'privacy:metadata:authserver:courseid',
        ], 'privacy:metadata:authserver');
        $collection->add_database_table(progress_store::TABLE, [
            'userid' => 'privacy:metadata:progress:userid',
            'contextid' => 'privacy:metadata:progress:contextid',
            'url' => 'privacy:metadata:progress:url',
            'resource' => 'privacy:metadata:progress:resource',
            'ranges' => 'privacy:metadata:progress:ranges',
            'watched' => 'privacy:metadata:progress:watched',
            'duration' => 'privacy:metadata:progress:duration',
            'lastposition' => 'privacy:metadata:progress:lastposition',
            'milestone' => 'privacy:metadata:progress:milestone',
            'session' => 'privacy:metadata:progress:session',
            'seq' => 'privacy:metadata:progress:seq',
            'timecreated' => 'privacy:metadata:progress:timecreated',
            'timemodified' => 'privacy:metadata:progress:timemodified',
            'timespent' => 'privacy:metadata:progress:timespent',
        ], 'privacy:metadata:progress');
        $collection->add_database_table(embed_registry::TABLE, [
            'userid' => 'privacy:metadata:embed:userid',
            'contextid' => 'privacy:metadata:embed:contextid',
            'url' => 'privacy:metadata:embed:url',
            'timecreated' => 'privacy:metadata:embed:timecreated',
        ], 'privacy:metadata:embed');
        // Per video, not per person: declared for what it holds; no user id, so nothing to export or delete.
        $collection->add_database_table(transcript_store::TABLE, [
            'resource' => 'privacy:metadata:transcript:resource',
            'content' => 'privacy:metadata:transcript:content',
        ], 'privacy:metadata:transcript');
        return $collection;
    }

    #[\Override]
    public static function get_contexts_for_userid(int $userid): contextlist {
        $contextlist = new contextlist();
        $contextlist->add_from_sql(
            'SELECT contextid FROM {' . progress_store::TABLE . '} WHERE userid = :userid',
            ['userid' => $userid]
        );
        $contextlist->add_from_sql(
            'SELECT contextid FROM {' . embed_registry::TABLE . '} WHERE userid = :userid',
            ['userid' => $userid]
        );
        return $contextlist;
    }

    #[\Override]
    public static function get_users_in_context(userlist $userlist) {
        $userlist->add_from_sql(
            'userid',
            'SELECT userid FROM {' . progress_store::TABLE . '} WHERE contextid = :contextid',
            ['contextid' => $userlist->get_context()->id]
        );
        $userlist->add_from_sql('userid', 'SELECT userid FROM {' . embed_registry::TABLE . '} WHERE contextid = :contextid
            AND userid > 0', ['contextid' => $userlist->get_context()->id]);
    }

    #[\Override]
    public static function export_user_data(approved_contextlist $contextlist) {
        global $DB;
        $userid = $contextlist->get_user()->id;
        foreach ($contextlist->get_contexts() as $context) {
            $embeds = $DB->get_records(embed_registry::TABLE, ['userid' => $userid, 'contextid' => $context->id], 'id');
            if ($embeds) {
                writer::with_context($context)->export_data(
                    [get_string('privacy:embed', 'filter_hlsgate')],
                    (object) ['videos' => array_values(array_map(
                        static fn(\stdClass $e): \stdClass => (object) [
                        'url' => $e->url, 'timecreated' => transform::datetime($e->timecreated),
                        ],
                        $embeds
                    ))]
                );
            }
            $rows = $DB->get_records(progress_store::TABLE, ['userid' => $userid, 'contextid' => $context->id], 'id');
            if (!$rows) {
                continue;
            }
            $videos = [];
            foreach ($rows as $row) {
                $videos[] = (object) [
                    'url' => $row->url,
                    'ranges' => json_decode($row->ranges, true) ?: [],
                    'watched' => (float) $row->watched,
                    'duration' => (float) $row->duration,
                    'lastposition' => (float) $row->lastposition,
                    'milestone' => (int) $row->milestone,
                    'session' => $row->session,
                    'seq' => (int) $row->seq,
                    'timespent' => (int) $row->timespent,
                    'timecreated' => transform::datetime($row->timecreated),
                    'timemodified' => transform::datetime($row->timemodified),
                ];
            }
            writer::with_context($context)->export_data(
                [get_string('privacy:progress', 'filter_hlsgate')],
                (object) ['videos' => $videos]
            );
        }
    }

    #[\Override]
    public static function delete_data_for_all_users_in_context(\context $context) {
        global $DB;
        $DB->delete_records(progress_store::TABLE, ['contextid' => $context->id]);
        // The embed stays (students still need it); who made it is forgotten.
        $DB->set_field(embed_registry::TABLE, 'userid', 0, ['contextid' => $context->id]);
    }

    #[\Override]
    public static function delete_data_for_user(approved_contextlist $contextlist) {
        global $DB;
        $userid = $contextlist->get_user()->id;
        foreach ($contextlist->get_contextids() as $contextid) {
            $DB->delete_records(progress_store::TABLE, ['userid' => $userid, 'contextid' => $contextid]);
            $DB->set_field(embed_registry::TABLE, 'userid', 0, ['userid' => $userid, 'contextid' => $contextid]);
        }
    }

    #[\Override]
    public static function delete_data_for_users(approved_userlist $userlist) {
        global $DB;
        $userids = $userlist->get_userids();
        if (!$userids) {
            return;
        }
        [$insql, $params] = $DB->get_in_or_equal($userids, SQL_PARAMS_NAMED);
        $params['contextid'] = $userlist->get_context()->id;
        $DB->delete_records_select(progress_store::TABLE, "contextid = :contextid AND userid $insql", $params);
        $DB->set_field_select(embed_registry::TABLE, 'userid', 0, "contextid = :contextid AND userid $insql", $params);
    }
}
