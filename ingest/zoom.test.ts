/**
 * Zoom through a local HTTP server on 127.0.0.1 that speaks the documented endpoints:
 * `POST /oauth/token` (account_credentials), `GET /v2/users/{userId}/recordings` (one-month
 * windows, next_page_token), recording downloads with Range, and signed webhooks.
 */
import { readFileSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../common/log.ts';
import { SqliteCatalog } from './catalog.ts';
import { parseCourseMap } from './course-map.ts';
import { download } from './download.ts';
import { parseMasterVariants } from './master.ts';
import { createS3Client } from './s3.ts';
import { makeTestClip } from './test-clip.ts';
import { type TestEnv, startTestEnv } from './test-support.ts';
import { checkSignature, signWebhook, startWebhookServer, urlValidationResponse } from './webhook.ts';
import { runQueue } from './worker.ts';
import { ZoomClient, type ZoomMeeting, monthWindows, pickFiles, queueMeeting, retryAfterMs } from './zoom.ts';

const quiet = createLogger({ name: 'test', level: 'silent' });
const VTT = 'WEBVTT\n\n1\n00:00:00.500 --> 00:00:02.000\nHello, class.\n';

interface FakeZoom {
  url: string;
  /** Requests seen, as `METHOD path?query`. */
  log: string[];
  /** Make the next N API calls answer 429 with this Retry-After. */
  throttle(count: number, retryAfter: string): void;
  /** Revoke every token issued so far (the next API call answers 401). */
  revokeTokens(): void;
  tokensIssued(): number;
  setMeetings(meetings: ZoomMeeting[]): void;
  video: Buffer;
  /** Make the next N downloads answer 429 with this Retry-After. */
  throttleDownloads(count: number, retryAfter: string): void;
  /** Cut the connection after this many bytes on the next video download. */
  breakNextDownloadAfter(bytes: number): void;
  stop(): Promise<void>;
}

async function startFakeZoom(video: Buffer): Promise<FakeZoom> {
  const log: string[] = [];
  const validTokens = new Set<string>();
  let issued = 0;
  let throttled = 0;
  let retryAfter = '1';
  let breakAfter: number | null = null;
  let throttledDownloads = 0;
  let downloadRetryAfter = '1';
  let meetings: ZoomMeeting[] = [];
  const PAGE = 2;
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url!, 'http://127.0.0.1');
    log.push(`${req.method} ${url.pathname}${url.search}`);
    if (req.method === 'POST' && url.pathname === '/oauth/token') {
      const basic = Buffer.from('client-id:client-secret').toString('base64');
      if (req.headers.authorization !== `Basic ${basic}` || url.searchParams.get('grant_type') !== 'account_credentials' || url.searchParams.get('account_id') !== 'acct') {
        return json(res, 400, { reason: 'Invalid client_id or client_secret', error: 'invalid_client' });
      }
      const token = `tok-${++issued}`;
      validTokens.add(token);
      return json(res, 200, { access_token: token, token_type: 'bearer', expires_in: 3599, scope: 'recording:read:admin' });
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const recordings = /^\/v2\/users\/([^/]+)\/recordings$/.exec(url.pathname);
    if (req.method === 'GET' && recordings) {
      if (!bearer || !validTokens.has(bearer)) return json(res, 401, { code: 124, message: 'Invalid access token.' });
      if (throttled > 0) {
        throttled--;
        return json(res, 429, { code: 429, message: 'You have reached the maximum per-second rate limit for this API.' }, { 'retry-after': retryAfter });
      }
      const from = url.searchParams.get('from')!;
      const to = url.searchParams.get('to')!;
      const inWindow = meetings.filter((m) => m.start_time.slice(0, 10) >= from && m.start_time.slice(0, 10) <= to);
      const offset = Number(url.searchParams.get('next_page_token') || 0);
      const page = inWindow.slice(offset, offset + PAGE);
      const next = offset + PAGE < inWindow.length ? String(offset + PAGE) : '';
      return json(res, 200, { from, to, page_size: PAGE, total_records: inWindow.length, next_page_token: next, meetings: page });
    }
    const file = /^\/rec\/download\/(.+)$/.exec(url.pathname)?.[1];
    if (req.method === 'GET' && file) {
      if (bearer !== 'webhook-download-token' && !(bearer && validTokens.has(bearer))) return json(res, 401, { code: 124, message: 'Invalid access token.' });
      if (file === 'gone.mp4') return json(res, 404, { code: 3301, message: 'This recording does not exist.' });
      if (throttledDownloads > 0) {
        throttledDownloads--;
        return json(res, 429, { code: 429, message: 'Too many requests' }, { 'retry-after': downloadRetryAfter });
      }
      const body = file.endsWith('.vtt') ? Buffer.from(VTT) : video;
      const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      const start = range ? Number(range[1]) : 0;
      const slice = body.subarray(start);
      res.writeHead(range ? 206 : 200, {
        'content-type': file.endsWith('.vtt') ? 'text/vtt' : 'video/mp4',
        'content-length': String(slice.length),
        ...(range ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
      });
      if (breakAfter !== null && !file.endsWith('.vtt')) {
        const cut = breakAfter;
        breakAfter = null;
        res.write(slice.subarray(0, cut), () => res.destroy());
        return;
      }
      return res.end(slice);
    }
    json(res, 404, { code: 404, message: 'not found' });
  };
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    log,
    video,
    throttle(count, value) {
      throttled = count;
      retryAfter = value;
    },
    revokeTokens: () => validTokens.clear(),
    tokensIssued: () => issued,
    setMeetings(m) {
      meetings = m;
    },
    throttleDownloads(count, value) {
      throttledDownloads = count;
      downloadRetryAfter = value;
    },
    breakNextDownloadAfter(bytes) {
      breakAfter = bytes;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function meeting(n: number, date: string, topic: string, base: string, extra: Partial<ZoomMeeting> = {}): ZoomMeeting {
  return {
    uuid: `uuid-${n}==`,
    id: 85000000000 + n,
    topic,
    start_time: `${date}T09:00:00Z`,
    duration: 50,
    recording_files: [
      { id: `f${n}-gallery`, file_type: 'MP4', recording_type: 'gallery_view', download_url: `${base}/rec/download/f${n}-gallery.mp4`, status: 'completed' },
      { id: `f${n}-screen`, file_type: 'MP4', recording_type: 'shared_screen_with_speaker_view', file_size: 0, download_url: `${base}/rec/download/f${n}.mp4`, status: 'completed', recording_start: `${date}T09:01:00Z` },
      { id: `f${n}-vtt`, file_type: 'TRANSCRIPT', file_extension: 'VTT', recording_type: 'audio_transcript', download_url: `${base}/rec/download/f${n}.vtt`, status: 'completed' },
    ],
    ...extra,
  };
}

describe('zoom', () => {
  let env: TestEnv;
  let zoom: FakeZoom;
  let client: ZoomClient;
  const rules = parseCourseMap([
    { meetingId: '85000000001', course: 'MATH-101' },
    { topic: '^physics', flags: 'i', course: 'PHYS-1' },
  ]);

  beforeAll(async () => {
    env = await startTestEnv({ ladder: [{ height: 240, videoKbps: 300 }], maxAttempts: 1 });
    const clip = join(env.root, 'zoom.mp4');
    await makeTestClip({ path: clip, seconds: 3, width: 320, height: 240 });
    zoom = await startFakeZoom(readFileSync(clip));
    env.config.zoomApiBase = `${zoom.url}/v2`;
    env.config.zoomOauthUrl = `${zoom.url}/oauth/token`;
    client = new ZoomClient({ accountId: 'acct', clientId: 'client-id', clientSecret: 'client-secret', apiBase: `${zoom.url}/v2`, oauthUrl: `${zoom.url}/oauth/token` });
    const size = zoom.video.length;
    zoom.setMeetings([
      meeting(1, '2026-01-05', 'Calculus', zoom.url),
      meeting(2, '2026-01-12', 'Physics I', zoom.url),
      meeting(3, '2026-01-19', 'Staff meeting', zoom.url),
      meeting(4, '2026-02-02', 'PHYSICS lab', zoom.url, { recording_files: [] }),
      meeting(5, '2026-02-09', 'physics II', zoom.url),
    ].map((m) => ({ ...m, recording_files: m.recording_files!.map((f) => (f.file_type === 'MP4' ? { ...f, file_size: size } : f)) })));
  });
  afterAll(async () => {
    await zoom?.stop();
    await env?.cleanup();
  });

  it('lists recordings in one-month windows, following next_page_token, with one cached token', async () => {
    zoom.log.length = 0;
    const seen: string[] = [];
    for await (const m of client.listRecordings('me', new Date('2026-01-01'), new Date('2026-02-20'))) seen.push(m.topic);
    expect(seen).toEqual(['Calculus', 'Physics I', 'Staff meeting', 'PHYSICS lab', 'physics II']);
    const api = zoom.log.filter((l) => l.startsWith('GET /v2/'));
    expect(api).toEqual([
      'GET /v2/users/me/recordings?from=2026-01-01&to=2026-01-31&page_size=300',
      'GET /v2/users/me/recordings?from=2026-01-01&to=2026-01-31&page_size=300&next_page_token=2',
      'GET /v2/users/me/recordings?from=2026-02-01&to=2026-02-20&page_size=300',
    ]);
    expect(zoom.log.filter((l) => l.startsWith('POST /oauth/token'))).toHaveLength(1);
    expect(monthWindows(new Date('2026-01-31'), new Date('2026-03-01'))).toEqual([
      { from: '2026-01-31', to: '2026-02-27' },
      { from: '2026-02-28', to: '2026-03-01' },
    ]);
  });

  it('fetches a new token on 401 and waits out a 429 with Retry-After', async () => {
    const before = zoom.tokensIssued();
    zoom.revokeTokens();
    zoom.throttle(1, '1');
    const started = Date.now();
    const page = await client.get<{ meetings: unknown[] }>('/users/me/recordings', { from: '2026-01-01', to: '2026-01-31' });
    expect(page.meetings).toHaveLength(2);
    expect(zoom.tokensIssued()).toBe(before + 1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(retryAfterMs('2', 0)).toBe(2000);
    expect(retryAfterMs(new Date(5000).toUTCString(), 1000)).toBe(4000);
    // Wrong credentials are a clear error.
    const bad = new ZoomClient({ accountId: 'acct', clientId: 'client-id', clientSecret: 'nope', apiBase: `${zoom.url}/v2`, oauthUrl: `${zoom.url}/oauth/token` });
    await expect(bad.accessToken()).rejects.toThrow(/Zoom refused the account credentials \(HTTP 400\): Invalid client_id or client_secret/);
  });

  it('picks the configured recording type and the transcript, maps courses, and queues once', async () => {
    const picked = pickFiles(meeting(9, '2026-01-01', 't', 'http://x'), 'shared_screen_with_speaker_view');
    expect(picked.video!.id).toBe('f9-screen');
    expect(picked.transcript!.id).toBe('f9-vtt');
    expect(pickFiles(meeting(9, '2026-01-01', 't', 'http://x'), 'gallery_view').video!.id).toBe('f9-gallery');

    const catalog = new SqliteCatalog(':memory:');
    const sync = async () => {
      const outcomes = [];
      for await (const m of client.listRecordings('me', new Date('2026-01-01'), new Date('2026-02-20'))) {
        outcomes.push((await queueMeeting(catalog, m, { rules, recordingType: 'shared_screen_with_speaker_view' })).outcome);
      }
      return outcomes;
    };
    expect(await sync()).toEqual(['queued', 'queued', 'unmapped', 'no_video', 'queued']);
    expect(await sync()).toEqual(['existing', 'existing', 'unmapped', 'no_video', 'existing']);
    const queued = await catalog.list();
    expect(queued.map((r) => [r.course, r.title, r.sourceKey])).toEqual([
      ['MATH-101', 'Calculus', 'zoom:f1-screen'],
      ['PHYS-1', 'Physics I', 'zoom:f2-screen'],
      ['PHYS-1', 'physics II', 'zoom:f5-screen'],
    ]);
    expect(queued[0]!.recordedAt).toBe('2026-01-05T09:01:00.000Z');
    expect(queued[0]!.transcriptSource).toBe(`${zoom.url}/rec/download/f1.vtt`);
    await catalog.close();
  });

  it('resumes a broken download with Range and checks its size; an expired link is a clear, final error', async () => {
    zoom.log.length = 0;
    zoom.breakNextDownloadAfter(10_000);
    const path = join(env.root, 'dl', 'a.mp4');
    await import('node:fs/promises').then((fs) => fs.mkdir(join(env.root, 'dl'), { recursive: true }));
    const result = await download({
      url: `${zoom.url}/rec/download/f1.mp4`,
      path,
      token: async () => 'webhook-download-token',
      expectedSize: zoom.video.length,
      retry: { maxRetry: 3, retryDelayMs: 10, maxRetryDelayMs: 50 },
    });
    expect(result.bytes).toBe(zoom.video.length);
    expect(readFileSync(path).equals(zoom.video)).toBe(true);
    expect(zoom.log.filter((l) => l.startsWith('GET /rec/download/f1.mp4'))).toHaveLength(2);
    // 429 with Retry-After: waited out (the policy alone would retry after 10 ms).
    zoom.throttleDownloads(1, '1');
    const started = Date.now();
    await download({ url: `${zoom.url}/rec/download/f5.mp4`, path: join(env.root, 'dl', 'b.mp4'), token: async () => 'webhook-download-token', expectedSize: zoom.video.length, retry: { maxRetry: 3, retryDelayMs: 10, maxRetryDelayMs: 50 } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    await expect(
      download({ url: `${zoom.url}/rec/download/gone.mp4`, path: join(env.root, 'dl', 'gone.mp4'), token: async () => 'webhook-download-token', retry: { maxRetry: 3, retryDelayMs: 10, maxRetryDelayMs: 50 } }),
    ).rejects.toMatchObject({ code: 'download_expired', fatal: true, message: expect.stringMatching(/HTTP 404: the recording is gone or its download link expired/) });
  });

  it('webhook: refuses bad or stale signatures, answers URL validation, queues recording.completed', async () => {
    const secret = 'webhook-secret-token';
    const catalog = new SqliteCatalog(join(env.root, 'webhook.sqlite'));
    const queuedIds: string[] = [];
    const server = await startWebhookServer({ secret, catalog, rules, recordingType: 'shared_screen_with_speaker_view', logger: quiet, host: '127.0.0.1', port: 0, onQueued: (id) => queuedIds.push(id) });
    const post = (body: unknown, opts: { ts?: number; sign?: string } = {}) => {
      const raw = JSON.stringify(body);
      const ts = String(opts.ts ?? Math.floor(Date.now() / 1000));
      return fetch(`${server.url}/zoom/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-zm-request-timestamp': ts, 'x-zm-signature': opts.sign ?? signWebhook(secret, ts, raw) },
        body: raw,
      });
    };
    try {
      const validation = await post({ event: 'endpoint.url_validation', payload: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw' }, event_ts: 1 });
      expect(validation.status).toBe(200);
      expect(await validation.json()).toEqual(urlValidationResponse(secret, 'qgg8vlvZRS6UYooatFL8Aw'));
      expect(urlValidationResponse(secret, 'qgg8vlvZRS6UYooatFL8Aw').encryptedToken).toMatch(/^[0-9a-f]{64}$/);

      const completed = { event: 'recording.completed', event_ts: 2, payload: { account_id: 'acct', object: meeting(1, '2026-01-05', 'Calculus', zoom.url) }, download_token: 'webhook-download-token' };
      expect((await post(completed, { sign: 'v0=' + '0'.repeat(64) })).status).toBe(401);
      expect((await post(completed, { ts: Math.floor(Date.now() / 1000) - 301 })).status).toBe(401);
      expect(checkSignature(secret, { signature: null, timestamp: '1' }, '{}', 1)).toMatch(/missing/);
      expect(await catalog.list()).toHaveLength(0);

      const ok = await post(completed);
      expect(await ok.json()).toEqual({ ok: true, outcome: 'queued' });
      expect((await (await post(completed)).json()) as object).toEqual({ ok: true, outcome: 'existing' });
      const [recording] = await catalog.list();
      expect(queuedIds).toEqual([recording!.id]);
      expect(recording!.downloadToken).toBe('webhook-download-token');
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.stop();
      await catalog.close();
    }
  });

  it('processes a queued Zoom recording: download, transcript as HLS subtitles, poster, published', async () => {
    const catalog = new SqliteCatalog(env.config.catalogPath);
    const s3 = createS3Client(env.config);
    try {
      // A download_token that Zoom no longer accepts: the OAuth token takes over.
      const outcome = await queueMeeting(catalog, meeting(2, '2026-01-12', 'Physics I', zoom.url, {}), { rules, recordingType: 'shared_screen_with_speaker_view', downloadToken: 'expired-download-token' });
      expect(outcome.outcome).toBe('queued');
      const summary = await runQueue({ config: env.config, catalog, s3, logger: quiet, owner: 'test', zoomAccessToken: () => client.accessToken() });
      expect(summary, (await catalog.list())[0]?.lastError ?? '').toEqual({ published: 1, failed: 0, retrying: 0, lost: 0 });
      const [done] = await catalog.list({ state: 'published' });
      const get = async (key: string) => (await s3.send(new GetObjectCommand({ Bucket: 'media', Key: key }))).Body!.transformToString();
      const master = await get(done!.masterKey!);
      expect(master).toContain('#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="Transcript",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI="subs/index.m3u8"');
      expect(parseMasterVariants(master)[0]!.attributes.SUBTITLES).toBe('subs');
      const vtt = await get(`lectures/${done!.dir}/subs/transcript.vtt`);
      expect(vtt).toMatch(/^WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:\d+,LOCAL:00:00:00.000\n\n1\n00:00:00.500 --> 00:00:02.000\nHello, class.\n$/);
      expect(await get(`lectures/${done!.dir}/subs/index.m3u8`)).toContain('transcript.vtt');
      const poster = await s3.send(new GetObjectCommand({ Bucket: 'media', Key: `lectures/${done!.dir}/poster.jpg` }));
      expect(poster.ContentType).toBe('image/jpeg');
      expect(readFileSync(done!.repositoryPath!, 'utf8')).toContain(`URI="http://localhost:8787/lectures/${done!.dir}/subs/index.m3u8"`);
      // A Zoom download is work material: gone once published.
      expect(await import('node:fs').then((fs) => fs.existsSync(join(env.config.workDir, done!.id)))).toBe(false);
    } finally {
      s3.destroy();
      await catalog.close();
    }
  });
});
