import { describe, expect, it } from 'vitest';
import { parseLadder, selectRungs } from './ladder.ts';

describe('parseLadder', () => {
  it('reads height:kbps lists and JSON arrays, highest first', () => {
    expect(parseLadder('360:800, 1080:5000,720p:2800k')).toEqual([
      { height: 1080, videoKbps: 5000 },
      { height: 720, videoKbps: 2800 },
      { height: 360, videoKbps: 800 },
    ]);
    expect(parseLadder([{ height: 480, videoKbps: 1400 }])).toEqual([{ height: 480, videoKbps: 1400 }]);
  });

  it('names what is wrong', () => {
    expect(() => parseLadder('720')).toThrow(/"720" is not height:kbps/);
    expect(() => parseLadder('721:800')).toThrow(/even/);
    expect(() => parseLadder('720:10')).toThrow(/bitrate/);
    expect(() => parseLadder('720:800,720:900')).toThrow(/twice/);
    expect(() => parseLadder('')).toThrow(/at least one/);
  });
});

describe('selectRungs', () => {
  const ladder = parseLadder('1080:5000,720:2800,480:1400,360:800');

  it('never goes above the source height', () => {
    expect(selectRungs(ladder, 1080).map((r) => r.name)).toEqual(['1080p', '720p', '480p', '360p']);
    expect(selectRungs(ladder, 720).map((r) => r.name)).toEqual(['720p', '480p', '360p']);
    expect(selectRungs(ladder, 1000).map((r) => r.name)).toEqual(['720p', '480p', '360p']);
    expect(selectRungs(ladder, 2160).map((r) => r.name)).toEqual(['1080p', '720p', '480p', '360p']);
  });

  it('always keeps one rung, at the source height, for small sources', () => {
    const [only, ...rest] = selectRungs(ladder, 241);
    expect(rest).toEqual([]);
    expect(only!.height).toBe(240);
    expect(only!.name).toBe('240p');
    expect(only!.videoKbps).toBeLessThan(800);
  });

  it('gives each rung a VBV peak and buffer above its target', () => {
    for (const rung of selectRungs(ladder, 1080)) {
      expect(rung.maxrateKbps).toBeGreaterThan(rung.videoKbps);
      expect(rung.bufsizeKbps).toBeGreaterThan(rung.maxrateKbps);
    }
  });
});
