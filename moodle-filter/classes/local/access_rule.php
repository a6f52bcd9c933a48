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

use core_external\external_api;

/**
 * Who may play which video: the access rule of every web service that acts on one player of the
 * filter (filter_hlsgate_get_playback, and progress), and the filter's side of it.
 *
 * A player may be played only when all of these hold (DESIGN.md, step 3):
 * - its context is a course, an activity, or a block inside either; never the system, a category
 *   or a user context, where require_login would check no more than "is logged in";
 * - the user may enter that course and activity (require_login with them: enrolment or guest
 *   access, visibility, availability) and holds filter/hlsgate:view there (and moodle/block:view
 *   in a block);
 * - an embed record says that the video is embedded in that context ({@see embed_registry}): made
 *   from what a holder of filter/hlsgate:embed saved there, never from text someone merely got
 *   filtered. The markup's data-hlsgate-grant of older versions is ignored;
 * - the URL opens one video under an allowed media base: a pasted media URL by itself, a
 *   pluginfile.php copy or alias only when it lies in that context, in an area that every viewer
 *   of the context may read ({@see pluginfile_url::is_shared_in()}), and only where the owner's
 *   rules would let this user download the file ({@see self::may_download()}: a hidden chapter or
 *   section). A file without a record, one the user may not download and a name that does not
 *   exist all get the same answer, error:notembedded, and nothing is read before that.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class access_rule {
    /** Refusals of a playlist file that say "not an hlsgate playlist": the filter leaves it to Moodle's player. */
    private const NOT_OURS = ['error:notaplaylist', 'error:relativeuris', 'error:notallowed', 'error:severalvideos'];

    /**
     * Checks that the current user may play the player the filter rendered with these attributes.
     *
     * Call it first in every web service about one player, with the player's attributes as the
     * browser sent them; it does the service's require_login (external_api::validate_context).
     *
     * @param int $contextid data-hlsgate-contextid of the player
     * @param string $url data-hlsgate-src of the player
     * @param string $grant ignored (the markup of older versions carried one); kept for old players
     * @return playback_access the context, course, activity and the video it opens
     * @throws \moodle_exception every refusal, with a language string: error:nocontext, error:wrongcontextlevel,
     *     require_login_exception, required_capability_exception, error:notallowed, error:notembedded,
     *     error:filenotfound, error:filegone, error:notaplaylist, ...
     */
    public static function check(int $contextid, string $url, string $grant = ''): playback_access {
        global $CFG;
        $context = $contextid > 0 ? \context::instance_by_id($contextid, IGNORE_MISSING) : false;
        if (!$context) {
            throw new \moodle_exception('error:nocontext', 'filter_hlsgate');
        }
        $place = self::place_of($context);
        if ($place === null) {
            throw new \moodle_exception('error:wrongcontextlevel', 'filter_hlsgate');
        }
        // Logged in, and allowed into the course and activity of that context (require_login).
        external_api::validate_context($context);
        if ($context->contextlevel == CONTEXT_BLOCK) {
            require_capability('moodle/block:view', $context);
        }
        require_capability('filter/hlsgate:view', $context);

        try {
            $config = plugin_config::from_settings(get_config('filter_hlsgate'), $CFG->wwwroot);
            $canonical = $config->url_policy()->canonical($url);
            if ($canonical === null) {
                throw new playback_error(
                    'error:notallowed',
                    'The URL is neither a playlist file of this site nor under an allowed media base URL.'
                );
            }
            $file = pluginfile_url::parse($canonical, $config->wwwroot);
            $pasted = $file === null ? $config->bases->resource_for_playlist_url($canonical) : null;
            if ($context->contextlevel == CONTEXT_BLOCK) {
                // Core has no event for a block's settings: every request rescans the block's one text
                // (one row), so an added link plays and a dropped one stops at once.
                embed_registry::sync_context($context, 0);
            }
            $embedded = embed_registry::is_embedded($context, $canonical, $pasted);
            $zero = $file === null ? null : $file->revision_zero_spelling($config->wwwroot);
            if (!$embedded && $zero !== null) {
                // The app's spelling of a Page's files at revision 0: the same file, recorded with its /0/.
                $embedded = embed_registry::is_embedded($context, $zero, null);
            }
            // One answer for "not embedded", "may not download" and "no such file": nothing tells a file exists.
            if (!$embedded || ($file !== null && !self::may_download($context, $file, $place))) {
                throw new playback_error('error:notembedded', 'This video is not embedded here.');
            }
            $resolver = new resource_resolver($config, static fn(pluginfile_url $f): string => self::read_shared_file($f, $place));
            ['resource' => $resource, 'playlisturl' => $playlisturl] = $resolver->resolve($canonical, (int) $context->id);
            if ($file !== null) {
                embed_registry::note_resource($context, $canonical, $resource);
            }
        } catch (playback_error $e) {
            throw new \moodle_exception($e->errorcode, 'filter_hlsgate', '', $e->a, $e->getMessage());
        }
        [, $course, $cm] = get_context_info_array($context->id);
        return new playback_access($context, $course, $cm ?: null, $canonical, $resource, $playlisturl);
    }

    /**
     * Whether the current user may play a video embedded in a context: the rule of {@see self::check()}
     * as a yes or no, for Moodle's search (a hit per transcript window), with no side effect on the
     * page and no read of the playlist file.
     *
     * Where check() calls require_login, this asks what require_login asks: logged in (not as the
     * guest when the course has no guest access), the course visible to the user and the user
     * enrolled (active) or viewing it, the activity visible and available to them.
     *
     * @param \context $context the embed's context
     * @param string $url the embed's canonical playlist URL
     * @return bool
     */
    public static function may_view(\context $context, string $url): bool {
        global $CFG;
        $place = self::place_of($context);
        if ($place === null || !isloggedin()) {
            return false;
        }
        [, $course, $cm] = get_context_info_array($context->id);
        if (!$course || !can_access_course($course, null, '', true)) {
            return false;
        }
        if ($cm) {
            $cminfo = get_fast_modinfo($course)->get_cm($cm->id);
            if (!$cminfo->uservisible) {
                return false;
            }
        }
        if ($context->contextlevel == CONTEXT_BLOCK && !has_capability('moodle/block:view', $context)) {
            return false;
        }
        if (!has_capability('filter/hlsgate:view', $context)) {
            return false;
        }
        $config = plugin_config::from_settings(get_config('filter_hlsgate'), $CFG->wwwroot);
        $canonical = $config->url_policy()->canonical($url);
        if ($canonical === null) {
            return false;
        }
        $file = pluginfile_url::parse($canonical, $config->wwwroot);
        $pasted = $file === null ? $config->bases->resource_for_playlist_url($canonical) : null;
        return embed_registry::is_embedded($context, $canonical, $pasted)
            && ($file === null || self::may_download($context, $file, $place));
    }

    /**
     * The filter's side: whether a URL it matched becomes a player here. Nothing is minted: the
     * markup is the same for every viewer and proves nothing; the embed records decide.
     *
     * A pluginfile.php playlist becomes a player only when it could play there: a file of this
     * context, in an area every viewer of it may read, that is an hlsgate master playlist (a file
     * whose source is gone or missing still gets a player, which then says so). Any other
     * pluginfile.php .m3u8 (relative URIs, foreign hosts, another page's file, a submission) is
     * Moodle's business. Pasted media URLs always become players.
     *
     * @param \context $context the context the text is rendered in
     * @param string $url the URL the matcher accepted
     * @param plugin_config $config the settings
     * @return bool
     */
    public static function renders(\context $context, string $url, plugin_config $config): bool {
        $canonical = $config->url_policy()->canonical($url);
        if ($canonical === null) {
            return false;
        }
        $pluginfile = pluginfile_url::parse($canonical, $config->wwwroot);
        if ($pluginfile === null) {
            return true;
        }
        try {
            self::resource_of_file($context, $pluginfile, $config);
        } catch (playback_error $e) {
            if (
                $e->errorcode === 'error:wrongarea' || $e->errorcode === 'error:wrongcontext'
                    || in_array($e->errorcode, self::NOT_OURS, true)
            ) {
                return false;
            }
        }
        return true;
    }

    /**
     * The video a playlist file of a context opens (no user checks: the caller made them, or is a scan).
     *
     * @param \context $context
     * @param pluginfile_url $file
     * @param plugin_config $config
     * @return string the resource
     * @throws playback_error error:wrongcontext, error:wrongarea, error:filenotfound, error:notaplaylist, ...
     */
    public static function resource_of_file(\context $context, pluginfile_url $file, plugin_config $config): string {
        // The context first: a file of another context is refused without a query (the filter asks this of every text).
        if ($file->contextid !== (int) $context->id) {
            throw new playback_error('error:wrongcontext', 'The playlist file belongs to another context.');
        }
        $place = self::place_of($context);
        if ($place === null) {
            throw new playback_error('error:wrongcontext', 'The playlist file belongs to another context.');
        }
        return playlist_parser::resource_of(self::read_shared_file($file, $place), $config->bases);
    }

    /**
     * Whether the owner of a shared file area would let the current user download that file: the
     * checks of core's pluginfile callbacks beyond require_login (done), asked of core's own state.
     * Stricter than core for section summaries: core serves a hidden section's files to anyone in
     * the course, the course page does not show the section, and neither does this.
     *
     * @param \context $context the player's context (the file's, checked by the caller)
     * @param pluginfile_url $file
     * @param array $place (array{level: string, plugin: string})
     * @return bool
     */
    public static function may_download(\context $context, pluginfile_url $file, array $place): bool {
        global $DB;
        if ($file->contextid !== (int) $context->id || !$file->is_shared_in($place['level'], $place['plugin'])) {
            return false;
        }
        $itemid = isset($file->args[0]) && preg_match('/^[0-9]{1,18}$/', $file->args[0]) ? (int) $file->args[0] : null;
        if ($file->component === 'course' && $file->filearea === 'section') {
            if ($itemid === null) {
                return false;
            }
            $section = get_fast_modinfo($context->instanceid)->get_section_info_by_id($itemid, IGNORE_MISSING);
            return $section !== null && $section->uservisible;
        }
        if ($file->component === 'mod_book' && $file->filearea === 'chapter') {
            [, , $cm] = get_context_info_array($context->id);
            $chapter = $itemid === null || !$cm ? false
                : $DB->get_record('book_chapters', ['id' => $itemid, 'bookid' => $cm->instance], 'id, hidden');
            return $chapter && (!$chapter->hidden || has_capability('mod/book:viewhiddenchapters', $context));
        }
        // Module descriptions, a page's content, a course summary, an HTML block: require_login and
        // the activity's visibility (checked by the caller) are all core asks.
        return true;
    }

    /**
     * Where a context is, for the file areas its text may play from: null for the contexts that
     * never get a token (system, category, user, and blocks outside courses).
     *
     * @param \context $context
     * @return array{level: string, plugin: string}|null level course, module or block; plugin the
     *     module's or block's name
     */
    private static function place_of(\context $context): ?array {
        global $DB;
        switch ($context->contextlevel) {
            case CONTEXT_COURSE:
                return ['level' => 'course', 'plugin' => ''];
            case CONTEXT_MODULE:
                $cm = get_coursemodule_from_id('', $context->instanceid, 0, false, IGNORE_MISSING);
                return $cm ? ['level' => 'module', 'plugin' => $cm->modname] : null;
            case CONTEXT_BLOCK:
                $parent = $context->get_parent_context();
                if (!$parent || !in_array((int) $parent->contextlevel, [CONTEXT_COURSE, CONTEXT_MODULE], true)) {
                    return null;
                }
                $blockname = $DB->get_field('block_instances', 'blockname', ['id' => $context->instanceid]);
                return $blockname === false ? null : ['level' => 'block', 'plugin' => (string) $blockname];
            default:
                return null;
        }
    }

    /**
     * The bytes of a playlist file of a shared area, a copy or an alias.
     *
     * Aliases of the File system repository keep no content in Moodle's file pool (only images are
     * synchronised), so they are read from the repository's own folder.
     *
     * @param pluginfile_url $url the parsed URL
     * @param array $place where the text is ({@see self::place_of()}) (array{level: string, plugin: string})
     * @return string
     * @throws playback_error 'error:wrongarea', 'error:filenotfound', 'error:filegone' or 'error:notaplaylist'
     */
    private static function read_shared_file(pluginfile_url $url, array $place): string {
        global $CFG;
        if (!$url->is_shared_in($place['level'], $place['plugin'])) {
            throw new playback_error('error:wrongarea', "Files of {$url->component}/{$url->filearea} are not played here.");
        }
        $fs = get_file_storage();
        $file = null;
        foreach ($url->candidates() as $candidate) {
            $file = $fs->get_file(
                $url->contextid,
                $url->component,
                $url->filearea,
                $candidate['itemid'],
                $candidate['filepath'],
                $candidate['filename']
            );
            if ($file && !$file->is_directory()) {
                break;
            }
            $file = null;
        }
        if (!$file) {
            throw new playback_error('error:filenotfound', 'No stored file matches the playlist URL.', $url->filename);
        }
        if ($file->is_external_file() && $file->get_repository_type() === 'filesystem') {
            require_once($CFG->dirroot . '/repository/lib.php');
            try {
                $repository = \repository::get_repository_by_id($file->get_repository_id(), \context_system::instance());
                $path = $repository->get_file($file->get_reference())['path'] ?? '';
            } catch (\Throwable $e) {
                throw new playback_error('error:filegone', $e->getMessage(), $url->filename);
            }
            if ($path === '' || !is_file($path) || !is_readable($path)) {
                throw new playback_error('error:filegone', 'The file the alias points to is gone.', $url->filename);
            }
            if (filesize($path) > playlist_parser::MAX_BYTES) {
                throw new playback_error('error:notaplaylist', 'The file is too large to be an HLS playlist.');
            }
            $content = file_get_contents($path);
            if ($content === false) {
                throw new playback_error('error:filegone', 'The file the alias points to cannot be read.', $url->filename);
            }
            return $content;
        }
        if ($file->get_filesize() > playlist_parser::MAX_BYTES) {
            throw new playback_error('error:notaplaylist', 'The file is too large to be an HLS playlist.');
        }
        try {
            return $file->get_content();
        } catch (\Throwable $e) {
            throw new playback_error('error:filegone', $e->getMessage(), $url->filename);
        }
    }
}
