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

namespace filter_hlsgate\output;

use filter_hlsgate\local\plugin_config;

/**
 * The Moodle App's side of the filter (db/mobile.php): the JavaScript the app runs at start-up.
 *
 * The app calls {@see self::mobile_init()} through tool_mobile_get_content once per site and runs the
 * JavaScript it returns with its own services as `this` (CoreFilterDelegate, CoreSitesProvider, ...).
 * That script (mobile/init.js) registers a filter handler whose handleHtml mounts a player in every
 * placeholder the server-side filter wrote; the player asks for its view token with the app's own
 * web-service call and plays in query mode (no cookie: the app's web view is another site than the
 * media host). The answer holds only the site-wide player options and the strings in the user's
 * language: nothing of one viewer, so the app may keep it.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class mobile {
    /** The script, in the plugin; CONFIG_PLACEHOLDER is replaced by the options as JSON. */
    private const SCRIPT = '/filter/hlsgate/mobile/init.js';

    /** What stands for the options in the script. */
    private const CONFIG_PLACEHOLDER = 'HLSGATE_APP_CONFIG';

    /**
     * The init method of the handler: the start-up JavaScript and nothing else.
     *
     * @param array $args what the app sends (applang, appversioncode, ...)
     * @return array{templates: array, javascript: string, otherdata: string}
     */
    public static function mobile_init(array $args): array {
        global $CFG;
        $lang = self::language($args['applang'] ?? null);
        $config = plugin_config::from_settings(get_config('filter_hlsgate'), $CFG->wwwroot);
        $options = [
            'version' => (string) get_config('filter_hlsgate', 'version'),
            'playbackRates' => $config->playbackrates,
            'aspectRatio' => $config->aspectratio,
            'labels' => [
                'sessionEnded' => self::string('player:sessionended', $lang),
                'noAccess' => self::string('player:noaccess', $lang),
                'network' => self::string('player:network', $lang),
                'networkFatal' => self::string('player:networkfatal', $lang),
                'media' => self::string('player:media', $lang),
                'quality' => self::string('player:quality', $lang),
                'auto' => self::string('player:auto', $lang),
                'playbackRate' => self::string('player:playbackrate', $lang),
            ],
            'resumeLabels' => [
                'resume' => self::string('player:resume', $lang),
                'announce' => self::string('player:resumeannounce', $lang),
                'startOver' => self::string('player:startover', $lang),
            ],
            'strings' => [
                'incomplete' => self::string('app:incomplete', $lang),
                'noaccess' => self::string('player:noaccess', $lang),
                'noservice' => self::string('app:noservice', $lang),
                'offline' => self::string('app:offline', $lang),
                'unsupported' => self::string('player:unsupported', $lang),
            ],
        ];
        $script = file_get_contents($CFG->dirroot . self::SCRIPT);
        $json = json_encode($options, JSON_UNESCAPED_SLASHES | JSON_HEX_TAG | JSON_THROW_ON_ERROR);
        return [
            'templates' => [],
            'javascript' => str_replace(self::CONFIG_PLACEHOLDER, $json, $script),
            'otherdata' => '',
        ];
    }

    /**
     * The language to speak: the app's, when this site has it; otherwise the user's.
     *
     * @param mixed $applang what the app sent
     * @return string
     */
    private static function language($applang): string {
        if (is_string($applang) && $applang !== '') {
            $lang = clean_param(str_replace('-', '_', strtolower($applang)), PARAM_LANG);
            if ($lang !== '' && get_string_manager()->translation_exists($lang, false)) {
                return $lang;
            }
        }
        return current_language();
    }

    /**
     * A string of this plugin in a language.
     *
     * @param string $identifier
     * @param string $lang
     * @return string
     */
    private static function string(string $identifier, string $lang): string {
        return get_string_manager()->get_string($identifier, 'filter_hlsgate', null, $lang);
    }
}
