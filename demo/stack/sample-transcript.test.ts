import { describe, expect, it } from 'vitest';
import { parseChapters, parseMaster, parseVtt } from '../../player/transcript.ts';
import { CHAPTERS_DATA_ID } from '../../common/contracts.ts';
import { chaptersJson } from '../../ingest/chapters.ts';
import { withSessionData } from '../../ingest/master.ts';
import { SAMPLE_CHAPTERS, SAMPLE_TRANSCRIPT_CUES, toVtt } from './sample-transcript.ts';

describe('the captioned sample lecture', () => {
  it('writes a transcript and chapters the player reads back as given', () => {
    expect(parseVtt(toVtt(SAMPLE_TRANSCRIPT_CUES)).map((c) => [c.start, c.end, c.text])).toEqual(SAMPLE_TRANSCRIPT_CUES.map((c) => [c.start, c.end, c.text]));
    expect(parseChapters(toVtt(SAMPLE_CHAPTERS.map((c) => ({ ...c, text: c.title }))))).toEqual(SAMPLE_CHAPTERS);
  });

  it('writes Apple’s chapters JSON', () => {
    const json = JSON.parse(chaptersJson(SAMPLE_CHAPTERS)) as { chapter: number; 'start-time': number; duration: number; titles: { language: string; title: string }[] }[];
    expect(json[2]).toEqual({ chapter: 3, 'start-time': 15, duration: 9, titles: [{ language: 'en', title: 'Eigenvalues' }] });
  });

  it('tags the master once, with the current URL, so the player finds chapters.vtt beside it', () => {
    const master = '#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-STREAM-INF:BANDWIDTH=1\n360/index.m3u8\n';
    const once = withSessionData(master, CHAPTERS_DATA_ID, 'http://localhost:1/lectures/d/chapters.json');
    const twice = withSessionData(once, CHAPTERS_DATA_ID, 'http://localhost:2/lectures/d/chapters.json');
    expect(twice.split('\n').filter((l) => l.includes('com.apple.hls.chapters'))).toEqual(['#EXT-X-SESSION-DATA:DATA-ID="com.apple.hls.chapters",URI="http://localhost:2/lectures/d/chapters.json"']);
    expect(twice.split('\n')[2]).toContain('SESSION-DATA');
    expect(parseMaster(twice, 'http://localhost:2/lectures/d/master.m3u8').chapters).toBe('http://localhost:2/lectures/d/chapters.vtt');
  });
});
