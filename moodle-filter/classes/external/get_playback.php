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
use core_external\external_single_structure;
use core_external\external_value;
use filter_hlsgate\local\playback_error;
use filter_hlsgate\local\playlist_parser;
use filter_hlsgate\local\plugin_config;
use filter_hlsgate\local\pluginfile_url;
use filter_hlsgate\local\progress_store;
use filter_hlsgate\local\resource_resolver;
use filter_hlsgate\local\token_minter;
use filter_hlsgate\local\watermark;

/**
 * filter_hlsgate_get_playback: a view token for the video behind a player of the filter.
 *
 * The user must be able to see the context the player was shown in; the playlist must lead to
 * `<allowed media base><dir>/`. Every refusal is a moodle_exception with a language string.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class get_playback extends external_api {
    /**
     * Parameters.
     *
     * @return external_function_parameters
     */
    public static function execute_parameters(): external_function_parameters {
        return new external_function_parameters([
            'contextid' => new external_value(PARAM_INT, 'Context the player was shown in (data-hlsgate-contextid)'),
            'url' => new external_value(PARAM_RAW, 'Playlist URL of the player (data-hlsgate-src)'),
        ]);
    }

    /**
     * Mints the token.
     *
     * @param int $contextid context the player was shown in
     * @param string $url playlist URL of the player
     * @return array{token: string, sessionurl: string, watermark: string, resource: string, playlisturl: string,
     *     expiresat: int, lastposition: float, duration: float}
     */
    public static function execute(int $contextid, string $url): array {
        global $CFG, $USER;
        ['contextid' => $contextid, 'url' => $url] = self::validate_parameters(self::execute_parameters(),
            ['contextid' => $contextid, 'url' => $url]);

        $context = \context::instance_by_id($contextid, IGNORE_MISSING);
        if (!$context) {
            throw new \moodle_exception('error:nocontext', 'filter_hlsgate');
        }
        // Logged in, and allowed into the course and activity of that context (require_login).
        self::validate_context($context);

        try {
            $config = plugin_config::from_settings(get_config('filter_hlsgate'), $CFG->wwwroot);
            $minter = $config->minter();
            $sessionurl = $config->session_url();
            $resolver = new resource_resolver($config, [self::class, 'read_playlist_file']);
            ['resource' => $resource, 'playlisturl' => $playlisturl] = $resolver->resolve($url, (int) $context->id);

            $user = \core_user::get_user($USER->id) ?: $USER;
            $wm = watermark::render($config->watermarktemplate, [
                'fullname' => fullname($user),
                'firstname' => $user->firstname ?? '',
                'lastname' => $user->lastname ?? '',
                'email' => $user->email ?? '',
                'username' => $user->username ?? '',
                'idnumber' => $user->idnumber ?? '',
                'id' => $user->id,
            ]);
            $coursecontext = $context->get_course_context(false);
            $now = time();
            $claims = token_minter::view_claims($config->issuer, (string) $USER->id, $resource, $now, $config->lifetime,
                $wm, $coursecontext ? (string) $coursecontext->instanceid : null);
            $token = $minter->mint($claims);
            $progress = progress_store::get((int) $USER->id, (int) $context->id, $resource);
        } catch (playback_error $e) {
            throw new \moodle_exception($e->errorcode, 'filter_hlsgate', '', $e->a, $e->getMessage());
        } catch (\JsonException $e) {
            throw new \moodle_exception('error:token', 'filter_hlsgate', '', null, $e->getMessage());
        }

        return [
            'token' => $token,
            'sessionurl' => $sessionurl,
            'watermark' => $wm,
            'resource' => $resource,
            'playlisturl' => $playlisturl,
            'expiresat' => $claims['exp'],
            'lastposition' => $progress ? (float) $progress->lastposition : 0.0,
            'duration' => $progress ? (float) $progress->duration : 0.0,
        ];
    }

    /**
     * Returns.
     *
     * @return external_single_structure
     */
    public static function execute_returns(): external_single_structure {
        return new external_single_structure([
            'token' => new external_value(PARAM_RAW, 'HS256 view token for POST /session of the auth server'),
            'sessionurl' => new external_value(PARAM_URL, 'POST /session of the auth server'),
            'watermark' => new external_value(PARAM_RAW, 'Text of the viewer watermark (also the wm claim); may be empty'),
            'resource' => new external_value(PARAM_RAW, 'The res claim: <media base><dir>/'),
            'playlisturl' => new external_value(PARAM_RAW, 'What the player plays: the master playlist on the media host'),
            'expiresat' => new external_value(PARAM_INT, 'exp of the token, epoch seconds'),
            'lastposition' => new external_value(PARAM_FLOAT, 'Where this user stopped last time (resume), seconds; 0 for none'),
            'duration' => new external_value(PARAM_FLOAT, 'Duration of the video as last reported, seconds; 0 when unknown'),
        ]);
    }

    /**
     * The bytes of the playlist file a pluginfile.php URL names, a copy or an alias.
     *
     * Aliases of the File system repository keep no content in Moodle's file pool (only images are
     * synchronised), so they are read from the repository's own folder.
     *
     * @param pluginfile_url $url the parsed URL
     * @return string
     * @throws playback_error 'error:filenotfound', 'error:filegone' or 'error:notaplaylist'
     */
    public static function read_playlist_file(pluginfile_url $url): string {
        global $CFG;
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
