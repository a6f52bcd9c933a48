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
use filter_hlsgate\local\transcript;
use PHPUnit\Framework\Attributes\CoversClass;
use PHPUnit\Framework\TestCase;

/**
 * Transcripts for Moodle's search: the captions a master names, WebVTT cues as plain text, and
 * windows of about a minute.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \filter_hlsgate\local\transcript
 */
#[CoversClass(transcript::class)]
final class TranscriptTest extends TestCase {
    /** A video folder on the media host. */
    private const RES = 'https://media.example.test/lectures/AbCdEfGhIjKlMnOpQrSt12/';

    public function test_the_master_names_its_subtitles_rendition(): void {
        // As ingest writes it (ingest/master.ts), and with the attributes in another order.
        $master = "#EXTM3U\n#EXT-X-VERSION:6\n"
            . "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\",NAME=\"Audio\",URI=\"audio/index.m3u8\"\n"
            . "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"Transcript\",LANGUAGE=\"en\",DEFAULT=NO,"
            . "AUTOSELECT=YES,FORCED=NO,URI=\"subs/index.m3u8\"\n"
            . "#EXT-X-STREAM-INF:BANDWIDTH=800000,SUBTITLES=\"subs\"\n360p/index.m3u8\n";
        $this->assertSame(self::RES . 'subs/index.m3u8', transcript::subtitles_uri($master, self::RES . 'master.m3u8'));
        $other = "#EXTM3U\n#EXT-X-MEDIA:URI=\"x/subs.m3u8\",GROUP-ID=\"s\",TYPE=SUBTITLES,NAME=\"en\"\n";
        $this->assertSame(self::RES . 'x/subs.m3u8', transcript::subtitles_uri($other, self::RES . 'master.m3u8'));
        // Audio only is no transcript.
        $none = "#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\",NAME=\"Audio\",URI=\"audio/index.m3u8\"\n"
            . "#EXT-X-STREAM-INF:BANDWIDTH=800000\n360p/index.m3u8\n";
        $this->assertNull(transcript::subtitles_uri($none, self::RES . 'master.m3u8'));
    }

    public function test_the_captions_status_ingest_wrote_for_the_teacher(): void {
        // As ingest writes it (ingest/master.ts withSessionValue), beside the chapters' session data.
        $master = "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-SESSION-DATA:DATA-ID=\"com.apple.hls.chapters\",URI=\"chapters.json\"\n"
            . "#EXT-X-SESSION-DATA:DATA-ID=\"org.hlsgate.captions-status\",VALUE=\"not-selected: recognised by pocketsphinx, "
            . "mean word confidence 0.42 is below 0.60 (HLSGATE_ASR_MIN_CONFIDENCE): published as a transcript\",LANGUAGE=\"en\"\n"
            . "#EXT-X-STREAM-INF:BANDWIDTH=1\n240p/index.m3u8\n";
        $this->assertSame(['state' => 'not-selected', 'note' => 'recognised by pocketsphinx, mean word confidence 0.42 is below 0.60 '
            . '(HLSGATE_ASR_MIN_CONFIDENCE): published as a transcript'], transcript::captions_status($master));
        $this->assertSame(['state' => 'no-speech', 'note' => 'nothing said'], transcript::captions_status(
            "#EXTM3U\r\n#EXT-X-SESSION-DATA:LANGUAGE=\"en\",VALUE=\"no-speech: nothing said\",DATA-ID=\"org.hlsgate.captions-status\"\r\n"));
        // None, another DATA-ID, a state ingest does not write: nothing to show.
        $this->assertNull(transcript::captions_status("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n240p/index.m3u8\n"));
        $this->assertNull(transcript::captions_status("#EXTM3U\n#EXT-X-SESSION-DATA:DATA-ID=\"org.hlsgate.captions-statusx\",VALUE=\"failed: x\"\n"));
        $this->assertNull(transcript::captions_status("#EXTM3U\n#EXT-X-SESSION-DATA:DATA-ID=\"org.hlsgate.captions-status\",VALUE=\"<b>owned</b>: x\"\n"));
        $long = transcript::captions_status("#EXTM3U\n#EXT-X-SESSION-DATA:DATA-ID=\"org.hlsgate.captions-status\",VALUE=\"failed: "
            . str_repeat('é', 1000) . "\"\n");
        $this->assertSame(transcript::MAX_STATUS_CHARS, mb_strlen($long['note']));
    }

    public function test_segments_resolve_against_the_playlist(): void {
        $playlist = "#EXTM3U\n#EXT-X-TARGETDURATION:120\n#EXTINF:60.000,\ntranscript.vtt\n#EXTINF:60.000,\n../subs/b.vtt\n"
            . "#EXTINF:1,\nhttps://elsewhere.test/c.vtt\n#EXT-X-ENDLIST\n";
        $this->assertSame(
            [self::RES . 'subs/transcript.vtt', self::RES . 'subs/b.vtt', 'https://elsewhere.test/c.vtt'],
            transcript::segment_uris($playlist, self::RES . 'subs/index.m3u8')
        );
        $this->assertSame('https://media.example.test/x.vtt', transcript::resolve('/x.vtt', self::RES . 'subs/index.m3u8'));
        $this->expectException(playback_error::class);
        transcript::segment_uris("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv/index.m3u8\n", self::RES . 'subs/index.m3u8');
    }

    public function test_cues_are_plain_text_with_markup_kept_as_words(): void {
        $vtt = "\xEF\xBB\xBFWEBVTT\r\nX-TIMESTAMP-MAP=MPEGTS:126000,LOCAL:00:00:00.000\r\n\r\n"
            . "NOTE a comment --> with an arrow\r\n\r\n"
            . "1\r\n00:00:01.500 --> 00:00:04.000 align:start\r\n<v Tess Teacher>Today: <b>eigenvectors</b></v>\r\n\r\n"
            . "00:01:05.000 --> 00:01:09.250\nIf x &lt; y &amp;&amp; y &gt; 0,\nwe write &lt;script&gt;alert(1)&lt;/script&gt;\n\n"
            . "1:00:00.000 --> 1:00:02.000\nAn hour in&nbsp;&#8212; still\u{200E} here\n\n"
            . "00:00:09.000 --> 00:00:10.000\n<c.yellow></c>\n";
        $this->assertSame([
            ['start' => 1.5, 'end' => 4.0, 'text' => 'Today: eigenvectors'],
            ['start' => 65.0, 'end' => 69.25, 'text' => 'If x < y && y > 0, we write <script>alert(1)</script>'],
            ['start' => 3600.0, 'end' => 3602.0, 'text' => "An hour in \u{2014} still here"],
        ], transcript::cues($vtt));
    }

    public function test_a_file_that_is_not_webvtt_is_refused(): void {
        $this->expectException(playback_error::class);
        transcript::cues("1\n00:00:01,000 --> 00:00:02,000\nSRT, not WebVTT\n");
    }

    public function test_windows_of_about_a_minute_start_at_a_cue(): void {
        $cues = [];
        // A cue every 10 s for 3 minutes, the second segment repeating the cue that spans the boundary.
        for ($t = 0; $t < 180; $t += 10) {
            $cues[] = ['start' => (float) $t + 2, 'end' => (float) $t + 9, 'text' => "w$t"];
        }
        $cues[] = ['start' => 62.0, 'end' => 69.0, 'text' => 'w60'];
        $windows = transcript::windows($cues);
        $this->assertSame([2.0, 62.0, 122.0], array_column($windows, 'start'));
        $this->assertSame([59.0, 119.0, 179.0], array_column($windows, 'end'));
        $this->assertSame('w60 w70 w80 w90 w100 w110', $windows[1]['text']);
        // A pause longer than a window starts the next one at the next cue.
        $windows = transcript::windows([
            ['start' => 5.0, 'end' => 8.0, 'text' => 'a'], ['start' => 300.0, 'end' => 301.0, 'text' => 'b'],
        ]);
        $this->assertSame([5.0, 300.0], array_column($windows, 'start'));
        $this->assertSame([], transcript::windows([]));
    }

    public function test_times_as_results_name_them(): void {
        $this->assertSame('0:07', transcript::clock(7.9));
        $this->assertSame('12:34', transcript::clock(754.0));
        $this->assertSame('1:02:03', transcript::clock(3723.0));
    }
}
