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

/**
 * Upgrade steps of filter_hlsgate.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

/**
 * Upgrades the plugin from an older version.
 *
 * @param int $oldversion the version installed
 * @return bool
 */
function xmldb_filter_hlsgate_upgrade($oldversion) {
    global $DB;
    $dbman = $DB->get_manager();

    if ($oldversion < 2026120100) {
        // Sites installed before embed grants existed get their key here (new sites in install.php).
        if (strlen((string) get_config('filter_hlsgate', 'embedkey')) < \filter_hlsgate\local\embed_grant::MIN_KEY_LENGTH) {
            set_config('embedkey', \filter_hlsgate\local\embed_grant::new_key(), 'filter_hlsgate');
        }
        upgrade_plugin_savepoint(true, 2026120100, 'filter', 'hlsgate');
    }

    if ($oldversion < 2026120101) {
        // Watching progress per user, context and video (issue 11).
        $table = new xmldb_table('filter_hlsgate_progress');
        $table->add_field('id', XMLDB_TYPE_INTEGER, '10', null, XMLDB_NOTNULL, XMLDB_SEQUENCE, null);
        $table->add_field('userid', XMLDB_TYPE_INTEGER, '10', null, XMLDB_NOTNULL, null, null);
        $table->add_field('contextid', XMLDB_TYPE_INTEGER, '10', null, XMLDB_NOTNULL, null, null);
        $table->add_field('videohash', XMLDB_TYPE_CHAR, '40', null, XMLDB_NOTNULL, null, null);
        $table->add_field('resource', XMLDB_TYPE_TEXT, null, null, XMLDB_NOTNULL, null, null);
        $table->add_field('url', XMLDB_TYPE_TEXT, null, null, XMLDB_NOTNULL, null, null);
        $table->add_field('ranges', XMLDB_TYPE_TEXT, null, null, XMLDB_NOTNULL, null, null);
        $table->add_field('watched', XMLDB_TYPE_NUMBER, '12, 3', null, XMLDB_NOTNULL, null, '0');
        $table->add_field('duration', XMLDB_TYPE_NUMBER, '12, 3', null, XMLDB_NOTNULL, null, '0');
        $table->add_field('lastposition', XMLDB_TYPE_NUMBER, '12, 3', null, XMLDB_NOTNULL, null, '0');
        $table->add_field('milestone', XMLDB_TYPE_INTEGER, '3', null, XMLDB_NOTNULL, null, '0');
        $table->add_field('session', XMLDB_TYPE_CHAR, '64', null, null, null, null);
        $table->add_field('seq', XMLDB_TYPE_INTEGER, '10', null, XMLDB_NOTNULL, null, '0');
        $table->add_field('timecreated', XMLDB_TYPE_INTEGER, '10', null, XMLDB_NOTNULL, null, '0');
        $table->add_field('timemodified', XMLDB_TYPE_INTEGER, '10', null, XMLDB_NOTNULL, null, '0');
        $table->add_key('primary', XMLDB_KEY_PRIMARY, ['id']);
        $table->add_key('userid', XMLDB_KEY_FOREIGN, ['userid'], 'user', ['id']);
        $table->add_key('contextid', XMLDB_KEY_FOREIGN, ['contextid'], 'context', ['id']);
        $table->add_index('usercontextvideo', XMLDB_INDEX_UNIQUE, ['userid', 'contextid', 'videohash']);
        if (!$dbman->table_exists($table)) {
            $dbman->create_table($table);
        }
        upgrade_plugin_savepoint(true, 2026120101, 'filter', 'hlsgate');
    }
    if ($oldversion < 2026120700) {
        // Time spent per progress row, so that an implausible row stands out in the report (issue 17).
        $table = new xmldb_table('filter_hlsgate_progress');
        $field = new xmldb_field('timespent', XMLDB_TYPE_INTEGER, '10', null, XMLDB_NOTNULL, null, '0', 'timemodified');
        if (!$dbman->field_exists($table, $field)) {
            $dbman->add_field($table, $field);
        }

        // Embed records (issue 17): a video plays in a context only when one says so.
        $table = new xmldb_table('filter_hlsgate_embed');
        $table->add_field('id', XMLDB_TYPE_INTEGER, '10', null, XMLDB_NOTNULL, XMLDB_SEQUENCE, null);
        $table->add_field('contextid', XMLDB_TYPE_INTEGER, '10', null, XMLDB_NOTNULL, null, null);
        $table->add_field('url', XMLDB_TYPE_TEXT, null, null, XMLDB_NOTNULL, null, null);
        $table->add_field('urlhash', XMLDB_TYPE_CHAR, '40', null, XMLDB_NOTNULL, null, null);
        $table->add_field('resource', XMLDB_TYPE_TEXT, null, null, XMLDB_NOTNULL, null, null);
        $table->add_field('videohash', XMLDB_TYPE_CHAR, '40', null, XMLDB_NOTNULL, null, null);
        $table->add_field('component', XMLDB_TYPE_CHAR, '100', null, XMLDB_NOTNULL, null, null);
        $table->add_field('filearea', XMLDB_TYPE_CHAR, '50', null, XMLDB_NOTNULL, null, null);
        $table->add_field('itemid', XMLDB_TYPE_INTEGER, '10', null, XMLDB_NOTNULL, null, '0');
        $table->add_field('userid', XMLDB_TYPE_INTEGER, '10', null, XMLDB_NOTNULL, null, '0');
        $table->add_field('timecreated', XMLDB_TYPE_INTEGER, '10', null, XMLDB_NOTNULL, null, '0');
        $table->add_key('primary', XMLDB_KEY_PRIMARY, ['id']);
        $table->add_key('contextid', XMLDB_KEY_FOREIGN, ['contextid'], 'context', ['id']);
        $table->add_index('contexturl', XMLDB_INDEX_NOTUNIQUE, ['contextid', 'urlhash']);
        $table->add_index('contextvideo', XMLDB_INDEX_NOTUNIQUE, ['contextid', 'videohash']);
        $table->add_index('videohash', XMLDB_INDEX_NOTUNIQUE, ['videohash']);
        $table->add_index('userid', XMLDB_INDEX_NOTUNIQUE, ['userid']);
        if (!$dbman->table_exists($table)) {
            $dbman->create_table($table);
        }

        // Lectures that play today keep playing: every course's own texts are scanned once, as the
        // site (userid 0), the front page too.
        foreach ($DB->get_fieldset_select('course', 'id', '1 = 1') as $courseid) {
            \filter_hlsgate\local\embed_registry::sync_course((int) $courseid, 0);
        }
        upgrade_plugin_savepoint(true, 2026120700, 'filter', 'hlsgate');
    }
    if ($oldversion < 2026120702) {
        // Transcripts of embedded videos for Moodle's search (issue 19).
        $table = new xmldb_table('filter_hlsgate_transcript');
        $table->add_field('id', XMLDB_TYPE_INTEGER, '10', null, XMLDB_NOTNULL, XMLDB_SEQUENCE, null);
        $table->add_field('videohash', XMLDB_TYPE_CHAR, '40', null, XMLDB_NOTNULL, null, null);
        $table->add_field('resource', XMLDB_TYPE_TEXT, null, null, XMLDB_NOTNULL, null, null);
        $table->add_field('windowindex', XMLDB_TYPE_INTEGER, '10', null, XMLDB_NOTNULL, null, null);
        $table->add_field('starttime', XMLDB_TYPE_NUMBER, '12, 3', null, XMLDB_NOTNULL, null, '0');
        $table->add_field('endtime', XMLDB_TYPE_NUMBER, '12, 3', null, XMLDB_NOTNULL, null, '0');
        $table->add_field('content', XMLDB_TYPE_TEXT, null, null, XMLDB_NOTNULL, null, null);
        $table->add_field('timefetched', XMLDB_TYPE_INTEGER, '10', null, XMLDB_NOTNULL, null, '0');
        $table->add_field('timechecked', XMLDB_TYPE_INTEGER, '10', null, XMLDB_NOTNULL, null, '0');
        $table->add_key('primary', XMLDB_KEY_PRIMARY, ['id']);
        $table->add_index('videowindow', XMLDB_INDEX_UNIQUE, ['videohash', 'windowindex']);
        if (!$dbman->table_exists($table)) {
            $dbman->create_table($table);
        }
        upgrade_plugin_savepoint(true, 2026120702, 'filter', 'hlsgate');
    }
    return true;
}
