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
 * Embed records: which videos a context embeds, made only from what a holder of filter/hlsgate:embed
 * saved there (table filter_hlsgate_embed; DESIGN.md step 3).
 *
 * A record is made by scanning the texts a context owns — the texts only its editors write: a
 * course's summary and section summaries, an activity's description, a page's content, a book's
 * chapters, an HTML block's content — never by rendering: core filters caller-supplied text in any
 * context the caller may enter (tiny_equation_filter, Atto's equation ajax.php), so what the filter
 * sees proves nothing about who wrote it. The scans are started by the events of saving those texts
 * ({@see \filter_hlsgate\embed_observer}), by a course restore or import, by the upgrade (existing
 * lectures keep playing), and for blocks (core has no event for a block's settings) by the first
 * request that misses. A scan by a user who lacks filter/hlsgate:embed there only removes records
 * (a dropped link stops playing); it adds none.
 *
 * Queryable both ways: {@see self::videos_in()} (context → videos) and {@see self::contexts_of()}
 * (video → contexts), for the search feature.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class embed_registry {
    /** The table. */
    public const TABLE = 'filter_hlsgate_embed';

    /** The capability of making embeds. */
    public const CAPABILITY = 'filter/hlsgate:embed';

    /** Source of an explicit grant ({@see self::grant()}): never removed by a scan. */
    public const GRANT_COMPONENT = 'filter_hlsgate';

    /**
     * Whether a video is embedded in a context: a record of that canonical URL there, or (for a
     * pasted media URL, whose video is known from the URL alone) a record of the same video there.
     *
     * @param \context $context
     * @param string $canonicalurl {@see url_policy::canonical()}
     * @param string|null $resource the video of a pasted media URL, null for a pluginfile.php URL
     * @return bool
     */
    public static function is_embedded(\context $context, string $canonicalurl, ?string $resource): bool {
        global $DB;
        if ($DB->record_exists(self::TABLE, ['contextid' => $context->id, 'urlhash' => sha1($canonicalurl)])) {
            return true;
        }
        return $resource !== null
            && $DB->record_exists(self::TABLE, ['contextid' => $context->id, 'videohash' => sha1($resource)]);
    }

    /**
     * Every video a context embeds.
     *
     * @param \context $context
     * @return \stdClass[] records (url, resource, component, filearea, itemid, userid, timecreated)
     */
    public static function videos_in(\context $context): array {
        global $DB;
        return array_values($DB->get_records(self::TABLE, ['contextid' => $context->id], 'id'));
    }

    /**
     * Every context that embeds a video.
     *
     * @param string $resource `<media base><dir>/`
     * @return int[] context ids
     */
    public static function contexts_of(string $resource): array {
        global $DB;
        return array_map('intval', $DB->get_fieldset_select(
            self::TABLE,
            'DISTINCT contextid',
            'videohash = ?',
            [sha1($resource)]
        ));
    }

    /**
     * An explicit embed by a holder of the capability (kept by scans).
     *
     * @param \context $context
     * @param string $url a playlist URL the filter turns into a player
     * @param int $userid who grants; must hold filter/hlsgate:embed there
     * @return bool false when the URL is no player URL
     */
    public static function grant(\context $context, string $url, int $userid): bool {
        require_capability(self::CAPABILITY, $context, $userid);
        $config = self::config();
        $canonical = $config->url_policy()->canonical($url);
        if ($canonical === null) {
            return false;
        }
        $found = [self::key(self::GRANT_COMPONENT, 'grant', 0, $canonical) => [
            'component' => self::GRANT_COMPONENT, 'filearea' => 'grant', 'itemid' => 0, 'url' => $canonical,
            'resource' => self::resource_of($context, $canonical, $config),
        ]];
        self::store($context, $found, $userid, false);
        return true;
    }

    /**
     * Rescans one context's own texts and brings its records in line.
     *
     * @param \context $context
     * @param int $userid who saved (0: the site itself — upgrade, a block's first request)
     * @return int records of the context afterwards
     */
    public static function sync_context(\context $context, int $userid): int {
        global $CFG, $DB;
        require_once($CFG->libdir . '/filelib.php');
        $config = self::config();
        $matcher = new link_matcher($config->url_policy());
        $found = [];
        foreach (self::texts_of($context) as $text) {
            if (!is_string($text['text']) || stripos($text['text'], '.m3u8') === false) {
                continue;
            }
            // Stored texts name their own files @@PLUGINFILE@@/…: the URLs the page shows.
            $html = file_rewrite_pluginfile_urls(
                $text['text'],
                'pluginfile.php',
                $context->id,
                $text['component'],
                $text['filearea'],
                $text['urlitemid']
            );
            foreach ($matcher->find($html) as $link) {
                $canonical = $config->url_policy()->canonical($link['url']);
                if ($canonical === null) {
                    continue;
                }
                $file = pluginfile_url::parse($canonical, $config->wwwroot);
                if ($file !== null && $file->contextid !== (int) $context->id) {
                    continue;
                }
                $found[self::key($text['component'], $text['filearea'], $text['itemid'], $canonical)] = [
                    'component' => $text['component'], 'filearea' => $text['filearea'], 'itemid' => $text['itemid'],
                    'url' => $canonical, 'resource' => self::resource_of($context, $canonical, $config),
                ];
            }
        }
        $mayadd = $userid === 0 || has_capability(self::CAPABILITY, $context, $userid);
        self::store($context, $found, $userid, !$mayadd, true);
        return $DB->count_records(self::TABLE, ['contextid' => $context->id]);
    }

    /**
     * Rescans a course's own context and every activity and block context in it (restore, import, upgrade).
     *
     * @param int $courseid
     * @param int $userid who restored (0: the site)
     */
    public static function sync_course(int $courseid, int $userid): void {
        global $DB;
        $coursecontext = \context_course::instance($courseid, IGNORE_MISSING);
        if (!$coursecontext) {
            return;
        }
        self::sync_context($coursecontext, $userid);
        $like = $DB->sql_like('path', ':path');
        $children = $DB->get_records_select(
            'context',
            "$like AND contextlevel IN (:module, :block)",
            ['path' => $coursecontext->path . '/%', 'module' => CONTEXT_MODULE, 'block' => CONTEXT_BLOCK],
            'id',
            'id'
        );
        foreach ($children as $child) {
            $context = \context::instance_by_id($child->id, IGNORE_MISSING);
            if ($context) {
                self::sync_context($context, $userid);
            }
        }
    }

    /**
     * Fills in the video of records made before their file could be read (a page saved before its
     * files were added): the access rule calls it once it has read the file.
     *
     * @param \context $context
     * @param string $canonicalurl
     * @param string $resource
     */
    public static function note_resource(\context $context, string $canonicalurl, string $resource): void {
        global $DB;
        $DB->set_field(self::TABLE, 'resource', $resource, ['contextid' => $context->id, 'urlhash' => sha1($canonicalurl),
            'videohash' => '']);
        $DB->set_field(self::TABLE, 'videohash', sha1($resource), ['contextid' => $context->id, 'urlhash' => sha1($canonicalurl),
            'videohash' => '']);
    }

    /**
     * Removes every record of a context (it was deleted).
     *
     * @param int $contextid
     */
    public static function forget_context(int $contextid): void {
        global $DB;
        $DB->delete_records(self::TABLE, ['contextid' => $contextid]);
    }

    /**
     * Writes what a scan or a grant found.
     *
     * @param \context $context
     * @param array $found by key: component, filearea, itemid, url, resource (array<string, array>)
     * @param int $userid
     * @param bool $removeonly add nothing (the user may not embed)
     * @param bool $isscan remove the scanned records that were not found (never the explicit grants)
     */
    private static function store(
        \context $context,
        array $found,
        int $userid,
        bool $removeonly = false,
        bool $isscan = false
    ): void {
        global $DB;
        $existing = [];
        foreach ($DB->get_records(self::TABLE, ['contextid' => $context->id]) as $record) {
            $key = self::key($record->component, $record->filearea, (int) $record->itemid, $record->url);
            if ($isscan && $record->component !== self::GRANT_COMPONENT && !isset($found[$key])) {
                $DB->delete_records(self::TABLE, ['id' => $record->id]);
                continue;
            }
            $existing[$key] = $record;
        }
        if ($removeonly) {
            return;
        }
        $now = time();
        foreach ($found as $key => $embed) {
            if (isset($existing[$key])) {
                if ($existing[$key]->resource !== $embed['resource'] && $embed['resource'] !== '') {
                    $DB->update_record(self::TABLE, (object) ['id' => $existing[$key]->id, 'resource' => $embed['resource'],
                        'videohash' => sha1($embed['resource'])]);
                }
                continue;
            }
            $DB->insert_record(self::TABLE, (object) [
                'contextid' => $context->id,
                'url' => $embed['url'],
                'urlhash' => sha1($embed['url']),
                'resource' => $embed['resource'],
                'videohash' => $embed['resource'] === '' ? '' : sha1($embed['resource']),
                'component' => $embed['component'],
                'filearea' => $embed['filearea'],
                'itemid' => $embed['itemid'],
                'userid' => $userid,
                'timecreated' => $now,
            ]);
        }
    }

    /**
     * The video a canonical URL opens, '' when it cannot be told now (a missing file).
     *
     * @param \context $context
     * @param string $canonical
     * @param plugin_config $config
     * @return string
     */
    private static function resource_of(\context $context, string $canonical, plugin_config $config): string {
        $file = pluginfile_url::parse($canonical, $config->wwwroot);
        if ($file === null) {
            return (string) $config->bases->resource_for_playlist_url($canonical);
        }
        try {
            return access_rule::resource_of_file($context, $file, $config);
        } catch (playback_error $e) {
            return '';
        }
    }

    /**
     * Key of one embed within a context.
     *
     * @param string $component
     * @param string $filearea
     * @param int $itemid
     * @param string $url
     * @return string
     */
    private static function key(string $component, string $filearea, int $itemid, string $url): string {
        return "$component/$filearea/$itemid/" . sha1($url);
    }

    /**
     * The settings.
     *
     * @return plugin_config
     */
    private static function config(): plugin_config {
        global $CFG;
        return plugin_config::from_settings(get_config('filter_hlsgate'), $CFG->wwwroot);
    }

    /**
     * The texts a context owns: those only its editors write.
     *
     * @param \context $context
     * @return array<int, array{component: string, filearea: string, itemid: int, urlitemid: ?int, text: ?string}>
     *     urlitemid: the item id its @@PLUGINFILE@@ URLs are shown with
     */
    public static function texts_of(\context $context): array {
        global $DB;
        $texts = [];
        switch ($context->contextlevel) {
            case CONTEXT_COURSE:
                $summary = $DB->get_field('course', 'summary', ['id' => $context->instanceid]);
                $texts[] = ['component' => 'course', 'filearea' => 'summary', 'itemid' => 0, 'urlitemid' => null,
                    'text' => $summary ?: ''];
                foreach ($DB->get_records('course_sections', ['course' => $context->instanceid], 'section', 'id, summary') as $s) {
                    $texts[] = ['component' => 'course', 'filearea' => 'section', 'itemid' => (int) $s->id,
                        'urlitemid' => (int) $s->id, 'text' => $s->summary];
                }
                break;
            case CONTEXT_MODULE:
                $cm = get_coursemodule_from_id('', $context->instanceid, 0, false, IGNORE_MISSING);
                if (!$cm) {
                    break;
                }
                $component = 'mod_' . $cm->modname;
                $instance = $DB->get_record($cm->modname, ['id' => $cm->instance]);
                if (!$instance) {
                    break;
                }
                if (isset($instance->intro)) {
                    $texts[] = ['component' => $component, 'filearea' => 'intro', 'itemid' => 0, 'urlitemid' => null,
                        'text' => $instance->intro];
                }
                if ($cm->modname === 'page') {
                    // The mod_page module shows its files under its revision.
                    $texts[] = ['component' => $component, 'filearea' => 'content', 'itemid' => 0,
                        'urlitemid' => (int) $instance->revision, 'text' => $instance->content];
                } else if ($cm->modname === 'book') {
                    foreach ($DB->get_records('book_chapters', ['bookid' => $cm->instance], 'id', 'id, content') as $chapter) {
                        $texts[] = ['component' => $component, 'filearea' => 'chapter', 'itemid' => (int) $chapter->id,
                            'urlitemid' => (int) $chapter->id, 'text' => $chapter->content];
                    }
                }
                break;
            case CONTEXT_BLOCK:
                $block = $DB->get_record('block_instances', ['id' => $context->instanceid], 'id, blockname, configdata');
                if ($block && $block->blockname === 'html' && is_string($block->configdata) && $block->configdata !== '') {
                    $config = unserialize_object(base64_decode($block->configdata));
                    $texts[] = ['component' => 'block_html', 'filearea' => 'content', 'itemid' => 0, 'urlitemid' => null,
                        'text' => is_object($config) && isset($config->text) && is_string($config->text) ? $config->text : ''];
                }
                break;
        }
        return $texts;
    }
}
