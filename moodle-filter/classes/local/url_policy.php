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
 * Which playlist URLs become protected players: pluginfile.php URLs of this site that name a
 * .m3u8 file (copies and aliases of files picked from the repository), and pasted URLs
 * `<allowed media base><dir>/....m3u8`. Everything else is left to the other filters.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class url_policy {
    /** Longer URLs are no playlist URL of ours (the auth server takes a `res` of at most 2048). */
    public const MAX_URL_LENGTH = 4096;

    /**
     * Constructor.
     *
     * @param string $wwwroot the site's address ($CFG->wwwroot)
     * @param media_bases $bases the allowed media base URLs
     */
    public function __construct(
        /** @var string the site's address */
        public readonly string $wwwroot,
        /** @var media_bases the allowed media base URLs */
        public readonly media_bases $bases,
    ) {
    }

    /**
     * Whether the URL becomes a player.
     *
     * @param string $url absolute URL, HTML entities already decoded
     * @return bool
     */
    public function accepts(string $url): bool {
        return $this->canonical($url) !== null;
    }

    /**
     * The URL the placeholder carries: a stored file's canonical pluginfile.php URL, whatever spelling
     * the text had, so that the token of a webservice/pluginfile.php or tokenpluginfile.php URL never
     * reaches the markup (filtered text is cached and shown to others); a pasted media URL as written.
     *
     * @param string $url a URL this policy accepts
     * @return string
     */
    public function markup_url(string $url): string {
        $pluginfile = pluginfile_url::parse(trim($url), $this->wwwroot);
        return $pluginfile === null ? $url : $pluginfile->canonical($this->wwwroot);
    }

    /**
     * The one spelling of a playlist URL that the embed grant signs and the web service works
     * from: null when the URL does not become a player.
     *
     * @param string $url absolute URL, HTML entities already decoded; surrounding white space is ignored
     * @return string|null
     */
    public function canonical(string $url): ?string {
        $url = trim($url);
        if (strlen($url) > self::MAX_URL_LENGTH) {
            return null;
        }
        $pluginfile = pluginfile_url::parse($url, $this->wwwroot);
        if ($pluginfile !== null) {
            return $pluginfile->canonical($this->wwwroot);
        }
        return $this->bases->canonical_playlist_url($url);
    }
}
