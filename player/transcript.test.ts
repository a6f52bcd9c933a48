import { describe, expect, it } from 'vitest';
import { highlight } from './transcript-panel.ts';
import { cueIndexAt, cueText, mergeCues, parseChapters, parseMaster, parseTimeFragment, parseVtt, searchCues, segmentUrls, transcriptRows, vttSeconds } from './transcript.ts';

const VTT = `WEBVTT
X-TIMESTAMP-MAP=MPEGTS:126000,LOCAL:00:00:00.000

NOTE a comment block
with two lines

1
00:00:00.000 --> 00:00:03.000
Welcome to the <i>fourth</i> lecture.

intro-2
00:00:03.000 --> 00:00:06.500 align:start position:10%
<v Prof. Ada>Today: matrices</v>
and their properties.

00:01:02.250 --> 01:00:03.000
Slides show <b>bold</b> &amp; a literal <script>alert(1)</script> tag &lt;img&gt;.

00:00:09.000 --> 00:00:09.500

`;

describe('WebVTT cues', () => {
  it('reads timings (with and without hours, cue settings, ids) and skips NOTE blocks and empty cues', () => {
    const cues = parseVtt(VTT);
    expect(cues.map((c) => [c.start, c.end])).toEqual([
      [0, 3],
      [3, 6.5],
      [62.25, 3603],
    ]);
    expect(cues[1]!.text).toBe('Today: matrices and their properties.');
    expect(vttSeconds('1:02:03.4')).toBeCloseTo(3723.4);
    expect(vttSeconds('nonsense')).toBeNaN();
    expect(parseVtt('not a vtt\n\n00:00:01.000 --> 00:00:02.000\nx')).toEqual([]);
  });

  it('takes WebVTT tags off, decodes references, and keeps any other markup as literal text', () => {
    expect(parseVtt(VTT)[0]!.text).toBe('Welcome to the fourth lecture.');
    expect(parseVtt(VTT)[2]!.text).toBe('Slides show bold & a literal <script>alert(1)</script> tag <img>.');
    expect(cueText('<c.yellow>a</c> <00:00:01.500>b <img src=x onerror=alert(1)> &#60;&#x3E; &bogus;')).toBe('a b <img src=x onerror=alert(1)> <> &bogus;');
  });

  it('subtracts the X-TIMESTAMP-MAP LOCAL offset, and merges segments without the repeats at their boundaries', () => {
    const seg = (local: string, body: string) => parseVtt(`WEBVTT\nX-TIMESTAMP-MAP=LOCAL:${local},MPEGTS:900000\n\n${body}`);
    expect(seg('00:00:10.000', '00:00:12.000 --> 00:00:14.000\nx')).toEqual([{ start: 2, end: 4, text: 'x' }]);
    const a = parseVtt('WEBVTT\n\n00:00:05.000 --> 00:00:07.000\nb\n\n00:00:08.000 --> 00:00:12.000\nacross');
    const b = parseVtt('WEBVTT\n\n00:00:08.000 --> 00:00:12.000\nacross\n\n00:00:01.000 --> 00:00:02.000\na');
    expect(mergeCues([a, b]).map((c) => c.text)).toEqual(['a', 'b', 'across']);
  });
});

describe('the current cue', () => {
  const cues = [
    { start: 0, end: 3 },
    { start: 3, end: 6 },
    { start: 10, end: 12 },
    { start: 11, end: 20 },
  ];
  it('is the last cue started, while it lasts; none in a gap or before the first', () => {
    expect(cueIndexAt(cues, 0)).toBe(0);
    expect(cueIndexAt(cues, 2.99)).toBe(0);
    expect(cueIndexAt(cues, 3)).toBe(1);
    expect(cueIndexAt(cues, 7)).toBe(-1);
    expect(cueIndexAt(cues, 11.5)).toBe(3);
    expect(cueIndexAt(cues, 25)).toBe(-1);
    expect(cueIndexAt([{ start: 5, end: 6 }], 1)).toBe(-1);
    expect(cueIndexAt([], 1)).toBe(-1);
  });
  it('falls back to an earlier, longer cue that still runs', () => {
    expect(cueIndexAt([{ start: 0, end: 30 }, { start: 5, end: 6 }], 10)).toBe(0);
  });
});

describe('search', () => {
  const cues = parseVtt(
    'WEBVTT\n\n00:00:15.000 --> 00:00:18.000\nNow the eigenvalues of a Matrix.\n\n00:00:18.000 --> 00:00:21.000\nAn eigenvector keeps its direction.\n\n00:00:21.000 --> 00:00:24.000\nÉigenvectors are independent.',
  );
  it('finds every word of the query, ignoring case and accents, in order, with the cue times', () => {
    expect(searchCues(cues, 'EIGENVECTOR').map((h) => h.start)).toEqual([18, 21]);
    expect(searchCues(cues, 'matrix eigenvalues')).toEqual([{ index: 0, start: 15, text: 'Now the eigenvalues of a Matrix.' }]);
    expect(searchCues(cues, 'eigen direction').map((h) => h.index)).toEqual([1]);
    expect(searchCues(cues, '   ')).toEqual([]);
    expect(searchCues(cues, 'zebra')).toEqual([]);
    expect(searchCues(cues, 'e', 2)).toHaveLength(2);
  });
  it('marks the words found in the original text, accents and case kept', () => {
    expect(highlight('Éigenvectors are independent.', 'eigenvector')).toEqual([
      { text: 'Éigenvector', match: true },
      { text: 's are independent.', match: false },
    ]);
    expect(highlight('a <b> tag', 'b')).toEqual([
      { text: 'a <', match: false },
      { text: 'b', match: true },
      { text: '> tag', match: false },
    ]);
    expect(highlight('no query', ' ')).toEqual([{ text: 'no query', match: false }]);
    expect(highlight('Matrix and MATRIX', 'matrix').filter((p) => p.match).map((p) => p.text)).toEqual(['Matrix', 'MATRIX']);
  });
});

describe('chapters', () => {
  const chapters = parseChapters('WEBVTT\n\n00:00:09.000 --> 00:00:15.000\nLinear maps\n\n00:00:00.000 --> 00:00:09.000\nIntroduction <script>x</script>\n');
  it('are the cues of chapters.vtt, sorted, titles as text', () => {
    expect(chapters).toEqual([
      { start: 0, end: 9, title: 'Introduction <script>x</script>' },
      { start: 9, end: 15, title: 'Linear maps' },
    ]);
  });
  it('head the transcript rows before the first cue that starts in them', () => {
    const cues = [
      { start: 0, end: 3, text: 'a' },
      { start: 6, end: 9, text: 'b' },
      { start: 9, end: 12, text: 'c' },
    ];
    const rows = transcriptRows(cues, chapters).map((r) => (r.kind === 'chapter' ? `# ${r.chapter.title.split(' ')[0]}` : r.cue.text));
    expect(rows).toEqual(['# Introduction', 'a', 'b', '# Linear', 'c']);
    expect(transcriptRows(cues, []).every((r) => r.kind === 'cue')).toBe(true);
  });
});

describe('playlists', () => {
  const base = 'https://media.example.edu/lectures/abc/master.m3u8';
  it('finds the subtitles rendition (DEFAULT first) and chapters.vtt beside the chapters session data', () => {
    const master = [
      '#EXTM3U',
      '#EXT-X-SESSION-DATA:DATA-ID="com.apple.hls.title",VALUE="x"',
      '#EXT-X-SESSION-DATA:DATA-ID="com.apple.hls.chapters",URI="https://media.example.edu/lectures/abc/chapters.json"',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="en",URI="audio/index.m3u8"',
      '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="Auto, fr",LANGUAGE="fr",DEFAULT=NO,AUTOSELECT=YES,URI="subs-fr/index.m3u8"',
      '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="Transcript",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,URI="subs/index.m3u8"',
      '#EXT-X-STREAM-INF:BANDWIDTH=1000,SUBTITLES="subs"',
      '720/index.m3u8',
    ].join('\r\n');
    expect(parseMaster(master, base)).toEqual({
      subtitles: 'https://media.example.edu/lectures/abc/subs/index.m3u8',
      rendition: { label: 'Transcript', language: 'en', default: true },
      chapters: 'https://media.example.edu/lectures/abc/chapters.vtt',
    });
    // What a player needs to list the rendition as its own track: its name, language and default.
    expect(parseMaster('#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="s",NAME="English (automatic)",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=YES,URI="s.m3u8"', base).rendition)
      .toEqual({ label: 'English (automatic)', language: 'en', default: false });
    expect(parseMaster('#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="s",URI="s.m3u8"', base).rendition).toEqual({ label: '', language: '', default: false });
    expect(parseMaster('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8', base)).toEqual({});
  });
  it('lists a media playlist’s segments, resolved', () => {
    expect(segmentUrls('#EXTM3U\n#EXTINF:30.000,\ntranscript.vtt\n#EXTINF:1,\n/x/2.vtt\n#EXT-X-ENDLIST\n', 'https://m.example/l/abc/subs/index.m3u8')).toEqual([
      'https://m.example/l/abc/subs/transcript.vtt',
      'https://m.example/x/2.vtt',
    ]);
  });
});

describe('time fragment', () => {
  it('reads seconds, clock times, 1h2m3s and media-fragment forms, and an optional player id', () => {
    expect(parseTimeFragment('#t=754')).toEqual({ seconds: 754 });
    expect(parseTimeFragment('#t=12.5')).toEqual({ seconds: 12.5 });
    expect(parseTimeFragment('#t=12:34')).toEqual({ seconds: 754 });
    expect(parseTimeFragment('#t=1:02:03')).toEqual({ seconds: 3723 });
    expect(parseTimeFragment('#t=1h2m3s')).toEqual({ seconds: 3723 });
    expect(parseTimeFragment('#t=2m')).toEqual({ seconds: 120 });
    expect(parseTimeFragment('#t=npt:754,800')).toEqual({ seconds: 754 });
    expect(parseTimeFragment('#t=754&p=lecture-2')).toEqual({ seconds: 754, player: 'lecture-2' });
  });
  it('ignores what is not a time', () => {
    for (const hash of ['', '#', '#section-3', '#t=', '#t=abc', '#t=-5', '#t=0', '#t=12:', '#t=1x', '#t=h']) expect(parseTimeFragment(hash), hash).toBeNull();
  });
});
