/**
 * Per-viewer signed playlists (signed-playlist.ts, playlist-route.ts) through the app, against a
 * real HTTP origin on 127.0.0.1 that admits only requests whose signed query verifies (RSA-SHA1
 * against the public key, resource wildcard, expiry), as CloudFront would. The stand-in's full
 * check runs on the same playlists in demo/stack/native-playlist.test.ts.
 */
import { verify } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlaylistSessionResponse } from '../common/contracts.ts';
import { createLogger } from '../common/log.ts';
import { fromCloudFrontBase64 } from '../common/cloudfront-base64.ts';
import { createApp } from './app.ts';
import { loadServerConfig, type ServerConfig } from './config.ts';
import { makeTestServer, type TestServer } from './test-config.ts';

const DIR = 'AbCdEfGhIjKlMnOpQrStUv';
const DIR2 = 'ZyXwVuTsRqPoNmLkJiHgFe';
const START_MS = 1_800_000_007_250;
const MARGIN = 1800;

const MASTER = `#EXTM3U
#EXT-X-VERSION:6
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI="subs/index.m3u8"
#EXT-X-SESSION-DATA:DATA-ID="com.example.notes",URI="notes.json"
#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,SUBTITLES="subs"
360p/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=2000000,RESOLUTION=1280x720,SUBTITLES="subs"
720p/index.m3u8
`;
const media = (rendition: string) => `#EXTM3U
#EXT-X-VERSION:6
#EXT-X-TARGETDURATION:4
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-MAP:URI="init.mp4"
#EXTINF:4.000,
seg_00001.m4s
#EXTINF:4.000,
seg_00002.m4s?part=1
#EXTINF:2.500,
../${rendition}/seg_00003.m4s
#EXT-X-ENDLIST
`;
const SUBS = `#EXTM3U
#EXT-X-TARGETDURATION:10
#EXTINF:10.5,
sub_00001.vtt
#EXT-X-ENDLIST
`;
const DURATION = 10.5;

/** A signed URL's check, as CloudFront makes it for a custom policy: signature, resource, expiry. */
function checkSignedUrl(request: { url: string }, options: { publicKeys: Record<string, import('node:crypto').KeyObject>; nowSeconds: number }) {
  const url = new URL(request.url);
  const policy = url.searchParams.get('Policy');
  const signature = url.searchParams.get('Signature');
  const keyPairId = url.searchParams.get('Key-Pair-Id');
  const key = keyPairId ? options.publicKeys[keyPairId] : undefined;
  if (!policy || !signature || !key) return { ok: false as const };
  const policyBytes = Buffer.from(fromCloudFrontBase64(policy), 'base64');
  if (!verify('RSA-SHA1', policyBytes, key, Buffer.from(fromCloudFrontBase64(signature), 'base64'))) return { ok: false as const };
  const statement = (JSON.parse(policyBytes.toString('utf8')) as { Statement: [{ Resource: string; Condition: { DateLessThan: { 'AWS:EpochTime': number } } }] }).Statement[0];
  for (const name of ['Policy', 'Signature', 'Key-Pair-Id']) url.searchParams.delete(name);
  const expiresAt = statement.Condition.DateLessThan['AWS:EpochTime'];
  if (!statement.Resource.endsWith('*') || !url.href.startsWith(statement.Resource.slice(0, -1)) || expiresAt <= options.nowSeconds) return { ok: false as const };
  return { ok: true as const, expiresAt };
}

let origin: Server;
let base: string;
let server: TestServer;
let clock = START_MS;
/** The origin's objects by path, and every URL it was asked for. */
const objects = new Map<string, string>();
const asked: string[] = [];

beforeAll(async () => {
  origin = createServer((req, res) => {
    asked.push(req.url!);
    const check = checkSignedUrl({ url: `${base}${req.url!.slice(1)}` }, {
      publicKeys: { [server.config.activeKeyPairId]: server.publicKey },
      nowSeconds: Math.floor(clock / 1000),
    });
    const body = objects.get(req.url!.split('?')[0]!);
    // As CloudFront behind origin access control: a missing object is a 403 too.
    if (!check.ok || body === undefined) return void res.writeHead(403, { 'Content-Type': 'text/xml' }).end('<Error><Code>AccessDenied</Code></Error>');
    res.writeHead(200, { 'Content-Type': 'application/vnd.apple.mpegurl', 'Cache-Control': 'public, max-age=60' }).end(body);
  });
  await new Promise<void>((done) => origin.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(origin.address() as AddressInfo).port}/`;
  server = makeTestServer({}, `${base}lectures/`);
  for (const dir of [DIR, DIR2]) {
    objects.set(`/lectures/${dir}/master.m3u8`, MASTER);
    objects.set(`/lectures/${dir}/360p/index.m3u8`, media('360p'));
    objects.set(`/lectures/${dir}/720p/index.m3u8`, media('720p'));
    objects.set(`/lectures/${dir}/subs/index.m3u8`, SUBS);
  }
  objects.set(`/lectures/${DIR2}/720p/index.m3u8`, media('720p').replace('seg_00001.m4s', '../../Other0123456789abcd/seg.m4s'));
});

afterAll(() => new Promise<void>((done) => origin.close(() => done())));

const enabled = { signedPlaylists: { enabled: true, marginSeconds: MARGIN, maxLifetimeSeconds: 21_600 } };

function setup(overrides: Partial<ServerConfig> = enabled) {
  clock = START_MS;
  const lines: string[] = [];
  const logger = createLogger({ name: 'test', level: 'debug', write: (l) => lines.push(l) });
  const app = createApp({ ...server.config, ...overrides }, { now: () => clock, logger, random: () => 0.5 });
  /** The app for a URL on the media host (the auth server answers there under /_auth). */
  const get = (url: string) => app.request(url.slice(base.length - 1));
  const session = (dir = DIR, token = server.mint(server.res(dir), {}, Math.floor(clock / 1000))) =>
    app.request('/_auth/session', { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: '{"mode":"playlist"}' });
  return { app, lines, get, session };
}

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('set-cookie')).toBeNull();
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  return body.error.message;
}

/** Every URI of a playlist: URI lines and URI="…" attributes. */
function urisOf(text: string): string[] {
  const uris: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (!line.startsWith('#')) uris.push(line);
    for (const match of line.matchAll(/URI="([^"]*)"/g)) uris.push(match[1]!);
  }
  return uris;
}

const verifyAt = (url: string, seconds: number) =>
  checkSignedUrl({ url }, { publicKeys: { [server.config.activeKeyPairId]: server.publicKey }, nowSeconds: seconds });

async function openMaster(t: ReturnType<typeof setup>, dir = DIR) {
  const answer = await t.session(dir);
  expect(answer.status).toBe(200);
  const body = (await answer.json()) as PlaylistSessionResponse;
  const master = await t.get(body.playlist);
  return { answer, body, master, text: await master.text() };
}

describe('signed playlists, off', () => {
  it('is off unless HLSGATE_SIGNED_PLAYLISTS says otherwise, and validates its settings', () => {
    const env = {
      HLSGATE_TOKEN_SECRETS: `k:${'s'.repeat(40)}`,
      HLSGATE_TOKEN_ISSUERS: 'https://moodle.example.edu',
      HLSGATE_MEDIA_BASE_URLS: 'https://media.example.edu/lectures/',
      HLSGATE_CLOUDFRONT_KEY_PAIR_ID: 'K1',
      HLSGATE_CLOUDFRONT_PRIVATE_KEY: server.config.keyPairs[0]!.privateKeyPem,
    };
    expect(loadServerConfig(env).signedPlaylists).toEqual({ enabled: false, marginSeconds: 1800, maxLifetimeSeconds: 21_600 });
    expect(loadServerConfig({ ...env, HLSGATE_SIGNED_PLAYLISTS: 'true' }).signedPlaylists?.enabled).toBe(true);
    expect(() => loadServerConfig({ ...env, HLSGATE_SIGNED_PLAYLISTS: 'maybe' })).toThrow(/HLSGATE_SIGNED_PLAYLISTS/);
    expect(() => loadServerConfig({ ...env, HLSGATE_SIGNED_PLAYLIST_MARGIN: '30' })).toThrow(/HLSGATE_SIGNED_PLAYLIST_MARGIN/);
    expect(() => loadServerConfig({ ...env, HLSGATE_SIGNED_PLAYLIST_MARGIN: '7200', HLSGATE_SIGNED_PLAYLIST_MAX_LIFETIME: '3600' })).toThrow(
      /HLSGATE_SIGNED_PLAYLIST_MARGIN: must be below HLSGATE_SIGNED_PLAYLIST_MAX_LIFETIME/,
    );
  });

  it('answers 404 with a clear message for the mode and the route, whatever the token', async () => {
    const t = setup({});
    expect(await expectError(await t.session(), 404, 'not_found')).toMatch(/HLSGATE_SIGNED_PLAYLISTS/);
    const bad = await t.app.request('/_auth/session', { method: 'POST', headers: { Authorization: 'Bearer x.y.z' }, body: '{"mode":"playlist"}' });
    await expectError(bad, 404, 'not_found');
    expect(await expectError(await t.app.request(`/_auth/playlist/${DIR}/master.m3u8?cap=a.b`), 404, 'not_found')).toMatch(/HLSGATE_SIGNED_PLAYLISTS/);
    // Cookie and query mode are untouched.
    const cookie = await t.app.request('/_auth/session', { method: 'POST', headers: { Authorization: `Bearer ${server.mint(server.res(DIR), {}, Math.floor(clock / 1000))}` } });
    expect(cookie.status).toBe(200);
    expect(asked).toEqual([]);
  });
});

describe('signed playlists, on', () => {
  it('answers a playlist URL with a capability, no cookie, no query, no-store', async () => {
    const t = setup();
    const answer = await t.session();
    expect(answer.status).toBe(200);
    expect(answer.headers.get('set-cookie')).toBeNull();
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const body = (await answer.json()) as PlaylistSessionResponse;
    expect(Object.keys(body).sort()).toEqual(['expiresAt', 'playlist', 'resource', 'serverTime']);
    expect(body.resource).toBe(`${server.res(DIR)}*`);
    expect(body.playlist).toMatch(new RegExp(`^${base}_auth/playlist/${DIR}/master\\.m3u8\\?cap=[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{43}$`));
    expect(body.expiresAt).toBe(body.serverTime + server.config.cookie.ttlSeconds);
  });

  it('serves the master and media playlists with every URI signed, relative URIs resolved against the unsigned URL', async () => {
    const t = setup();
    asked.length = 0;
    const now = Math.floor(START_MS / 1000);
    const { master, text } = await openMaster(t);
    expect(master.status).toBe(200);
    expect(master.headers.get('cache-control')).toBe('no-store');
    expect(master.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(master.headers.get('set-cookie')).toBeNull();
    // The server read the master and the first variant (for the duration) with its own short signature.
    expect(asked.map((u) => u.split('?')[0])).toEqual([`/lectures/${DIR}/master.m3u8`, `/lectures/${DIR}/360p/index.m3u8`]);
    for (const url of asked) {
      const check = verifyAt(`${base}${url.slice(1)}`, now);
      expect(check.ok).toBe(true);
      expect(check.ok && check.expiresAt).toBeLessThanOrEqual(now + 120);
    }
    const masterUris = urisOf(text);
    expect(masterUris).toHaveLength(4);
    const expected = now + Math.ceil(DURATION) + MARGIN;
    const playlists = masterUris.filter((u) => u.includes('/_auth/playlist/'));
    expect(playlists.map((u) => u.split('?')[0])).toEqual(
      ['subs', '360p', '720p'].map((r) => `${base}_auth/playlist/${DIR}/${r}/index.m3u8`),
    );
    const notes = masterUris.find((u) => !u.includes('/_auth/'))!;
    expect(notes.split('?')[0]).toBe(`${server.res(DIR)}notes.json`);
    expect(verifyAt(notes, expected - 1).ok).toBe(true);
    // Tags and attributes other than URIs are left as they were.
    expect(text.split('\n').filter((l) => l.startsWith('#EXT-X-STREAM-INF'))).toEqual(MASTER.split('\n').filter((l) => l.startsWith('#EXT-X-STREAM-INF')));

    for (const playlist of playlists) {
      const answer = await t.get(playlist);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toBe('no-store');
      const body = await answer.text();
      const uris = urisOf(body);
      expect(uris.length).toBeGreaterThan(0);
      for (const uri of uris) {
        expect(uri.startsWith(server.res(DIR))).toBe(true);
        // Valid for the video's duration plus the margin (rounded up to a minute), not beyond.
        expect(verifyAt(uri, expected - 1).ok).toBe(true);
        const check = verifyAt(uri, now);
        expect(check.ok && check.expiresAt).toBeLessThan(expected + 60);
        expect(verifyAt(uri, expected + 60).ok).toBe(false);
      }
      if (playlist.includes('/360p/')) {
        expect(uris.map((u) => u.replace(/[?&]Policy=.*$/, ''))).toEqual([
          `${server.res(DIR)}360p/init.mp4`,
          `${server.res(DIR)}360p/seg_00001.m4s`,
          `${server.res(DIR)}360p/seg_00002.m4s?part=1`,
          `${server.res(DIR)}360p/seg_00003.m4s`,
        ]);
        // A URI with its own query keeps it, the signature follows with &.
        expect(uris[2]).toMatch(/\?part=1&Policy=[^&]+&Signature=[^&]+&Key-Pair-Id=KTESTKEYPAIR01$/);
      }
    }
  });

  it('refuses a bad token, a res outside the bases and a foreign origin as POST /session does, with no cookie', async () => {
    const t = setup();
    await expectError(await t.session(DIR, 'not.a.token'), 401, 'token_invalid');
    const now = Math.floor(clock / 1000);
    await expectError(await t.session(DIR, server.mint(server.res(DIR), { exp: now - 100, iat: now - 700 }, now)), 401, 'token_expired');
    await expectError(await t.session(DIR, server.mint(`https://elsewhere.example.edu/lectures/${DIR}/`, {}, now)), 403, 'resource_forbidden');
    await expectError(await t.session(DIR, server.mint(`${base}lectures/`, {}, now)), 403, 'resource_forbidden');
    const foreign = await t.app.request('/_auth/session', {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.mint(server.res(DIR), {}, now)}`, Origin: 'https://evil.example.com' },
      body: '{"mode":"playlist"}',
    });
    await expectError(foreign, 403, 'origin_forbidden');
  });

  it('refuses a missing, tampered, expired, misplaced or foreign capability with 403', async () => {
    const t = setup();
    const { body, text } = await openMaster(t);
    const variant = urisOf(text).find((u) => u.includes('/360p/index.m3u8'))!;
    const url = new URL(body.playlist);
    const cap = url.searchParams.get('cap')!;
    const [payload, mac] = cap.split('.') as [string, string];

    await expectError(await t.get(body.playlist.replace(/\?cap=.*$/, '')), 403, 'capability_invalid');
    await expectError(await t.get(`${body.playlist}&cap=${cap}`), 403, 'capability_invalid');
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    await expectError(await t.get(body.playlist.replace(cap, `${flip(payload, 5)}.${mac}`)), 403, 'capability_invalid');
    await expectError(await t.get(body.playlist.replace(cap, `${payload}.${flip(mac, 3)}`)), 403, 'capability_invalid');
    // A payload of our own making, with a longer expiry, but the old MAC.
    const forged = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const longer = Buffer.from(JSON.stringify({ ...forged, e: (forged.e as number) + 86_400 })).toString('base64url');
    await expectError(await t.get(body.playlist.replace(cap, `${longer}.${mac}`)), 403, 'capability_invalid');
    // Another video's path with this video's capability.
    await expectError(await t.get(body.playlist.replace(`/${DIR}/`, `/${DIR2}/`)), 403, 'capability_invalid');
    // The master's capability opens no media playlist, a media capability no master (which would extend it).
    await expectError(await t.get(body.playlist.replace('master.m3u8', '360p/index.m3u8')), 403, 'capability_invalid');
    await expectError(await t.get(variant.replace('360p/index.m3u8', 'master.m3u8')), 403, 'capability_invalid');
    // Paths that could leave the video are no route at all.
    await expectError(await t.get(body.playlist.replace('master.m3u8', '../x/master.m3u8')), 404, 'not_found');
    await expectError(await t.get(body.playlist.replace('master.m3u8', 'seg.ts')), 404, 'not_found');
    // Expired: the master's after its few minutes; the media's after duration + margin.
    clock += (server.config.cookie.ttlSeconds + 1) * 1000;
    await expectError(await t.get(body.playlist), 403, 'capability_expired');
    expect((await t.get(variant)).status).toBe(200);
    clock += (Math.ceil(DURATION) + MARGIN + 60) * 1000;
    await expectError(await t.get(variant), 403, 'capability_expired');
  });

  it('refuses a playlist that points outside the video, and says when the origin has none', async () => {
    const t = setup();
    const { text } = await openMaster(t, DIR2);
    const variant = urisOf(text).find((u) => u.includes('/720p/index.m3u8'))!;
    expect(await expectError(await t.get(variant), 502, 'origin_failed')).toMatch(/outside the video/);
    await expectError(await t.get(variant.replace('720p/index.m3u8', '1080p/index.m3u8')), 404, 'not_found');
  });

  it('applies the per-viewer rate limit to the playlists too', async () => {
    const t = setup({ ...enabled, rateLimit: { ...server.config.rateLimit, perSubPerMinute: 3 } });
    const { text } = await openMaster(t);
    const variant = urisOf(text).find((u) => u.includes('/360p/index.m3u8'))!;
    expect((await t.get(variant)).status).toBe(200);
    const limited = await t.get(variant);
    await expectError(limited, 429, 'rate_limited');
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('never writes a capability or a signature to the logs', async () => {
    const t = setup();
    const { body, text } = await openMaster(t);
    for (const uri of urisOf(text).filter((u) => u.includes('/_auth/'))) expect((await t.get(uri)).status).toBe(200);
    await t.get(body.playlist.replace(/cap=./, 'cap=X'));
    const cap = new URL(body.playlist).searchParams.get('cap')!;
    const log = t.lines.join('\n');
    expect(t.lines.length).toBeGreaterThanOrEqual(6);
    expect(log).toContain('/_auth/playlist/');
    for (const secret of [cap, cap.split('.')[1]!, 'cap=', 'Signature', 'Policy=', 'Key-Pair-Id']) expect(log).not.toContain(secret);
    expect(t.lines.map((l) => (JSON.parse(l) as { sub?: string }).sub)).toContain('42');
  });
});
