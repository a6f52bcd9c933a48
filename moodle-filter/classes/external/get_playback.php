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
use filter_hlsgate\local\access_rule;
use filter_hlsgate\local\playback_error;
use filter_hlsgate\local\plugin_config;
use filter_hlsgate\local\progress_store;
use filter_hlsgate\local\transcript_store;
use filter_hlsgate\local\token_minter;
use filter_hlsgate\local\watermark;

/**
 * filter_hlsgate_get_playback: a view token for the video behind a player of the filter.
 *
 * The access rule ({@see access_rule::check()}) decides; this only mints. Every refusal is a
 * moodle_exception with a language string, and no token.
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
            'contextid' => new external_value(
                PARAM_INT,
                'Context the player was shown in (data-hlsgate-contextid)',
                VALUE_REQUIRED,
                null,
                NULL_NOT_ALLOWED
            ),
            'url' => new external_value(
                PARAM_RAW,
                'Playlist URL of the player (data-hlsgate-src)',
                VALUE_REQUIRED,
                null,
                NULL_NOT_ALLOWED
            ),
            'grant' => new external_value(
                PARAM_RAW,
                'Embed grant of the player (data-hlsgate-grant)',
                VALUE_DEFAULT,
                '',
                NULL_NOT_ALLOWED
            ),
        ]);
    }

    /**
     * Mints the token.
     *
     * @param int $contextid context the player was shown in
     * @param string $url playlist URL of the player
     * @param string $grant embed grant of the player
     * @return array{token: string, sessionurl: string, watermark: string, resource: string, playlisturl: string,
     *     expiresat: int, lastposition: float, duration: float, captionsnotice: string}
     */
    public static function execute(int $contextid, string $url, string $grant = ''): array {
        global $CFG, $USER;
        ['contextid' => $contextid, 'url' => $url, 'grant' => $grant] = self::validate_parameters(
            self::execute_parameters(),
            ['contextid' => $contextid, 'url' => $url, 'grant' => $grant]
        );

        $access = access_rule::check($contextid, $url, $grant);

        try {
            $config = plugin_config::from_settings(get_config('filter_hlsgate'), $CFG->wwwroot);
            $minter = $config->minter();
            $sessionurl = $config->session_url();
            // With "Log in as", the token and the watermark name the person watching.
            $real = \core\session\manager::is_loggedinas() ? \core\session\manager::get_realuser() : $USER;
            $wm = self::watermark(
                $config->watermarktemplate,
                \core_user::get_user($real->id) ?: $real,
                $real->id != $USER->id ? fullname($USER) : null
            );
            $now = time();
            $claims = token_minter::view_claims(
                $config->issuer,
                (string) $real->id,
                $access->resource,
                $now,
                $config->lifetime,
                $wm,
                (string) $access->course->id
            );
            $token = $minter->mint($claims);
        } catch (playback_error $e) {
            throw new \moodle_exception($e->errorcode, 'filter_hlsgate', '', $e->a, $e->getMessage());
        } catch (\JsonException $e) {
            throw new \moodle_exception('error:token', 'filter_hlsgate', '', null, $e->getMessage());
        }

        return [
            'token' => $token,
            'sessionurl' => $sessionurl,
            'watermark' => $wm,
            'resource' => $access->resource,
            'playlisturl' => $access->playlisturl,
            'expiresat' => $claims['exp'],
            'captionsnotice' => self::captions_notice($access->course, $access->resource),
        ] + self::resume_point($access->context, $access->resource);
    }

    /**
     * What became of the video's automatic captions, for teachers (the report's capability in the
     * course): never for students. Read from the transcript store (the master's captions status at
     * its last read by the search indexer's task).
     *
     * @param \stdClass $course
     * @param string $resource
     * @return string plain text; '' when not allowed or nothing is known
     */
    public static function captions_notice(\stdClass $course, string $resource): string {
        if (!has_capability('filter/hlsgate:viewreport', \context_course::instance($course->id))) {
            return '';
        }
        $status = transcript_store::status_of($resource);
        return $status === null ? '' : get_string('captionsnotice', 'filter_hlsgate', transcript_store::status_text($status));
    }

    /**
     * Where this user stopped last time in this context (filter_hlsgate_save_progress), for "resume".
     *
     * @param \context $context
     * @param string $resource
     * @return array{lastposition: float, duration: float} zeros when nothing is stored
     */
    private static function resume_point(\context $context, string $resource): array {
        global $USER;
        $row = progress_store::get((int) $USER->id, (int) $context->id, $resource);
        return ['lastposition' => $row ? (float) $row->lastposition : 0.0, 'duration' => $row ? (float) $row->duration : 0.0];
    }

    /**
     * The watermark text of a viewer.
     *
     * @param string $template the setting
     * @param \stdClass $user the person watching
     * @param string|null $asname full name of the user they are logged in as, if any
     * @return string '' when the template is empty
     */
    private static function watermark(string $template, \stdClass $user, ?string $asname): string {
        $wm = watermark::render($template, [
            'fullname' => fullname($user),
            'firstname' => $user->firstname ?? '',
            'lastname' => $user->lastname ?? '',
            'email' => $user->email ?? '',
            'username' => $user->username ?? '',
            'idnumber' => $user->idnumber ?? '',
            'id' => $user->id,
        ]);
        if ($wm === '' || $asname === null) {
            return $wm;
        }
        // Room for "as Y" within the watermark's length.
        $real = mb_substr($wm, 0, intdiv(watermark::MAX_LENGTH * 2, 3));
        return watermark::clean(get_string('watermark:loginas', 'filter_hlsgate', ['real' => $real, 'user' => $asname]));
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
            'captionsnotice' => new external_value(PARAM_TEXT, 'For those who may see the course report '
                . '(filter/hlsgate:viewreport) only: what became of the video\'s automatic captions and why, as plain '
                . 'text; empty for everyone else and when nothing is known', VALUE_OPTIONAL),
        ]);
    }
}
