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
 * Benchmark (php-cli): the filter on 1 MB of HTML without any .m3u8 (target < 1 ms) and with 20
 * playlist links (target < 10 ms), beside a plain regex scan of the same text for links as the
 * baseline. Prints the figures and ratios and writes bench-results/moodle-filter.json.
 *
 * Usage: php moodle-filter/bench/filter_bench.php
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

// Moodle-free by design (no config.php): run by PHP's CLI alone, outside any Moodle site.
// phpcs:disable moodle.Files.MoodleInternal.MoodleInternalGlobalState

if (PHP_SAPI !== 'cli') {
    exit(1);
}
require(dirname(__DIR__) . '/tests/core/bootstrap.php');

use filter_hlsgate\local\link_matcher;
use filter_hlsgate\local\media_bases;
use filter_hlsgate\local\url_policy;

/** Size of the benchmark's text, in bytes. */
const TARGET_BYTES = 1048576;
/** The site's wwwroot the filter is given. */
const WWWROOT = 'https://moodle.example.test';

/**
 * About 1 MB of editor-like HTML: paragraphs with links, emphasis, spans, lists, tables, code.
 *
 * @param int $players playlist links spread evenly through it
 * @return string
 */
function make_html(int $players): string {
    mt_srand(42);
    $words = explode(' ', 'lecture week course notes recording slides exercise reading chapter quiz forum topic '
        . 'assignment deadline review summary example theorem proof lab session group project');
    $blocks = [];
    $size = 0;
    $i = 0;
    while ($size < TARGET_BYTES) {
        $text = '';
        for ($w = 0; $w < 40; $w++) {
            $text .= $words[mt_rand(0, count($words) - 1)] . ' ';
        }
        $block = match ($i % 6) {
            0 => "<p dir=\"ltr\" style=\"text-align: left;\">$text<a href=\"https://moodle.example.test/mod/page/view.php?id=$i\">"
                . "see page $i</a> and <strong>$text</strong></p>\r\n",
            1 => "<ul><li>$text</li><li><span class=\"badge\">$i</span> $text</li><li><em>$text</em></li></ul>\r\n",
            2 => "<p>$text<a href=\"https://moodle.example.test/pluginfile.php/22/mod_page/content/1/slides$i.pdf\">"
                . "slides</a></p>\r\n",
            3 => "<table class=\"table\"><tr><td>$i</td><td>$text</td></tr>"
                . "<tr><td>x</td><td><span>$text</span></td></tr></table>\r\n",
            4 => "<pre><code>for (i = 0; i &lt; $i; i++) { print(\"$text\"); }</code></pre>\r\n",
            default => "<div class=\"no-overflow\"><p>$text <img src=\"https://moodle.example.test/pluginfile.php/22/mod_page/"
                . "content/1/figure$i.png\" alt=\"figure $i\" width=\"400\" height=\"300\"></p></div>\r\n",
        };
        $blocks[] = $block;
        $size += strlen($block);
        $i++;
    }
    for ($p = 0; $p < $players; $p++) {
        $at = intdiv(($p + 1) * count($blocks), $players + 1);
        $url = $p % 2 === 0
            ? WWWROOT . "/pluginfile.php/22/mod_page/content/1/2026-11-20%2010.00%20-%20Lecture%20$p.m3u8"
            : "https://media.example.test/lectures/AbCdEfGhIjKlMnOpQr" . sprintf('%04d', $p) . '/master.m3u8';
        $blocks[$at] = "<p><a href=\"$url\">Lecture $p</a></p>\r\n" . $blocks[$at];
    }
    return implode('', $blocks);
}

/**
 * Median time of a function in milliseconds.
 *
 * @param callable $run
 * @param int $rounds
 * @return array{median: float, min: float, result: mixed}
 */
function measure(callable $run, int $rounds): array {
    $result = $run();
    $times = [];
    for ($r = 0; $r < $rounds; $r++) {
        $start = hrtime(true);
        $result = $run();
        $times[] = (hrtime(true) - $start) / 1e6;
    }
    sort($times);
    return ['median' => $times[intdiv(count($times), 2)], 'min' => $times[0], 'result' => $result];
}

$matcher = new link_matcher(new url_policy(WWWROOT, media_bases::from_setting('https://media.example.test/lectures/')));
// What text_filter::filter() does: the cheap exit, then the matcher.
$filter = static function (string $text) use ($matcher): string {
    if ($text === '' || stripos($text, '.m3u8') === false) {
        return $text;
    }
    return $matcher->rewrite($text, 22);
};
// The baseline: one plain regex scan of the same text for links, as simple filters do.
$baseline = static function (string $text): int {
    return (int) preg_match_all('~<a\s[^>]*href="([^"]*)"[^>]*>~i', $text);
};

$cases = [];
foreach (['no_m3u8' => [0, 1.0], 'links_20' => [20, 10.0]] as $name => [$players, $targetms]) {
    $html = make_html($players);
    $ours = measure(fn() => $filter($html), 50);
    $base = measure(fn() => $baseline($html), 50);
    $made = substr_count($ours['result'], 'class="filter_hlsgate"');
    if ($made !== $players) {
        fwrite(STDERR, "filter_bench: expected $players players in '$name', got $made\n");
        exit(1);
    }
    $cases[$name] = [
        'bytes' => strlen($html),
        'players' => $players,
        'filterMs' => round($ours['median'], 4),
        'filterMinMs' => round($ours['min'], 4),
        'baselineRegexMs' => round($base['median'], 4),
        'baselineLinks' => $base['result'],
        'ratioToBaseline' => round($ours['median'] / max($base['median'], 1e-6), 3),
        'targetMs' => $targetms,
        'withinTarget' => $ours['median'] < $targetms,
    ];
    printf(
        "%-9s %7d bytes %2d players: filter %8.3f ms (min %.3f)  baseline regex scan %8.3f ms (%d links)  "
            . "ratio %6.3f  target < %.0f ms: %s\n",
        $name,
        strlen($html),
        $players,
        $ours['median'],
        $ours['min'],
        $base['median'],
        $base['result'],
        $cases[$name]['ratioToBaseline'],
        $targetms,
        $cases[$name]['withinTarget'] ? 'yes' : 'NO'
    );
}

$out = dirname(__DIR__, 2) . '/bench-results';
if (!is_dir($out)) {
    mkdir($out, 0777, true);
}
$report = [
    'part' => 'moodle-filter',
    'php' => PHP_VERSION,
    'opcache' => (bool) ini_get('opcache.enable_cli'),
    'pcreJit' => (bool) ini_get('pcre.jit'),
    'rounds' => 50,
    'statistic' => 'median',
    'cases' => $cases,
];
file_put_contents("$out/moodle-filter.json", json_encode($report, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES) . "\n");
echo "written: bench-results/moodle-filter.json\n";
