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

/**
 * Settings of filter_hlsgate.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

use filter_hlsgate\local\plugin_config;

if ($ADMIN->fulltree) {
    $settings->add(new admin_setting_heading(
        'filter_hlsgate/authheading',
        get_string('settings:authheading', 'filter_hlsgate'),
        get_string('settings:authheading_desc', 'filter_hlsgate')
    ));

    $settings->add(new admin_setting_configtext(
        'filter_hlsgate/authurl',
        get_string('settings:authurl', 'filter_hlsgate'),
        get_string('settings:authurl_desc', 'filter_hlsgate'),
        '',
        PARAM_URL,
        60
    ));

    $settings->add(new admin_setting_configtext(
        'filter_hlsgate/issuer',
        get_string('settings:issuer', 'filter_hlsgate'),
        get_string('settings:issuer_desc', 'filter_hlsgate', $CFG->wwwroot),
        '',
        PARAM_URL,
        60
    ));

    $settings->add(new admin_setting_configtext(
        'filter_hlsgate/tokenkid',
        get_string('settings:tokenkid', 'filter_hlsgate'),
        get_string('settings:tokenkid_desc', 'filter_hlsgate'),
        '',
        '/^[A-Za-z0-9._-]{0,64}$/',
        20
    ));

    $settings->add(new \filter_hlsgate\admin\setting_secret(
        'filter_hlsgate/tokensecret',
        get_string('settings:tokensecret', 'filter_hlsgate'),
        get_string('settings:tokensecret_desc', 'filter_hlsgate'),
        ''
    ));

    $lifetime = new admin_setting_configduration(
        'filter_hlsgate/tokenlifetime',
        get_string('settings:tokenlifetime', 'filter_hlsgate'),
        get_string('settings:tokenlifetime_desc', 'filter_hlsgate'),
        plugin_config::DEFAULT_LIFETIME,
        1
    );
    $lifetime->set_min_duration(plugin_config::MIN_LIFETIME);
    $lifetime->set_max_duration(plugin_config::MAX_LIFETIME);
    $settings->add($lifetime);

    $settings->add(new \filter_hlsgate\admin\setting_mediabases(
        'filter_hlsgate/mediabaseurls',
        get_string('settings:mediabaseurls', 'filter_hlsgate'),
        get_string('settings:mediabaseurls_desc', 'filter_hlsgate'),
        '',
        PARAM_RAW,
        60,
        4
    ));

    $settings->add(new admin_setting_heading(
        'filter_hlsgate/playerheading',
        get_string('settings:playerheading', 'filter_hlsgate'),
        ''
    ));

    $settings->add(new admin_setting_configtext(
        'filter_hlsgate/watermark',
        get_string('settings:watermark', 'filter_hlsgate'),
        get_string('settings:watermark_desc', 'filter_hlsgate'),
        plugin_config::DEFAULT_WATERMARK,
        PARAM_RAW_TRIMMED,
        60
    ));

    $settings->add(new admin_setting_configtext(
        'filter_hlsgate/playbackrates',
        get_string('settings:playbackrates', 'filter_hlsgate'),
        get_string('settings:playbackrates_desc', 'filter_hlsgate'),
        plugin_config::DEFAULT_RATES,
        '/^[0-9.,;\s]*$/',
        40
    ));

    $settings->add(new admin_setting_configselect(
        'filter_hlsgate/aspectratio',
        get_string('settings:aspectratio', 'filter_hlsgate'),
        get_string('settings:aspectratio_desc', 'filter_hlsgate'),
        '16:9',
        array_combine(plugin_config::ASPECT_RATIOS, plugin_config::ASPECT_RATIOS)
    ));
}
