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
 * The plugin's settings (get_config('filter_hlsgate')), read and checked in one place.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class plugin_config {
    /** Default token lifetime, seconds: long enough to reach the auth server, short enough to be useless later. */
    public const DEFAULT_LIFETIME = 300;

    /** Bounds of the token lifetime, seconds. */
    public const MIN_LIFETIME = 30;

    /** The auth server refuses tokens living longer than its own maximum; keep well below common settings. */
    public const MAX_LIFETIME = 3600;

    /** Default watermark template. */
    public const DEFAULT_WATERMARK = '{fullname} · {email}';

    /** Default playback rates offered by the player. */
    public const DEFAULT_RATES = '0.5, 0.75, 1, 1.25, 1.5, 1.75, 2';

    /** Aspect ratios the player can be given. */
    public const ASPECT_RATIOS = ['16:9', '4:3', '21:9', '1:1'];

    /**
     * Constructor; use {@see self::from_settings()}.
     *
     * @param string $wwwroot the site's address
     * @param media_bases $bases allowed media base URLs
     * @param string $issuer `iss` of the tokens
     * @param string $authurl the auth server's address as seen from the browser ('' when not set)
     * @param string $kid key id
     * @param string $secret shared secret
     * @param int $lifetime token lifetime, seconds
     * @param string $watermarktemplate e.g. `{fullname} · {email}`
     * @param float[] $playbackrates rates offered by the player
     * @param string $aspectratio e.g. 16:9
     * @param string $embedkey the site's key of the embed grants
     */
    private function __construct(
        /** @var string the site's address */
        public readonly string $wwwroot,
        /** @var media_bases allowed media base URLs */
        public readonly media_bases $bases,
        /** @var string `iss` of the tokens */
        public readonly string $issuer,
        /** @var string the auth server's address ('' when not set) */
        public readonly string $authurl,
        /** @var string key id */
        private readonly string $kid,
        /** @var string shared secret */
        private readonly string $secret,
        /** @var int token lifetime, seconds */
        public readonly int $lifetime,
        /** @var string watermark template */
        public readonly string $watermarktemplate,
        /** @var float[] playback rates */
        public readonly array $playbackrates,
        /** @var string aspect ratio */
        public readonly string $aspectratio,
        /** @var string the site's key of the embed grants (made at install, never a setting on screen) */
        private readonly string $embedkey,
    ) {
    }

    /**
     * Reads the settings; missing ones take their defaults, unusable ones are reported when used.
     *
     * @param object|array $settings what get_config('filter_hlsgate') returns (object|array<string, mixed>)
     * @param string $wwwroot $CFG->wwwroot
     * @return self
     */
    public static function from_settings(object|array $settings, string $wwwroot): self {
        $settings = (array) $settings;
        $text = static fn(string $name, string $default = ''): string =>
            isset($settings[$name]) && is_scalar($settings[$name]) ? trim((string) $settings[$name]) : $default;
        $lifetime = (int) $text('tokenlifetime', (string) self::DEFAULT_LIFETIME);
        $lifetime = max(self::MIN_LIFETIME, min(self::MAX_LIFETIME, $lifetime ?: self::DEFAULT_LIFETIME));
        $aspectratio = $text('aspectratio', '16:9');
        return new self(
            rtrim($wwwroot, '/'),
            media_bases::from_setting($text('mediabaseurls')),
            $text('issuer') !== '' ? $text('issuer') : rtrim($wwwroot, '/'),
            rtrim($text('authurl'), '/'),
            $text('tokenkid'),
            isset($settings['tokensecret']) && is_string($settings['tokensecret']) ? $settings['tokensecret'] : '',
            $lifetime,
            isset($settings['watermark']) && is_string($settings['watermark']) ? $settings['watermark'] : self::DEFAULT_WATERMARK,
            self::parse_rates($text('playbackrates', self::DEFAULT_RATES)),
            in_array($aspectratio, self::ASPECT_RATIOS, true) ? $aspectratio : '16:9',
            isset($settings['embedkey']) && is_string($settings['embedkey']) ? $settings['embedkey'] : '',
        );
    }

    /**
     * The URL policy of the filter.
     *
     * @return url_policy
     */
    public function url_policy(): url_policy {
        return new url_policy($this->wwwroot, $this->bases);
    }

    /**
     * The embed grants of this site.
     *
     * @return embed_grant
     * @throws playback_error 'error:notconfigured' when the site has no embed key (the upgrade did not run)
     */
    public function embed_grant(): embed_grant {
        return new embed_grant($this->embedkey);
    }

    /**
     * The minter for the configured key.
     *
     * @return token_minter
     * @throws playback_error 'error:notconfigured' without a usable key
     */
    public function minter(): token_minter {
        return new token_minter($this->kid, $this->secret);
    }

    /**
     * `POST /session` of the auth server.
     *
     * @return string
     * @throws playback_error 'error:notconfigured' when the auth server URL is not an absolute http(s) URL
     */
    public function session_url(): string {
        if (!preg_match('~^https?://[^/\s?#]+(/[^\s?#]*)?$~i', $this->authurl)) {
            throw new playback_error('error:notconfigured', 'The auth server URL is not set or not an http(s) URL.');
        }
        return $this->authurl . '/session';
    }

    /**
     * Playback rates from the setting: numbers between 0 and 16, in the order given; bad items are dropped.
     *
     * @param string $setting e.g. '0.5, 1, 1.5, 2'; '' for none (the control is hidden)
     * @return float[]
     */
    public static function parse_rates(string $setting): array {
        $rates = [];
        foreach (preg_split('/[\s,;]+/', trim($setting), -1, PREG_SPLIT_NO_EMPTY) ?: [] as $item) {
            if (is_numeric($item) && (float) $item > 0 && (float) $item <= 16) {
                $rates[] = (float) $item;
            }
        }
        return $rates;
    }
}
