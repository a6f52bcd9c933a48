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

namespace filter_hlsgate\tests\core;

use filter_hlsgate\local\playback_error;
use filter_hlsgate\local\plugin_config;
use filter_hlsgate\local\pluginfile_url;
use filter_hlsgate\local\resource_resolver;
use PHPUnit\Framework\TestCase;

#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\local\plugin_config::class)]
#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\local\resource_resolver::class)]
/**
 * The web service's decisions without Moodle: settings, which video a URL opens, the refusals,
 * and that every string the code names exists in the language file.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class PlaybackTest extends TestCase {
    /** The site's wwwroot. */
    private const WWWROOT = 'https://moodle.example.test';
    /** The video's resource (media base and directory). */
    private const RES = 'https://media.example.test/lectures/AbCdEfGhIjKlMnOpQrSt12/';

    /**
     * The plugin's settings, with some replaced.
     *
     * @param array $overrides settings by name
     * @return plugin_config
     */
    private static function config(array $overrides = []): plugin_config {
        return plugin_config::from_settings((object) ($overrides + [
            'authurl' => 'https://media.example.test/_auth/',
            'tokenkid' => 'k2026a',
            'tokensecret' => str_repeat('x', 32),
            'mediabaseurls' => "https://media.example.test/lectures/\n",
        ]), self::WWWROOT . '/');
    }

    /**
     * A resolver whose "stored files" are the given contents, by file name; a missing name is a gone alias.
     *
     * @param array $files contents by file name
     * @param pluginfile_url[] $asked collects the parsed URLs asked for
     */
    private static function resolver(array $files, array &$asked = []): resource_resolver {
        return new resource_resolver(self::config(), static function (pluginfile_url $url) use ($files, &$asked): string {
            $asked[] = $url;
            if (!array_key_exists($url->filename, $files)) {
                throw new playback_error('error:filegone', 'gone', $url->filename);
            }
            return $files[$url->filename];
        });
    }

    /**
     * A master playlist with two variants under a resource.
     *
     * @param string $res the resource
     * @return string
     */
    private static function master(string $res = self::RES): string {
        return "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\n{$res}360p/index.m3u8\n"
            . "#EXT-X-STREAM-INF:BANDWIDTH=2800000,RESOLUTION=1280x720\n{$res}720p/index.m3u8\n";
    }

    /**
     * The error code a call throws.
     *
     * @param callable $call
     * @return string
     */
    private static function refusal(callable $call): string {
        try {
            $call();
        } catch (playback_error $e) {
            return $e->errorcode;
        }
        return 'accepted';
    }

    /**
     * Test: settings and defaults.
     */
    public function test_settings_and_defaults(): void {
        $config = self::config();
        $this->assertSame(self::WWWROOT, $config->wwwroot);
        $this->assertSame(self::WWWROOT, $config->issuer);
        $this->assertSame('https://media.example.test/_auth/session', $config->session_url());
        $this->assertSame(plugin_config::DEFAULT_LIFETIME, $config->lifetime);
        $this->assertSame('{fullname} · {email}', $config->watermarktemplate);
        $this->assertSame([0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0], $config->playbackrates);
        $this->assertSame('16:9', $config->aspectratio);

        $custom = self::config(['issuer' => 'https://lms.example.test', 'tokenlifetime' => '5', 'aspectratio' => '3:1',
            'playbackrates' => '1, 2, x, -1, 99', 'watermark' => '']);
        $this->assertSame('https://lms.example.test', $custom->issuer);
        $this->assertSame(plugin_config::MIN_LIFETIME, $custom->lifetime);
        $this->assertSame('16:9', $custom->aspectratio);
        $this->assertSame([1.0, 2.0], $custom->playbackrates);
        $this->assertSame('', $custom->watermarktemplate);
        $this->assertSame(plugin_config::MAX_LIFETIME, self::config(['tokenlifetime' => '86400'])->lifetime);
    }

    /**
     * Test: missing settings are reported when used.
     */
    public function test_missing_settings_are_reported_when_used(): void {
        $empty = plugin_config::from_settings(false ?: [], self::WWWROOT);
        $this->assertSame('error:notconfigured', self::refusal(fn() => $empty->minter()));
        $this->assertSame('error:notconfigured', self::refusal(fn() => $empty->session_url()));
        $noscheme = self::config(['authurl' => 'media.example.test']);
        $this->assertSame('error:notconfigured', self::refusal(fn() => $noscheme->session_url()));
        $this->assertSame('error:notconfigured', self::refusal(fn() => self::config(['tokensecret' => 'short'])->minter()));
        $this->assertSame([], $empty->bases->bases());
    }

    /**
     * Test: copy or alias resolves through its master playlist.
     */
    public function test_copy_or_alias_resolves_through_its_master_playlist(): void {
        $asked = [];
        $resolver = self::resolver(['lecture1.m3u8' => self::master()], $asked);
        $url = self::WWWROOT . '/pluginfile.php/22/mod_page/content/1/lecture1.m3u8';
        $this->assertSame(['resource' => self::RES, 'playlisturl' => self::RES . 'master.m3u8'], $resolver->resolve($url, 22));
        $this->assertSame(22, $asked[0]->contextid);
        $this->assertSame('mod_page', $asked[0]->component);
    }

    /**
     * Test: pasted url gives its own directory.
     */
    public function test_pasted_url_gives_its_own_directory(): void {
        $resolver = self::resolver([]);
        $this->assertSame(
            ['resource' => self::RES, 'playlisturl' => self::RES . 'master.m3u8'],
            $resolver->resolve(self::RES . 'master.m3u8', 5)
        );
        $this->assertSame(
            ['resource' => self::RES, 'playlisturl' => self::RES . '720p/index.m3u8'],
            $resolver->resolve(' ' . self::RES . '720p/index.m3u8 ', 5)
        );
    }

    /**
     * Test: refusals.
     */
    public function test_refusals(): void {
        $files = [
            'page.m3u8' => "<!DOCTYPE html><title>Error</title>",
            'relative.m3u8' => "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n360p/index.m3u8\n",
            'foreign.m3u8' => self::master('https://evil.example.test/lectures/AbCdEfGhIjKlMnOpQrSt12/'),
        ];
        $resolver = self::resolver($files);
        $file = fn(string $name, int $contextid = 22) => fn() => $resolver->resolve(
            self::WWWROOT . "/pluginfile.php/22/mod_label/intro/$name",
            $contextid
        );
        $this->assertSame('error:notaplaylist', self::refusal($file('page.m3u8')));
        $this->assertSame('error:relativeuris', self::refusal($file('relative.m3u8')));
        $this->assertSame('error:notallowed', self::refusal($file('foreign.m3u8')));
        $this->assertSame('error:filegone', self::refusal($file('gone.m3u8')));
        $this->assertSame('error:wrongcontext', self::refusal($file('page.m3u8', 23)));
        foreach (
            [
            'https://evil.example.test/lectures/AbCdEfGhIjKlMnOpQrSt12/master.m3u8',
            'https://media.example.test/lectures/AbCdEfGhIjKlMnOpQrSt12/',
            self::RES . 'poster.jpg',
            'https://other-moodle.test/pluginfile.php/22/mod_label/intro/page.m3u8',
            self::WWWROOT . '/draftfile.php/5/user/draft/1/x.m3u8',
            '',
            ] as $url
        ) {
            $this->assertSame('error:notallowed', self::refusal(fn() => $resolver->resolve($url, 22)), $url);
        }
    }

    /**
     * Test: language file is sorted and has every string the code names.
     */
    public function test_language_file_is_sorted_and_has_every_string_the_code_names(): void {
        $root = dirname(__DIR__, 2);
        // Read, not included: the file stops outside Moodle (MOODLE_INTERNAL).
        $lang = file_get_contents($root . '/lang/en/filter_hlsgate.php');
        preg_match_all("/^\\\$string\\['([^']+)'\\] = /m", $lang, $defined);
        $keys = $defined[1];
        $this->assertSame(substr_count($lang, '$string['), count($keys));
        $sorted = $keys;
        sort($sorted, SORT_STRING);
        $this->assertSame($sorted, $keys, 'strings in alphabetical order');

        $used = [];
        $files = new \RecursiveIteratorIterator(new \RecursiveDirectoryIterator($root, \FilesystemIterator::SKIP_DOTS));
        foreach ($files as $file) {
            $path = $file->getPathname();
            if (!preg_match('/\.(php|js)$/', $path) || preg_match('~/(tests|node_modules|bench)/|hlsgate-lazy~', $path)) {
                continue;
            }
            $source = file_get_contents($path);
            preg_match_all("/(?:get_string|moodle_exception)\\(\\s*'([a-z0-9_:]+)',\\s*'filter_hlsgate'/", $source, $m);
            preg_match_all("/playback_error\\(\\s*'([a-z0-9_:]+)'/", $source, $p);
            preg_match_all("/'((?:privacy:metadata|error):[a-z0-9_:]+)'/", $source, $q);
            $used = array_merge($used, $m[1], $p[1], $q[1]);
        }
        $used = array_unique($used);
        $this->assertGreaterThan(20, count($used));
        $this->assertSame([], array_values(array_diff($used, $keys)), 'strings named in the code but missing');
    }
}
