import { describe, expect, it } from 'vitest';
import { absolutizeMaster, composeMaster, h264Codec, measureBandwidth, parseAttributes, parseMasterVariants, parseMediaPlaylist, sessionValue, withSessionValue } from './master.ts';

const variants = [
  { uri: '720p/index.m3u8', bandwidth: 3_000_000, averageBandwidth: 2_800_000, codecs: 'avc1.64001f,mp4a.40.2', width: 1280, height: 720, frameRate: 29.97 },
  { uri: '360p/index.m3u8', bandwidth: 900_000, averageBandwidth: 850_000, codecs: 'avc1.64001e,mp4a.40.2', width: 640, height: 360, frameRate: 29.97 },
];

describe('composeMaster', () => {
  it('writes every attribute a player needs, in rung order', () => {
    const text = composeMaster(variants, { subtitles: { groupId: 'subs', name: 'Transcript', language: 'en', uri: 'subs/index.m3u8' } });
    expect(text).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:6',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="Transcript",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI="subs/index.m3u8"',
        '#EXT-X-STREAM-INF:BANDWIDTH=3000000,AVERAGE-BANDWIDTH=2800000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,FRAME-RATE=29.970,SUBTITLES="subs"',
        '720p/index.m3u8',
        '#EXT-X-STREAM-INF:BANDWIDTH=900000,AVERAGE-BANDWIDTH=850000,CODECS="avc1.64001e,mp4a.40.2",RESOLUTION=640x360,FRAME-RATE=29.970,SUBTITLES="subs"',
        '360p/index.m3u8',
        '',
      ].join('\n'),
    );
    const parsed = parseMasterVariants(text);
    expect(parsed.map((v) => v.uri)).toEqual(['720p/index.m3u8', '360p/index.m3u8']);
    expect(parsed[0]!.attributes.CODECS).toBe('avc1.64001f,mp4a.40.2');
    expect(() => composeMaster([])).toThrow();
  });

  it('names the shared audio rendition once and counts its bandwidth in every variant', () => {
    const audio = { groupId: 'aud', name: 'Audio', uri: 'audio/index.m3u8', channels: 2, bandwidth: 140_000, averageBandwidth: 130_000 };
    const lines = composeMaster(variants, { audio }).split('\n');
    expect(lines[3]).toBe('#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="Audio",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio/index.m3u8"');
    expect(lines.filter((l) => l.startsWith('#EXT-X-MEDIA:'))).toHaveLength(1);
    expect(lines[4]).toBe('#EXT-X-STREAM-INF:BANDWIDTH=3140000,AVERAGE-BANDWIDTH=2930000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,FRAME-RATE=29.970,AUDIO="aud"');
    const abs = absolutizeMaster(lines.join('\n'), 'https://media.example.edu/lectures/abcDEF0123456789_-/');
    expect(abs).toContain('URI="https://media.example.edu/lectures/abcDEF0123456789_-/audio/index.m3u8"');
  });

  it('makes variant and media URIs absolute for the repository copy', () => {
    const text = composeMaster(variants, { subtitles: { groupId: 'subs', name: 'T', language: 'en', uri: 'subs/index.m3u8' } }) + '#EXT-X-MAP:URI="init.mp4"\n';
    const abs = absolutizeMaster(text, 'https://media.example.edu/lectures/abcDEF0123456789_-/');
    expect(abs).toContain('\nhttps://media.example.edu/lectures/abcDEF0123456789_-/720p/index.m3u8\n');
    expect(abs).toContain('URI="https://media.example.edu/lectures/abcDEF0123456789_-/subs/index.m3u8"');
    expect(abs).toContain('#EXT-X-MAP:URI="https://media.example.edu/lectures/abcDEF0123456789_-/init.mp4"');
    expect(abs.split('\n').filter((l) => l && !l.startsWith('#')).every((l) => l.startsWith('https://'))).toBe(true);
    expect(() => absolutizeMaster(text, 'https://x/no-slash')).toThrow();
  });
});

describe('playlist parsing', () => {
  it('reads a media playlist', () => {
    const media = parseMediaPlaylist('#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6.000000,\nseg_00000.ts\n#EXTINF:2.5,\nseg_00001.ts\n#EXT-X-ENDLIST\n');
    expect(media).toEqual({ targetDuration: 6, endList: true, initUri: null, segments: [{ uri: 'seg_00000.ts', duration: 6 }, { uri: 'seg_00001.ts', duration: 2.5 }] });
    expect(parseMediaPlaylist('#EXTM3U\n#EXT-X-MAP:URI="init_1.mp4"\n#EXTINF:6,\nseg_00000.m4s\n').initUri).toBe('init_1.mp4');
    expect(() => parseMediaPlaylist('nope')).toThrow();
  });

  it('reads quoted attributes with commas', () => {
    expect(parseAttributes('BANDWIDTH=1,CODECS="a,b",RESOLUTION=2x2')).toEqual({ BANDWIDTH: '1', CODECS: 'a,b', RESOLUTION: '2x2' });
  });
});

describe('bandwidth and codecs', () => {
  it('takes the peak segment bitrate, ignoring a short tail', () => {
    const bw = measureBandwidth([{ duration: 6, bytes: 600_000 }, { duration: 6, bytes: 750_000 }, { duration: 1, bytes: 400_000 }], 6);
    expect(bw.peak).toBe(1_000_000);
    expect(bw.average).toBe(Math.ceil((1_750_000 * 8) / 13));
    expect(measureBandwidth([{ duration: 2, bytes: 1000 }], 6).peak).toBe(4000);
  });

  it('spells H.264 codecs as RFC 6381 does', () => {
    expect(h264Codec('High', 31)).toBe('avc1.64001f');
    expect(h264Codec('Main', 30)).toBe('avc1.4d401e');
    expect(h264Codec('Constrained Baseline', 30)).toBe('avc1.42c01e');
  });
});

describe('withSessionValue (the captions status for the teacher)', () => {
  const master = '#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="x",URI="subs/index.m3u8"\n#EXT-X-STREAM-INF:BANDWIDTH=1\n240p/index.m3u8\n';
  it('puts one quoted VALUE before the renditions, replaces it, removes it; quotes and line breaks cannot break the tag', () => {
    const once = withSessionValue(master, 'org.hlsgate.captions-status', 'failed: "model" missing\nline two');
    expect(once.split('\n')[2]).toBe(`#EXT-X-SESSION-DATA:DATA-ID="org.hlsgate.captions-status",VALUE="failed: 'model' missing line two",LANGUAGE="en"`);
    expect(sessionValue(once, 'org.hlsgate.captions-status')).toBe("failed: 'model' missing line two");
    const twice = withSessionValue(once, 'org.hlsgate.captions-status', 'offered: fine');
    expect(twice.match(/SESSION-DATA/g)).toHaveLength(1);
    expect(sessionValue(twice, 'org.hlsgate.captions-status')).toBe('offered: fine');
    expect(withSessionValue(twice, 'org.hlsgate.captions-status', null)).toBe(master);
    expect(sessionValue(withSessionValue(master, 'x', 'a'.repeat(1000)), 'x')).toHaveLength(400);
  });
});
