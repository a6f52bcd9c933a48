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

namespace filter_hlsgate\search;

use filter_hlsgate\local\access_rule;
use filter_hlsgate\local\embed_registry;
use filter_hlsgate\local\transcript;
use filter_hlsgate\local\transcript_store;

/**
 * Global search area "Lecture transcripts": what is said in the lectures a course embeds.
 *
 * One document per transcript window (about a minute) per context that embeds the video (the
 * embed records of {@see embed_registry}: the first record of each video in each context). Its
 * link opens the page that embeds the lecture at the window's time (`#t=754`). The transcripts
 * come from {@see transcript_store}, which this area asks to read the due ones before each
 * indexing run; a read that fails is logged and retried by the next run.
 *
 * Documents sit in the course's context, so that the engine's first filter (the courses the user
 * may search) applies; the embed's own context (an activity, a block) is checked by
 * {@see self::check_access()} with the rule of playback ({@see access_rule::may_view()}). Item ids
 * encode the embed record and the window: embed id × {@see self::ITEMS_PER_EMBED} + window.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class lecture extends \core_search\base {
    /** Item ids per embed record: one more than the windows a video may have. */
    public const ITEMS_PER_EMBED = transcript::MAX_WINDOWS + 1;

    /** @var array embed and window rows that check_access() found, by item id, for get_doc_url() */
    private array $found = [];

    /** @var int[] documents live in course contexts */
    protected static $levels = [CONTEXT_COURSE];

    #[\Override]
    public function get_document_recordset($modifiedfrom = 0, ?\context $context = null) {
        global $DB;
        foreach (transcript_store::refresh_due(time()) as $resource => $why) {
            mtrace("filter_hlsgate: the transcript of $resource was not read ($why); the next run tries again.");
        }
        $modified = 'CASE WHEN e.timecreated > t.timefetched THEN e.timecreated ELSE t.timefetched END';
        $params = ['empty' => '', 'modifiedfrom' => (int) $modifiedfrom];
        $where = '';
        if ($context !== null && $context->contextlevel != CONTEXT_SYSTEM) {
            $where = ' AND (ctx.id = :ctxid OR ' . $DB->sql_like('ctx.path', ':ctxpath') . ')';
            $params += ['ctxid' => $context->id, 'ctxpath' => $context->path . '/%'];
        }
        $sql = "SELECT t.id, e.id AS embedid, e.contextid, t.windowindex, t.starttime, t.content, $modified AS modified
                  FROM {" . embed_registry::TABLE . "} e
                  JOIN (SELECT MIN(id) AS id FROM {" . embed_registry::TABLE . "} WHERE videohash <> :empty
                      GROUP BY contextid, videohash) f ON f.id = e.id
                  JOIN {" . transcript_store::TABLE . "} t ON t.videohash = e.videohash AND t.windowindex >= 0
                  JOIN {context} ctx ON ctx.id = e.contextid
                 WHERE $modified >= :modifiedfrom $where
              ORDER BY $modified, e.id, t.windowindex";
        return $DB->get_recordset_sql($sql, $params);
    }

    #[\Override]
    public function get_document($record, $options = []) {
        $context = \context::instance_by_id($record->contextid, IGNORE_MISSING);
        $coursecontext = $context ? $context->get_course_context(false) : false;
        if (!$coursecontext || (int) $record->windowindex >= self::ITEMS_PER_EMBED) {
            return false;
        }
        $itemid = (int) $record->embedid * self::ITEMS_PER_EMBED + (int) $record->windowindex;
        $doc = \core_search\document_factory::instance($itemid, $this->componentname, $this->areaname);
        $doc->set('title', get_string('search:lecturetitle', 'filter_hlsgate', [
            'name' => content_to_text($context->get_context_name(false, true), FORMAT_HTML),
            'time' => transcript::clock((float) $record->starttime),
        ]));
        // Plain text: the document's format is FORMAT_PLAIN, so the results page escapes it.
        $doc->set('content', $record->content);
        $doc->set('contextid', $coursecontext->id);
        $doc->set('courseid', $coursecontext->instanceid);
        $doc->set('owneruserid', \core_search\manager::NO_OWNER_ID);
        $doc->set('modified', (int) $record->modified);
        return $doc;
    }

    #[\Override]
    public function check_access($id) {
        $found = $this->find((int) $id);
        if ($found === null) {
            return \core_search\manager::ACCESS_DELETED;
        }
        return access_rule::may_view($found['context'], $found['embed']->url)
            ? \core_search\manager::ACCESS_GRANTED : \core_search\manager::ACCESS_DENIED;
    }

    #[\Override]
    public function get_doc_url(\core_search\document $doc) {
        $found = $this->find((int) $doc->get('itemid'));
        if ($found === null) {
            return new \moodle_url('/');
        }
        $url = self::page_url($found['context'], $found['embed']);
        $url->set_anchor('t=' . (int) floor((float) $found['window']->starttime));
        return $url;
    }

    #[\Override]
    public function get_context_url(\core_search\document $doc) {
        $found = $this->find((int) $doc->get('itemid'));
        return $found === null ? new \moodle_url('/') : self::page_url($found['context'], $found['embed']);
    }

    #[\Override]
    public function get_doc_icon(\core_search\document $doc): \core_search\document_icon {
        return new \core_search\document_icon('f/video');
    }

    #[\Override]
    public function get_category_names() {
        return [\core_search\manager::SEARCH_AREA_CATEGORY_COURSE_CONTENT];
    }

    /**
     * The embed record, its context and the window an item id names.
     *
     * @param int $itemid
     * @return array|null null when any is gone (array{embed: \stdClass, context: \context, window: \stdClass})
     */
    private function find(int $itemid): ?array {
        global $DB;
        if (array_key_exists($itemid, $this->found)) {
            return $this->found[$itemid];
        }
        $embedid = intdiv($itemid, self::ITEMS_PER_EMBED);
        $index = $itemid % self::ITEMS_PER_EMBED;
        $embed = $DB->get_record(embed_registry::TABLE, ['id' => $embedid]);
        $window = $embed && $embed->videohash !== ''
            ? $DB->get_record(transcript_store::TABLE, ['videohash' => $embed->videohash, 'windowindex' => $index]) : false;
        $context = $window ? \context::instance_by_id($embed->contextid, IGNORE_MISSING) : false;
        return $this->found[$itemid] = $context ? ['embed' => $embed, 'context' => $context, 'window' => $window] : null;
    }

    /**
     * The page that shows an embed's player: the activity (a book at its chapter), or the course
     * page for a course's texts and for a block on it.
     *
     * @param \context $context the embed's context
     * @param \stdClass $embed the embed record
     * @return \moodle_url
     */
    private static function page_url(\context $context, \stdClass $embed): \moodle_url {
        if ($context->contextlevel == CONTEXT_BLOCK) {
            $context = $context->get_parent_context();
        }
        if ($context->contextlevel == CONTEXT_MODULE) {
            $cm = get_coursemodule_from_id('', $context->instanceid, 0, false, IGNORE_MISSING);
            if ($cm) {
                $params = ['id' => $cm->id];
                if ($cm->modname === 'book' && $embed->component === 'mod_book' && $embed->filearea === 'chapter') {
                    $params['chapterid'] = (int) $embed->itemid;
                }
                return new \moodle_url('/mod/' . $cm->modname . '/view.php', $params);
            }
        }
        $coursecontext = $context->get_course_context(false);
        return new \moodle_url('/course/view.php', ['id' => $coursecontext ? $coursecontext->instanceid : SITEID]);
    }
}
