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

namespace filter_hlsgate;

use filter_hlsgate\local\access_rule;
use filter_hlsgate\local\link_matcher;
use filter_hlsgate\local\plugin_config;

/**
 * Turns links and video tags of HLS playlists into protected players.
 *
 * The markup carries no per-user data (filtered text may be cached) and mints nothing: the playlist
 * URL, the context id and display options. Whether it plays is decided by the embed records
 * ({@see local\embed_registry}), never by having been filtered: core filters caller-supplied text.
 * The AMD module filter_hlsgate/player builds the
 * players and asks the web service filter_hlsgate_get_playback for a view token when one is played.
 * A pluginfile.php playlist that could not play here (not an hlsgate playlist, another page's
 * file, a submission) is left to Moodle's own media player ({@see access_rule::renders()}).
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class text_filter extends \core_filters\text_filter {
    /** @var link_matcher|null the matcher of this request, built from the settings once */
    private static ?link_matcher $matcher = null;

    /** @var plugin_config|null the settings of this request, read once */
    private static ?plugin_config $config = null;

    /** @var array<int, true> pages (by object id) that already load the player module */
    private static array $pageswithjs = [];

    #[\Override]
    public function filter($text, array $options = []) {
        // Performance shortcut: no playlist, nothing to do.
        if (!is_string($text) || $text === '' || stripos($text, '.m3u8') === false) {
            return $text;
        }
        $matcher = self::matcher();
        $context = $this->context;
        $config = self::$config;
        $filtered = $matcher->rewrite(
            $text,
            (int) $context->id,
            static fn(string $url): ?string => access_rule::renders($context, $url, $config) ? '' : null
        );
        if ($filtered !== $text) {
            $this->require_player_js();
        }
        return $filtered;
    }

    /**
     * The matcher for the current settings.
     *
     * @return link_matcher
     */
    private static function matcher(): link_matcher {
        global $CFG;
        if (self::$matcher === null || (defined('PHPUNIT_TEST') && PHPUNIT_TEST)) {
            self::$config = plugin_config::from_settings(get_config('filter_hlsgate'), $CFG->wwwroot);
            self::$matcher = new link_matcher(self::$config->url_policy());
        }
        return self::$matcher;
    }

    /**
     * Loads filter_hlsgate/player on the page once, with the site-wide player options.
     */
    private function require_player_js(): void {
        global $CFG, $PAGE;
        if (empty($PAGE) || isset(self::$pageswithjs[spl_object_id($PAGE)])) {
            return;
        }
        self::$pageswithjs[spl_object_id($PAGE)] = true;
        $config = plugin_config::from_settings(get_config('filter_hlsgate'), $CFG->wwwroot);
        $PAGE->requires->js_call_amd('filter_hlsgate/player', 'init', [[
            'playbackRates' => $config->playbackrates,
            'aspectRatio' => $config->aspectratio,
            'labels' => [
                'sessionEnded' => get_string('player:sessionended', 'filter_hlsgate'),
                'noAccess' => get_string('player:noaccess', 'filter_hlsgate'),
                'network' => get_string('player:network', 'filter_hlsgate'),
                'networkFatal' => get_string('player:networkfatal', 'filter_hlsgate'),
                'media' => get_string('player:media', 'filter_hlsgate'),
                'quality' => get_string('player:quality', 'filter_hlsgate'),
                'auto' => get_string('player:auto', 'filter_hlsgate'),
                'playbackRate' => get_string('player:playbackrate', 'filter_hlsgate'),
            ],
            'unsupported' => get_string('player:unsupported', 'filter_hlsgate'),
            'resumeLabels' => [
                'resume' => get_string('player:resume', 'filter_hlsgate'),
                'announce' => get_string('player:resumeannounce', 'filter_hlsgate'),
                'startOver' => get_string('player:startover', 'filter_hlsgate'),
            ],
        ]]);
    }
}
