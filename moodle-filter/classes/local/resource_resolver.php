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
 * Which video a playlist URL of the player markup opens: the view token's resource.
 *
 * A pluginfile.php URL is resolved through the stored file (copy or alias) whose master playlist
 * names `<media base><dir>/...`; a pasted URL must itself be `<media base><dir>/....m3u8`. Anything
 * else is refused. Reading the stored file is Moodle's business, passed in as a function.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class resource_resolver {
    /** Name of the master playlist in every video folder on the media host (common/contracts.ts LAYOUT). */
    public const MASTER = 'master.m3u8';

    /** @var plugin_config the settings */
    private plugin_config $config;

    /** @var \Closure(pluginfile_url): string reads the playlist file, throws playback_error */
    private \Closure $readfile;

    /**
     * Constructor.
     *
     * @param plugin_config $config the settings
     * @param callable $readfile (callable(pluginfile_url): string) returns the bytes of the stored file;
     *     throws playback_error 'error:filenotfound' or 'error:filegone'
     */
    public function __construct(plugin_config $config, callable $readfile) {
        $this->config = $config;
        $this->readfile = \Closure::fromCallable($readfile);
    }

    /**
     * What the player plays and what the token opens.
     *
     * The player is given the master playlist on the media host, `<resource>master.m3u8` (ingest's
     * layout), not the pluginfile.php copy: every request of the video then lies under the cookies'
     * path, where the player's refresh and 403 recovery apply, and Moodle serves no playlist.
     *
     * @param string $url playlist URL from the player markup
     * @param int $contextid context the markup was shown in (already checked for the user)
     * @return array{resource: string, playlisturl: string}
     * @throws playback_error when the URL opens nothing this site may hand out
     */
    public function resolve(string $url, int $contextid): array {
        $url = trim($url);
        $pluginfile = pluginfile_url::parse($url, $this->config->wwwroot);
        if ($pluginfile !== null) {
            // The user was checked against $contextid: the file must be of that same context.
            if ($pluginfile->contextid !== $contextid) {
                throw new playback_error('error:wrongcontext', 'The playlist file belongs to another context.');
            }
            $resource = playlist_parser::resource_of(($this->readfile)($pluginfile), $this->config->bases);
            return ['resource' => $resource, 'playlisturl' => $resource . self::MASTER];
        }
        $resource = $this->config->bases->resource_for_playlist_url($url);
        if ($resource === null) {
            throw new playback_error('error:notallowed', 'The playlist URL is not under an allowed media base URL.', $url);
        }
        return ['resource' => $resource, 'playlisturl' => $url];
    }
}
