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
 * - the filter rendered that very URL in that very context: the embed grant of the markup is the
 *   HMAC of both with the site's key ({@see embed_grant});
 * - the URL opens one video under an allowed media base: a pasted media URL by itself, a
 *   pluginfile.php copy or alias only when it lies in that context, in an area that every viewer
 *   of the context may read ({@see pluginfile_url::is_shared_in()}). Nothing is read before the
 *   checks above passed, so a refusal tells nothing about files the user may not read.
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
     * @param string $grant data-hlsgate-grant of the player
     * @return playback_access the context, course, activity and the video it opens
     * @throws \moodle_exception every refusal, with a language string: error:nocontext, error:wrongcontextlevel,
     *     require_login_exception, required_capability_exception, error:notallowed, error:notembedded,
     *     error:wrongcontext, error:wrongarea, error:filenotfound, error:filegone, error:notaplaylist, ...
     */
    public static function check(int $contextid, string $url, string $grant): playback_access {
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
                throw new playback_error('error:notallowed', 'The URL is neither a playlist file of this site nor under an allowed media base URL.');
            }
            if (!$config->embed_grant()->verify((int) $context->id, $canonical, $grant)) {
                throw new playback_error('error:notembedded', 'The filter did not render this URL in this context.');
            }
            $resolver = new resource_resolver($config, static fn(pluginfile_url $file): string => self::read_shared_file($file, $place));
            ['resource' => $resource, 'playlisturl' => $playlisturl] = $resolver->resolve($canonical, (int) $context->id);
        } catch (playback_error $e) {
            throw new \moodle_exception($e->errorcode, 'filter_hlsgate', '', $e->a, $e->getMessage());
        }
        [, $course, $cm] = get_context_info_array($context->id);
        return new playback_access($context, $course, $cm ?: null, $canonical, $resource, $playlisturl);
    }

    /**
     * The filter's side: the embed grant to put in the placeholder of a URL it matched, or null to
     * leave the link to Moodle's own media player.
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
     * @return string|null the grant ('' when the site has no embed key yet), or null
     */
    public static function grant_for(\context $context, string $url, plugin_config $config): ?string {
        $canonical = $config->url_policy()->canonical($url);
        if ($canonical === null) {
            return null;
        }
        $pluginfile = pluginfile_url::parse($canonical, $config->wwwroot);
        if ($pluginfile !== null) {
            $place = self::place_of($context);
            if ($place === null || $pluginfile->contextid !== (int) $context->id) {
                return null;
            }
            try {
                playlist_parser::resource_of(self::read_shared_file($pluginfile, $place), $config->bases);
            } catch (playback_error $e) {
                if ($e->errorcode === 'error:wrongarea' || in_array($e->errorcode, self::NOT_OURS, true)) {
                    return null;
                }
            }
        }
        try {
            return $config->embed_grant()->sign((int) $context->id, $canonical);
        } catch (playback_error $e) {
            // No key yet: the placeholder is still written, and the web service says "not set up".
            return '';
        }
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
     * @param array{level: string, plugin: string} $place where the text is ({@see self::place_of()})
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
            $file = $fs->get_file($url->contextid, $url->component, $url->filearea, $candidate['itemid'],
                $candidate['filepath'], $candidate['filename']);
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
