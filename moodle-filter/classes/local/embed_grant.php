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
 * The embed grant: proof that the filter rendered a playlist URL in a context.
 *
 * An HMAC-SHA256 with the site's embed key over the context id and the canonical playlist URL
 * ({@see url_policy::canonical()}), base64url. It holds nothing about the viewer, so filtered text
 * stays cacheable; the web service recomputes it and refuses a URL that was never shown there,
 * whatever context is named. The key is made at install (db/install.php, db/upgrade.php) and is
 * never shown in the settings.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class embed_grant {
    /** Bytes of a new key. */
    private const KEY_BYTES = 32;

    /** Shortest key accepted (a key of the site, not a setting typed by someone). */
    public const MIN_KEY_LENGTH = 32;

    /** Separates the grant from any other HMAC made with the same key. */
    private const DOMAIN = "filter_hlsgate embed grant v1\n";

    /** @var string the site's embed key */
    private string $key;

    /**
     * Constructor.
     *
     * @param string $key the site's embed key (config filter_hlsgate/embedkey)
     * @throws playback_error 'error:notconfigured' when the key is missing or short
     */
    public function __construct(string $key) {
        if (strlen($key) < self::MIN_KEY_LENGTH) {
            throw new playback_error('error:notconfigured', 'The embed key of the site is missing; run the upgrade.');
        }
        $this->key = $key;
    }

    /**
     * A new random key.
     *
     * @return string 43 base64url characters
     */
    public static function new_key(): string {
        return rtrim(strtr(base64_encode(random_bytes(self::KEY_BYTES)), '+/', '-_'), '=');
    }

    /**
     * The grant of a URL in a context.
     *
     * @param int $contextid the context the text is shown in
     * @param string $canonicalurl the playlist URL in canonical form
     * @return string 43 base64url characters
     */
    public function sign(int $contextid, string $canonicalurl): string {
        $mac = hash_hmac('sha256', self::DOMAIN . $contextid . "\n" . $canonicalurl, $this->key, true);
        return rtrim(strtr(base64_encode($mac), '+/', '-_'), '=');
    }

    /**
     * Whether a grant from the markup is that of this URL in this context (constant time).
     *
     * @param int $contextid the context named by the player
     * @param string $canonicalurl the playlist URL in canonical form
     * @param string $grant the grant from the markup
     * @return bool
     */
    public function verify(int $contextid, string $canonicalurl, string $grant): bool {
        return hash_equals($this->sign($contextid, $canonicalurl), $grant);
    }
}
