import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { devVideos, listRepository, parseRepositoryEntry } from './lectures.ts';

const DIR = 'AbCdEfGhIjKlMnOpQrStUvWx';
const master = (base: string, dir = DIR) =>
  `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=3000000,RESOLUTION=1280x720\n${base}${dir}/720p/index.m3u8\n`;

describe('parseRepositoryEntry', () => {
  it('takes the title from the file name and the dir from a variant URI', () => {
    expect(parseRepositoryEntry('Demo', '2026-01-02 10.00 - Lecture 1.m3u8', master('http://localhost:9999/lectures/'), 'lectures')).toEqual({
      course: 'Demo',
      title: 'Lecture 1',
      dir: DIR,
    });
  });

  it('ignores files that are not repository masters of this prefix', () => {
    expect(parseRepositoryEntry('D', 'a.txt', master('http://h/lectures/'), 'lectures')).toBeNull();
    expect(parseRepositoryEntry('D', 'a.m3u8', 'hello', 'lectures')).toBeNull();
    expect(parseRepositoryEntry('D', 'a.m3u8', master('http://h/other/'), 'lectures')).toBeNull();
    expect(parseRepositoryEntry('D', 'a.m3u8', master('http://h/lectures/', 'short'), 'lectures')).toBeNull();
  });
});

describe('listRepository', () => {
  const root = mkdtempSync(join(tmpdir(), 'hlsgate-repo-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('lists every course folder, sorted, and maps to DevVideo on the current media host', async () => {
    expect(await listRepository(join(root, 'missing'), 'lectures')).toEqual([]);
    mkdirSync(join(root, 'Demo course'));
    writeFileSync(join(root, 'Demo course', '2026-01-02 10.00 - Lecture 10.m3u8'), master('http://localhost:1/lectures/', `${DIR}10`));
    writeFileSync(join(root, 'Demo course', '2026-01-01 10.00 - Lecture 2.m3u8'), master('http://localhost:1/lectures/'));
    writeFileSync(join(root, 'Demo course', 'notes.txt'), 'x');
    const entries = await listRepository(root, 'lectures');
    expect(entries.map((e) => e.title)).toEqual(['Lecture 2', 'Lecture 10']);
    expect(devVideos(entries, 'http://localhost:8787/lectures/')[0]).toEqual({
      title: 'Lecture 2',
      src: `http://localhost:8787/lectures/${DIR}/master.m3u8`,
      res: `http://localhost:8787/lectures/${DIR}/`,
    });
  });
});
