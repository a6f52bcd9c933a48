/**
 * The native path (issue 18): a client that runs no script per request cannot add a header or a
 * query to each request. Real ffmpeg stands in for it (as AVFoundation, AirPlay or a Chromecast
 * receiver would): the plain playlist is refused with 403, and the per-viewer signed playlist of
 * `POST /_auth/session {"mode":"playlist"}` plays to the end, against the real local stack
 * (embedded S3, the CloudFront stand-in, the auth server behind it at /_auth) with two tiny
 * lectures ingested through the real pipeline (MPEG-TS with two rungs, and fMP4 with init segments).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlaylistSessionResponse } from '../../common/contracts.ts';
import { createLogger } from '../../common/log.ts';
import { requestSignedPlaylist } from '../../player/signed-playlist.ts';
import { startServer } from '../../server/node.ts';
import { makeTestServer } from '../../server/test-config.ts';
import { listRepository } from './lectures.ts';
import { PREFIX, type SampleLecture, type Stack, prepareSampleLectures, startStack } from './stack.ts';

const run = promisify(execFile);

const LECTURES: SampleLecture[] = [
  { title: 'Native TS', file: 'native-ts.mp4', seconds: 6, width: 320, height: 180, fps: 5, ladder: '180:200,120:100', date: new Date('2026-02-02T08:00:00Z') },
  { title: 'Native fMP4', file: 'native-fmp4.mp4', seconds: 6, width: 320, height: 180, fps: 5, ladder: '180:200', date: new Date('2026-02-03T08:00:00Z'), segmentFormat: 'fmp4' },
];

/** ffmpeg reading `url` to the end as a player would, no cookie, no header of ours. */
async function ffmpegPlay(url: string): Promise<{ code: number; seconds: number; stderr: string }> {
  try {
    const { stdout, stderr } = await run('ffmpeg', ['-nostdin', '-hide_banner', '-v', 'warning', '-nostats', '-progress', 'pipe:1', '-i', url, '-f', 'null', '-'], {
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    const times = [...stdout.matchAll(/^out_time_us=(\d+)$/gm)].map((m) => Number(m[1]));
    expect(stdout).toMatch(/^progress=end$/m);
    return { code: 0, seconds: Math.max(0, ...times) / 1e6, stderr };
  } catch (error) {
    const failure = error as { code?: number; stderr?: string };
    return { code: failure.code ?? -1, seconds: 0, stderr: failure.stderr ?? String(error) };
  }
}

describe('native HLS client (ffmpeg) against the local stack', () => {
  let dataDir: string;
  let stack: Stack;
  let dirs: Record<string, string>;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'hlsgate-native-'));
    const logger = createLogger({ name: 'native-test', level: 'silent' });
    stack = await startStack({ dataDir, ports: { media: 0, auth: 0, s3: 0, demo: 0 }, signedPlaylists: true, logger });
    await prepareSampleLectures({ dataDir, s3Endpoint: stack.urls.s3, mediaBaseUrl: stack.mediaBaseUrl, logger, signal: new AbortController().signal, lectures: LECTURES });
    const entries = await listRepository(join(dataDir, 'repository'), PREFIX);
    dirs = Object.fromEntries(entries.map((e) => [e.title, e.dir]));
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const res = (title: string) => `${stack.mediaBaseUrl}${dirs[title]}/`;

  async function signedPlaylist(title: string): Promise<PlaylistSessionResponse> {
    const answer = await fetch(`${stack.urls.media}/_auth/session`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${stack.mintToken(res(title))}` },
      body: '{"mode":"playlist"}',
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('set-cookie')).toBeNull();
    return (await answer.json()) as PlaylistSessionResponse;
  }

  for (const lecture of LECTURES) {
    it(`${lecture.title}: 403 for the plain playlist, the signed playlist plays to the end`, async () => {
      const plain = await ffmpegPlay(`${res(lecture.title)}master.m3u8`);
      expect(plain.code).not.toBe(0);
      expect(plain.stderr).toMatch(/403 Forbidden/);

      const { playlist } = await signedPlaylist(lecture.title);
      expect(playlist.startsWith(`${stack.urls.media}/_auth/playlist/${dirs[lecture.title]}/master.m3u8?cap=`)).toBe(true);
      const played = await ffmpegPlay(playlist);
      expect(played.code, played.stderr).toBe(0);
      // Every request answered: ffmpeg's HLS reader only warns when it skips a segment or playlist.
      expect(played.stderr).not.toMatch(/403|Failed to open|HTTP error|Error when loading/i);
      expect(played.seconds).toBeGreaterThanOrEqual(lecture.seconds - 0.5);
    }, 90_000);
  }

  it("the player core's request: the playlist where the server offers it, not_offered (404) where it does not", async () => {
    const answer = await requestSignedPlaylist(`${stack.urls.media}/_auth/session`, stack.mintToken(res('Native TS')));
    expect(answer).toMatchObject({ ok: true, playlist: expect.stringMatching(/\/_auth\/playlist\/.+\?cap=/) });
    const played = await ffmpegPlay((answer as { playlist: string }).playlist);
    expect(played.code, played.stderr).toBe(0);
    expect(await requestSignedPlaylist(`${stack.urls.media}/_auth/session`, 'not.a.token')).toMatchObject({ ok: false, reason: 'refused', status: 401, code: 'token_invalid' });
    const off = makeTestServer();
    const server = await startServer(off.config, { logger: createLogger({ name: 'off', level: 'silent' }) });
    try {
      const refused = await requestSignedPlaylist(`${server.url}/session`, off.mint(off.res('AbCdEfGhIjKlMnOpQrSt')));
      expect(refused).toEqual({ ok: false, reason: 'not_offered', status: 404, code: 'not_found' });
    } finally {
      await server.stop();
    }
  });

  it('the signed playlist does not open another video, and its media URLs work only with their signature', async () => {
    const { playlist } = await signedPlaylist('Native TS');
    const other = playlist.replace(dirs['Native TS']!, dirs['Native fMP4']!);
    expect((await fetch(other)).status).toBe(403);
    const master = await (await fetch(playlist)).text();
    const variant = master.split('\n').find((l) => l.startsWith('http') && l.includes('/_auth/playlist/'))!;
    const media = await (await fetch(variant)).text();
    const segment = media.split('\n').find((l) => l.startsWith('http'))!;
    expect(segment).toMatch(/\.ts\?Policy=[^&]+&Signature=[^&]+&Key-Pair-Id=[^&]+$/);
    expect((await fetch(segment)).status).toBe(200);
    expect((await fetch(segment.split('?')[0]!)).status).toBe(403);
  });
});
