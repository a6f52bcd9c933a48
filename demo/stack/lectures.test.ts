import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { devVideos, listRepository, parseRepositoryEntry, rebaseMaster, rebaseRepository } from './lectures.ts';

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

describe('rebaseRepository', () => {
  const root = mkdtempSync(join(tmpdir(), 'hlsgate-rebase-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const withMedia = (base: string) =>
    `#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="Audio",URI="${base}${DIR}/audio/index.m3u8"\n` +
    `#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="Transcript",URI="${base}${DIR}/subs/index.m3u8"\n` +
    `#EXT-X-STREAM-INF:BANDWIDTH=3000000,AUDIO="aud",SUBTITLES="subs"\n${base}${DIR}/720p/index.m3u8\n`;

  it('moves every URI of a master ingested at another address to the current media base, and nothing else', () => {
    const other = withMedia('http://localhost:18900/lectures/');
    expect(rebaseMaster(other, 'lectures', 'http://localhost:8797/lectures/')).toBe(withMedia('http://localhost:8797/lectures/'));
    const foreign = withMedia('https://cdn.example.org/other/');
    expect(rebaseMaster(foreign, 'lectures', 'http://localhost:8797/lectures/')).toBe(foreign);
  });

  it('rewrites only the masters that name another address, and says how many', async () => {
    mkdirSync(join(root, 'Course'));
    const moved = join(root, 'Course', '2026-01-01 10.00 - Moved.m3u8');
    const current = join(root, 'Course', '2026-01-02 10.00 - Current.m3u8');
    const notOurs = join(root, 'Course', 'notes.m3u8');
    writeFileSync(moved, withMedia('http://localhost:18900/lectures/'));
    writeFileSync(current, withMedia('http://localhost:8787/lectures/'));
    writeFileSync(notOurs, '#EXTM3U\nhttp://localhost:18900/elsewhere/x.m3u8\n');
    expect(await rebaseRepository(root, 'lectures', 'http://localhost:8787/lectures/')).toBe(1);
    expect(readFileSync(moved, 'utf8')).toBe(withMedia('http://localhost:8787/lectures/'));
    expect(readFileSync(current, 'utf8')).toBe(withMedia('http://localhost:8787/lectures/'));
    expect(readFileSync(notOurs, 'utf8')).toBe('#EXTM3U\nhttp://localhost:18900/elsewhere/x.m3u8\n');
    expect(await rebaseRepository(root, 'lectures', 'http://localhost:8787/lectures/')).toBe(0);
    expect(await rebaseRepository(join(root, 'missing'), 'lectures', 'http://localhost:8787/lectures/')).toBe(0);
  });
});
