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

use filter_hlsgate\local\media_bases;
use filter_hlsgate\local\playback_error;
use filter_hlsgate\local\playlist_parser;
use PHPUnit\Framework\TestCase;

#[\PHPUnit\Framework\Attributes\CoversClass(\filter_hlsgate\local\playlist_parser::class)]
/**
 * Playlist parsing: the repository copy of a master playlist gives the view token's resource.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class PlaylistParserTest extends TestCase {
    use each_case;

    /** The allowed media base. */
    private const BASE = 'https://media.example.test/lectures/';
    /** The video's directory under the base. */
    private const DIR = 'AbCdEfGhIjKlMnOpQrSt12';

    /**
     * The allowed media bases: the test base and a local one.
     *
     * @return media_bases
     */
    private static function bases(): media_bases {
        return media_bases::from_setting(self::BASE . "\nhttp://localhost:8787/lectures/");
    }

    /**
     * The master playlist ingest writes into the Moodle repository (absolute variant URIs).
     *
     * @param string $base the media base of the variant URIs
     * @param string $newline the line ending
     * @return string
     */
    private static function repository_master(string $base = self::BASE, string $newline = "\n"): string {
        $lines = [
            '#EXTM3U',
            '#EXT-X-VERSION:6',
            '#EXT-X-INDEPENDENT-SEGMENTS',
            '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",URI="' . $base . self::DIR
                . '/subs/en.m3u8"',
            '#EXT-X-STREAM-INF:BANDWIDTH=2800000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",SUBTITLES="subs"',
            $base . self::DIR . '/720p/index.m3u8',
            '#EXT-X-STREAM-INF:BANDWIDTH=1400000,RESOLUTION=854x480,CODECS="avc1.64001e,mp4a.40.2",SUBTITLES="subs"',
            $base . self::DIR . '/480p/index.m3u8',
            '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=200000,URI="' . $base . self::DIR . '/720p/iframes.m3u8"',
            '',
        ];
        return implode($newline, $lines);
    }

    /**
     * Test: master playlist.
     */
    public function test_master_playlist(): void {
        $parsed = playlist_parser::parse(self::repository_master());
        $this->assertSame('master', $parsed['kind']);
        $this->assertSame([
            self::BASE . self::DIR . '/subs/en.m3u8',
            self::BASE . self::DIR . '/720p/index.m3u8',
            self::BASE . self::DIR . '/480p/index.m3u8',
            self::BASE . self::DIR . '/720p/iframes.m3u8',
        ], $parsed['uris']);
        $this->assertSame(self::BASE . self::DIR . '/', playlist_parser::resource_of(self::repository_master(), self::bases()));
    }

    /**
     * Test: crlf bom and local base.
     */
    public function test_crlf_bom_and_local_base(): void {
        $content = "\xEF\xBB\xBF\r\n" . self::repository_master('http://localhost:8787/lectures/', "\r\n");
        $this->assertSame(
            'http://localhost:8787/lectures/' . self::DIR . '/',
            playlist_parser::resource_of($content, self::bases())
        );
    }

    /**
     * Test: media playlist with absolute segments.
     */
    public function test_media_playlist_with_absolute_segments(): void {
        $content = "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6.0,\n" . self::BASE . self::DIR . "/360p/seg0.ts\n#EXT-X-ENDLIST\n";
        $this->assertSame('media', playlist_parser::parse($content)['kind']);
        $this->assertSame(self::BASE . self::DIR . '/', playlist_parser::resource_of($content, self::bases()));
    }

    /**
     * Files that must be refused, with the reason.
     *
     * @return array<string, array{string, string}>
     */
    public static function refused(): array {
        $dir = self::BASE . self::DIR;
        return [
            'empty file (an alias whose source is gone has no content)' => ['', 'error:notaplaylist'],
            'HTML page' => ["<!DOCTYPE html>\n<html><body>Not found</body></html>", 'error:notaplaylist'],
            'binary' => ["\x00\x01\x02\xff#EXTM3U", 'error:notaplaylist'],
            'header only' => ["#EXTM3U\n#EXT-X-VERSION:3\n", 'error:notaplaylist'],
            'too large' => ["#EXTM3U\n" . str_repeat('#', playlist_parser::MAX_BYTES), 'error:notaplaylist'],
            'relative variants (the S3 copy, not the repository copy)' =>
                ["#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n360p/index.m3u8\n", 'error:relativeuris'],
            'root-relative variant' => ["#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n/lectures/x/index.m3u8\n", 'error:relativeuris'],
            'foreign host' => ["#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nhttps://evil.test/lectures/" . self::DIR
                . "/720p/index.m3u8\n", 'error:notallowed'],
            'variant directly under the base' => ["#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n" . self::BASE . "index.m3u8\n",
                'error:notallowed'],
            'dot segments' => ["#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n$dir/../ZyXwVuTsRqPoNmLkJiHg98/a.m3u8\n",
                'error:notallowed'],
            'two videos' => ["#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n$dir/720p/index.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=1\n"
                . self::BASE . "ZyXwVuTsRqPoNmLkJiHg98/480p/index.m3u8\n", 'error:severalvideos'],
        ];
    }

    /**
     * Test: refused files.
     *
     * Every case of refused(), each run as a data provider's would be (each_case).
     */
    public function test_refused_files(): void {
        $this->each_case(self::refused(), $this->check_refused_files(...));
    }

    /**
     * One case of test_refused_files().
     *
     * @param string $content the file's contents
     * @param string $errorcode the refusal expected
     */
    private function check_refused_files(string $content, string $errorcode): void {
        try {
            playlist_parser::resource_of($content, self::bases());
            $this->fail('accepted');
        } catch (playback_error $e) {
            $this->assertSame($errorcode, $e->errorcode, $e->getMessage());
        }
    }
}
