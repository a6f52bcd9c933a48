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
 * Router for `php -S` standing in for Moodle in the browser test of the AMD entry (e2e/): the page a
 * course page would be (filtered by the real link_matcher), Moodle's AMD endpoint (naming anonymous
 * modules as lib/requirejs.php does), lib/ajax/service.php running filter_hlsgate_get_playback's
 * Moodle-free core (resource_resolver, token_minter, watermark) with the real language strings, and
 * the shipped video.js stylesheet. Development only: not part of the plugin package.
 *
 * Environment: HLSGATE_E2E_WWWROOT, _ISSUER, _KID, _SECRET, _MEDIA_BASE, _AUTH_URL, _FILES (folder of
 * the "stored files"), _BUNDLE (the player bundle), _VIDEOJS_CSS, _PASTED (a pasted playlist URL).
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

require(dirname(__DIR__) . '/tests/core/bootstrap.php');

use filter_hlsgate\local\link_matcher;
use filter_hlsgate\local\playback_error;
use filter_hlsgate\local\plugin_config;
use filter_hlsgate\local\pluginfile_url;
use filter_hlsgate\local\resource_resolver;
use filter_hlsgate\local\token_minter;
use filter_hlsgate\local\watermark;

const CONTEXT_ID = 22;
const NO_ACCESS_CONTEXT_ID = 99;

$env = static fn(string $name): string => (string) getenv('HLSGATE_E2E_' . $name);
$wwwroot = $env('WWWROOT');
$config = plugin_config::from_settings([
    'authurl' => $env('AUTH_URL'),
    'issuer' => $env('ISSUER'),
    'tokenkid' => $env('KID'),
    'tokensecret' => $env('SECRET'),
    'mediabaseurls' => $env('MEDIA_BASE'),
    'tokenlifetime' => 120,
], $wwwroot);
$path = (string) parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);

/**
 * A string of lang/en/filter_hlsgate.php.
 *
 * @param string $identifier
 * @param string|null $a
 * @return string
 */
function lang_string(string $identifier, ?string $a = null): string {
    static $strings = null;
    if ($strings === null) {
        preg_match_all("/^\\\$string\\['([^']+)'\\] = '((?:[^'\\\\]|\\\\.)*)';/m",
            file_get_contents(dirname(__DIR__) . '/lang/en/filter_hlsgate.php'), $m);
        $strings = array_combine($m[1], array_map('stripslashes', $m[2]));
    }
    return str_replace('{$a}', (string) $a, $strings[$identifier] ?? "[[$identifier]]");
}

if ($path === '/') {
    $fixture = file_get_contents(dirname(__DIR__) . '/tests/fixtures/editor-html/tiny-a.rendered-without-mediaplugin.html');
    $fixture = str_replace(['https://moodle.example.test', '/pluginfile.php/22/'], [$wwwroot, '/pluginfile.php/' . CONTEXT_ID . '/'],
        $fixture);
    $text = $fixture
        . '<p>Pasted: <a href="' . htmlspecialchars($env('PASTED')) . '">Lecture 2</a></p>'
        . '<p>Not HLS: <a href="' . $wwwroot . '/pluginfile.php/' . CONTEXT_ID . '/mod_page/content/1/notes.m3u8">Notes</a></p>';
    $matcher = new link_matcher($config->url_policy());
    $filtered = $matcher->rewrite($text, CONTEXT_ID);
    $noaccess = $matcher->rewrite('<p><a href="' . htmlspecialchars($env('PASTED')) . '">Hidden</a></p>', NO_ACCESS_CONTEXT_ID);
    $init = json_encode([
        'playbackRates' => $config->playbackrates,
        'aspectRatio' => $config->aspectratio,
        'labels' => ['noAccess' => lang_string('player:noaccess')],
        'unsupported' => lang_string('player:unsupported'),
    ], JSON_UNESCAPED_SLASHES | JSON_HEX_TAG);
    header('Content-Type: text/html; charset=utf-8');
    echo <<<HTML
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Course 101: Page</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="/filter/hlsgate/styles.css"></head>
<body><div role="main">{$filtered}{$noaccess}</div>
<script src="/e2e/amd-loader.js"></script>
<script>
M = {cfg: {wwwroot: '{$wwwroot}', sesskey: 'e2e'}};
define('core/config', [], function() { return M.cfg; });
define('core/log', [], function() { return {debug: function() {}, error: function(m) { console.error(m); }}; });
define('core_filters/events', [], function() { return {eventTypes: {filterContentUpdated: 'core_filters/contentUpdated'}}; });
define('core/ajax', [], function() {
    return {call: function(requests) {
        window.hlsgateAjaxRequests = (window.hlsgateAjaxRequests || 0) + 1;
        var answer = fetch('/lib/ajax/service.php?sesskey=e2e', {method: 'POST', headers: {'Content-Type': 'application/json'},
            body: JSON.stringify(requests.map(function(r, i) { return {index: i, methodname: r.methodname, args: r.args}; }))
        }).then(function(response) { return response.json(); });
        return requests.map(function(r, i) {
            return answer.then(function(results) {
                if (results[i].error) { throw results[i].exception; }
                return results[i].data;
            });
        });
    }};
});
require(['filter_hlsgate/player'], function(player) { window.hlsgateInit = player.init({$init}); });
</script></body></html>
HTML;
    return true;
}

if ($path === '/e2e/amd-loader.js') {
    header('Content-Type: text/javascript');
    readfile(__DIR__ . '/amd-loader.js');
    return true;
}

if ($path === '/filter/hlsgate/styles.css') {
    header('Content-Type: text/css');
    readfile(dirname(__DIR__) . '/styles.css');
    return true;
}

if ($path === '/filter/hlsgate/videojs/video-js.min.css') {
    header('Content-Type: text/css');
    readfile($env('VIDEOJS_CSS'));
    return true;
}

if (preg_match('~^/requirejs/(filter_hlsgate/(player|hlsgate-lazy))$~', $path, $m)) {
    $file = $m[2] === 'player' ? dirname(__DIR__) . '/amd/src/player.js' : $env('BUNDLE');
    $js = file_get_contents($file);
    // As lib/requirejs.php: an anonymous module gets its name at its first define(.
    if (preg_match('/define\(\s*\[/', $js)) {
        $js = implode("define('{$m[1]}', ", explode('define(', $js, 2));
    }
    header('Content-Type: text/javascript');
    echo $js;
    return true;
}

if ($path === '/lib/ajax/service.php') {
    $calls = json_decode((string) file_get_contents('php://input'), true) ?: [];
    $resolver = new resource_resolver($config, static function (pluginfile_url $url) use ($env): string {
        $file = $env('FILES') . '/' . basename($url->filename);
        if (!is_file($file)) {
            throw new playback_error('error:filegone', 'gone', $url->filename);
        }
        return (string) file_get_contents($file);
    });
    $results = [];
    foreach ($calls as $call) {
        try {
            if ($call['methodname'] !== 'filter_hlsgate_get_playback') {
                // What Moodle answers for a function it does not offer (progress reports are tested
                // in the real Moodle: demo/e2e/moodle-progress.spec.ts).
                $results[] = ['error' => true, 'exception' => ['errorcode' => 'servicenotavailable',
                    'message' => 'Web service is not available (it doesn\'t exist)']];
                continue;
            }
            if ((int) $call['args']['contextid'] === NO_ACCESS_CONTEXT_ID) {
                $results[] = ['error' => true, 'exception' => ['errorcode' => 'requireloginerror',
                    'message' => 'Course or activity not accessible. (Not enrolled)']];
                continue;
            }
            ['resource' => $resource, 'playlisturl' => $playlisturl] = $resolver->resolve((string) $call['args']['url'],
                (int) $call['args']['contextid']);
            $wm = watermark::render($config->watermarktemplate, ['fullname' => 'Student One', 'email' => 'student1@example.test']);
            $now = time();
            $claims = token_minter::view_claims($config->issuer, '5', $resource, $now, $config->lifetime, $wm, '2');
            $results[] = ['error' => false, 'data' => [
                'token' => $config->minter()->mint($claims),
                'sessionurl' => $config->session_url(),
                'watermark' => $wm,
                'resource' => $resource,
                'playlisturl' => $playlisturl,
                'expiresat' => $claims['exp'],
            ]];
        } catch (playback_error $e) {
            $results[] = ['error' => true, 'exception' => ['errorcode' => $e->errorcode, 'message' => lang_string($e->errorcode, $e->a)]];
        }
    }
    header('Content-Type: application/json');
    echo json_encode($results, JSON_UNESCAPED_SLASHES);
    return true;
}

http_response_code(404);
echo 'not found';
return true;
