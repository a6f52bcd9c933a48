import { describe, expect, it } from 'vitest';
import { parseChaptersJson, chaptersJson, cueTextToPlain, parseSceneFile, slideChapters, titleChapters } from './chapters.ts';
import { withSessionData, withSubtitles } from './master.ts';
import { normalizeVtt, parseVtt, sanitizeCueText } from './vtt.ts';

const parse = (text: string, durationSeconds: number | null = 60) => parseVtt(text, { name: 'x.vtt', durationSeconds });

describe('a WebVTT file given by hand', () => {
  it('parses cues, identifiers, NOTE blocks, hour-less times and cue settings', () => {
    const { cues } = parse('WEBVTT - lecture\nKind: captions\n\nNOTE edited by hand\n\nintro\n00:01.000 --> 00:04.500 align:start\nHello\nworld\n\n00:00:05.000 --> 00:00:06.000\nBye\n');
    expect(cues).toEqual([{ start: 1, end: 4.5, text: 'Hello\nworld' }, { start: 5, end: 6, text: 'Bye' }]);
    expect(normalizeVtt({ cues })).toBe('WEBVTT\n\n00:00:01.000 --> 00:00:04.500\nHello\nworld\n\n00:00:05.000 --> 00:00:06.000\nBye\n');
  });

  it('names the line of what is wrong', () => {
    expect(() => parse('WEBVT\n')).toThrow('x.vtt line 1: a WebVTT file starts with "WEBVTT"');
    expect(() => parse('WEBVTT\n\n00:00:01.000 --> 00:00:0x.000\nHi\n')).toThrow(/x\.vtt line 3: not a cue timing line/);
    expect(() => parse('WEBVTT\n\n00:00:04.000 --> 00:00:01.000\nHi\n')).toThrow(/line 3: the cue ends \(00:00:01\.000\) before it starts/);
    expect(() => parse('WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHi\n\n00:00:59.000 --> 00:01:01.000\nLate\n')).toThrow(/line 6: the cue ends at 00:01:01\.000, after the end of the recording \(00:01:00\.000\)/);
    expect(() => parse('WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHi\n00:00:02.000 --> 00:00:03.000\n')).toThrow(/line 5: a cue timing line inside a cue's text/);
    expect(() => parse('WEBVTT\n\njust some text\nmore\n')).toThrow(/line 3: expected a cue timing line/);
    expect(() => parse('WEBVTT\n\n00:00:05.000 --> 00:00:06.000\nB\n\n00:00:01.000 --> 00:00:02.000\nA\n')).toThrow(/line 6: the cue starts .* before the cue above it/);
  });

  it('keeps WebVTT tags and entities, and turns any other markup into text', () => {
    expect(sanitizeCueText('<v Prof. Lee>Hi</v> <i>x</i> &amp; <c.yellow>y</c> <00:00:01.000>z')).toBe('<v Prof. Lee>Hi</v> <i>x</i> &amp; <c.yellow>y</c> <00:00:01.000>z');
    expect(sanitizeCueText('<script>alert("x")</script> <img src=x onerror=alert(1)> a & b < c')).toBe('&lt;script&gt;alert("x")&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt; a &amp; b &lt; c');
  });
});

describe('chapters', () => {
  it('reads the scene file, merges changes closer than the minimum, and needs two chapters', () => {
    const changes = parseSceneFile('frame:0    pts:256000  pts_time:20\nlavfi.scene_score=0.41\nframe:1    pts:260000  pts_time:21.5\nlavfi.scene_score=0.5\nframe:2 pts:1 pts_time:40.04\n');
    expect(changes).toEqual([20, 21.5, 40.04]);
    expect(slideChapters(changes, 60, 10)).toEqual([
      { start: 0, end: 20, title: 'Slide 1' },
      { start: 20, end: 40.04, title: 'Slide 2' },
      { start: 40.04, end: 60, title: 'Slide 3' },
    ]);
    expect(slideChapters(changes, 60, 30).map((c) => c.start)).toEqual([0, 40.04]);
    expect(slideChapters([10], 60, 30)).toEqual([]);
  });

  it('titles chapters with the first words spoken in them, and round-trips Apple\'s JSON', () => {
    const words = ['welcome', 'to', 'the', 'lecture', 'on', 'linear', 'algebra', 'now'].map((text, i) => ({ text, start: 1 + i * 0.3 }));
    const titled = titleChapters([{ start: 0, end: 20, title: 'Slide 1' }, { start: 20, end: 40, title: 'Slide 2' }], words);
    expect(titled.map((c) => c.title)).toEqual(['Welcome to the lecture on linear…', 'Slide 2']);
    const json = chaptersJson(titled, 'en');
    expect(JSON.parse(json)[0]).toEqual({ chapter: 1, 'start-time': 0, duration: 20, titles: [{ language: 'en', title: 'Welcome to the lecture on linear…' }] });
    expect(parseChaptersJson(json)).toEqual(titled);
    expect(cueTextToPlain('<b>A</b> &amp; &lt;b&gt; &#233;')).toBe('A & <b> é');
  });

  it('puts the chapters and the subtitles into a published master, replacing what was there', () => {
    const master = '#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="Audio",URI="audio/index.m3u8"\n#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="Transcript",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI="subs/index.m3u8"\n#EXT-X-STREAM-INF:BANDWIDTH=1,AUDIO="aud",SUBTITLES="subs"\n360p/index.m3u8\n';
    const chaptered = withSessionData(withSessionData(master, 'com.apple.hls.chapters', 'chapters.json'), 'com.apple.hls.chapters', 'chapters.json');
    expect(chaptered.match(/EXT-X-SESSION-DATA/g)).toHaveLength(1);
    expect(chaptered.split('\n')[3]).toBe('#EXT-X-SESSION-DATA:DATA-ID="com.apple.hls.chapters",URI="chapters.json"');
    const low = withSubtitles(chaptered, { groupId: 'subs', name: 'English (automatic)', language: 'de', uri: 'subs/index.m3u8', autoselect: false });
    expect(low.match(/TYPE=SUBTITLES/g)).toHaveLength(1);
    expect(low).toContain('NAME="English (automatic)",LANGUAGE="de",DEFAULT=NO,AUTOSELECT=NO');
    expect(low).toContain('#EXT-X-STREAM-INF:BANDWIDTH=1,AUDIO="aud",SUBTITLES="subs"\n');
    const none = withSubtitles(low, null);
    expect(none).not.toContain('SUBTITLES');
  });
});
