import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { type Server, createServer, get as httpGet } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_ROUTE, EMPTY_BODY_SHA256 } from '../../common/delivery.ts';
import { createLogger } from '../../common/log.ts';
import { ACCESS_DENIED_XML, type DevHooks, type MediaHost, startMediaHost } from './media-host.ts';
import { type LocalS3, s3ClientConfig, startS3 } from './s3.ts';
import { cookieHeader, customPolicy, signedCookies } from './test-cookies.ts';

const DIR = 'MediaHostTestDir0001';
const OTHER = 'MediaHostTestDir0002';
const KEY_ID = 'KMEDIAHOSTTEST';
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const DEMO = 'http://localhost:5173';
const SEGMENT = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) & 0xff));

describe('media host (CloudFront stand-in)', () => {
  let dataDir: string;
  let s3: LocalS3;
  let client: S3Client;
  let host: MediaHost;
  let auth: Server;
  let authUrl: string;
  let clock = Date.now();
  let cookieTtl = 300;
  const minted: unknown[] = [];

  const cookiesFor = (dir: string, lifetime = 60) =>
    cookieHeader(
      signedCookies(
        customPolicy({ resource: `${host.url}/lectures/${dir}/*`, dateLessThan: Math.floor(clock / 1000) + lifetime }),
        keys.privateKey,
        KEY_ID,
      ),
    );
  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    fetch(`${host.url}${path}`, { method, headers });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'hlsgate-media-'));
    s3 = await startS3({ directory: join(dataDir, 's3'), buckets: ['media'] });
    client = new S3Client(s3ClientConfig(s3.endpoint));
    const put = (key: string, body: string | Buffer, type: string) =>
      client.send(new PutObjectCommand({ Bucket: 'media', Key: key, Body: body, ContentType: type, CacheControl: 'max-age=31536000' }));
    await put(`lectures/${DIR}/master.m3u8`, '#EXTM3U\n', 'application/vnd.apple.mpegurl');
    await put(`lectures/${DIR}/720p/seg_00001.ts`, SEGMENT, 'video/mp2t');
    await put(`lectures/${OTHER}/master.m3u8`, '#EXTM3U\n#other\n', 'application/vnd.apple.mpegurl');

    auth = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.setHeader('Set-Cookie', ['a=1; Path=/lectures/x/', 'b=2; Path=/lectures/x/']);
        res.writeHead(201, { 'Content-Type': 'application/json', 'X-Upstream': 'yes' });
        res.end(JSON.stringify({ method: req.method, url: req.url, host: req.headers.host, xff: req.headers['x-forwarded-for'], auth: req.headers.authorization, headers: req.headers, body: Buffer.concat(chunks).toString() }));
      });
    });
    await new Promise<void>((resolve) => auth.listen(0, '127.0.0.1', resolve));
    authUrl = `http://127.0.0.1:${(auth.address() as AddressInfo).port}`;

    const dev: DevHooks = {
      videos: async () => [{ title: 'T', src: `${host.url}/lectures/${DIR}/master.m3u8`, res: `${host.url}/lectures/${DIR}/` }],
      mintToken: (request) => {
        minted.push(request);
        return 'minted.token.value';
      },
      cookieTtl: () => cookieTtl,
      setCookieTtl: (seconds) => {
        if (seconds < 10) throw new RangeError('the cookie TTL must be at least 10 s');
        cookieTtl = seconds;
      },
      readiness: () => ({ ready: false, message: 'preparing' }),
    };
    host = await startMediaHost({
      s3: client,
      bucket: 'media',
      prefix: 'lectures',
      publicKeys: { [KEY_ID]: keys.publicKey },
      allowedOrigins: [DEMO],
      authTarget: authUrl,
      dev,
      unprotectedPrefix: true,
      now: () => clock,
      logger: createLogger({ name: 'test', level: 'silent' }),
    });
  });

  afterAll(async () => {
    await host?.stop();
    await new Promise((resolve) => auth?.close(resolve));
    client?.destroy();
    await s3?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves an object with valid cookies, passing Content-Type, Cache-Control and ETag through', async () => {
    const res = await get(`/lectures/${DIR}/720p/seg_00001.ts`, { Cookie: cookiesFor(DIR) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('video/mp2t');
    expect(res.headers.get('cache-control')).toBe('max-age=31536000');
    expect(res.headers.get('etag')).toMatch(/^".+"$/);
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await res.arrayBuffer()).equals(SEGMENT)).toBe(true);
  });

  it('answers Range with 206 and the right bytes, suffix ranges, 416 past the end, and HEAD', async () => {
    const cookie = cookiesFor(DIR);
    const path = `/lectures/${DIR}/720p/seg_00001.ts`;
    let res = await get(path, { Cookie: cookie, Range: 'bytes=100-199' });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 100-199/${SEGMENT.length}`);
    expect(res.headers.get('content-length')).toBe('100');
    expect(Buffer.from(await res.arrayBuffer()).equals(SEGMENT.subarray(100, 200))).toBe(true);
    res = await get(path, { Cookie: cookie, Range: 'bytes=-10' });
    expect(res.status).toBe(206);
    expect(Buffer.from(await res.arrayBuffer()).equals(SEGMENT.subarray(-10))).toBe(true);
    res = await get(path, { Cookie: cookie, Range: `bytes=${SEGMENT.length}-` });
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe(`bytes */${SEGMENT.length}`);
    res = await get(path, { Cookie: cookie }, 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(SEGMENT.length));
    const etag = res.headers.get('etag')!;
    res = await get(path, { Cookie: cookie, 'If-None-Match': etag });
    expect(res.status).toBe(304);
  });

  it('answers 403 AccessDenied XML without cookies, for another video, expired, or a tampered policy', async () => {
    const expectDenied = async (res: Response, reason: string) => {
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toBe('text/xml');
      expect(res.headers.get('x-hlsgate-denied')).toBe(reason);
      expect(await res.text()).toBe(ACCESS_DENIED_XML);
    };
    await expectDenied(await get(`/lectures/${DIR}/master.m3u8`), 'missing_cookie');
    await expectDenied(await get(`/lectures/${OTHER}/master.m3u8`, { Cookie: cookiesFor(DIR) }), 'resource_mismatch');
    await expectDenied(await get(`/lectures/${DIR}/master.m3u8`, { Cookie: cookiesFor(DIR, 0) }), 'expired');
    const tampered = cookiesFor(DIR).replace(/CloudFront-Policy=([^;]+)/, (_, v: string) => `CloudFront-Policy=${v.slice(0, -4)}AAAA`);
    await expectDenied(await get(`/lectures/${DIR}/master.m3u8`, { Cookie: tampered }), 'bad_signature');
    await expectDenied(await get('/'), 'missing_cookie');
    // The stand-in is reached as localhost: the policy names that host, so 127.0.0.1 is another URL.
    const res = await fetch(`http://127.0.0.1:${host.port}/lectures/${DIR}/master.m3u8`, { headers: { Cookie: cookiesFor(DIR) } });
    expect(res.status).toBe(403);
  });

  it('serves a signed URL without cookies, lets it decide over cookies, and refuses bad ones with the same 403 XML', async () => {
    const queryFor = (dir: string, lifetime = 60) => {
      const c = signedCookies(
        customPolicy({ resource: `${host.url}/lectures/${dir}/*`, dateLessThan: Math.floor(clock / 1000) + lifetime }),
        keys.privateKey,
        KEY_ID,
      );
      return `Policy=${c['CloudFront-Policy']}&Signature=${c['CloudFront-Signature']}&Key-Pair-Id=${c['CloudFront-Key-Pair-Id']}`;
    };
    const segment = `/lectures/${DIR}/720p/seg_00001.ts`;
    let res = await get(`${segment}?${queryFor(DIR)}`, { Range: 'bytes=0-99', Origin: DEMO });
    expect(res.status).toBe(206);
    expect(res.headers.get('access-control-allow-origin')).toBe(DEMO);
    expect(Buffer.from(await res.arrayBuffer()).equals(SEGMENT.subarray(0, 100))).toBe(true);
    const expectDenied = async (response: Response, reason: string) => {
      expect(response.status).toBe(403);
      expect(response.headers.get('content-type')).toBe('text/xml');
      expect(response.headers.get('x-hlsgate-denied')).toBe(reason);
      expect(await response.text()).toBe(ACCESS_DENIED_XML);
    };
    // The query decides: an expired query with good cookies is refused, a good query with expired cookies served.
    await expectDenied(await get(`${segment}?${queryFor(DIR, 0)}`, { Cookie: cookiesFor(DIR) }), 'expired');
    res = await get(`${segment}?${queryFor(DIR)}`, { Cookie: cookiesFor(DIR, 0) });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    // Only some of the three parameters: refused even with good cookies.
    const partial = queryFor(DIR).split('&').slice(0, 2).join('&');
    await expectDenied(await get(`${segment}?${partial}`, { Cookie: cookiesFor(DIR) }), 'missing_param');
    await expectDenied(await get(`/lectures/${OTHER}/master.m3u8?${queryFor(DIR)}`), 'resource_mismatch');
    const tampered = queryFor(DIR).replace(/Policy=([^&]+)/, (_, v: string) => `Policy=${v.slice(0, -4)}AAAA`);
    await expectDenied(await get(`${segment}?${tampered}`), 'bad_signature');
  });

  it('refuses paths that could escape the signed directory, even when the pattern matches', async () => {
    // Raw paths: fetch() would normalise the dot segments away before sending.
    const raw = (path: string) =>
      new Promise<{ status: number; reason: string }>((resolve, reject) => {
        httpGet({ host: '127.0.0.1', port: host.port, path, headers: { Host: `localhost:${host.port}`, Cookie: cookiesFor(DIR) } }, (res) => {
          res.resume();
          resolve({ status: res.statusCode!, reason: String(res.headers['x-hlsgate-denied']) });
        }).on('error', reject);
      });
    for (const path of [
      `/lectures/${DIR}/../${OTHER}/master.m3u8`,
      `/lectures/${DIR}/%2e%2e/${OTHER}/master.m3u8`,
      `/lectures/${DIR}/.%2E/${OTHER}/master.m3u8`,
      `/lectures/${DIR}/a%2fb`,
      `/lectures/${DIR}/a%5cb`,
      `/lectures/${DIR}//master.m3u8`,
      `/lectures/${DIR}/%zz`,
    ]) {
      expect(await raw(path), path).toEqual({ status: 403, reason: 'bad_path' });
    }
    expect((await raw(`/lectures/${DIR}/master.m3u8`)).status).toBe(200);
  });

  it('answers a missing object with 403 AccessDenied, as CloudFront does behind origin access control', async () => {
    const unsigned = await get(`/lectures/${DIR}/nope.ts`);
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('x-hlsgate-denied')).toBe('missing_cookie');
    const res = await get(`/lectures/${DIR}/nope.ts`, { Cookie: cookiesFor(DIR), Origin: DEMO });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('text/xml');
    expect(res.headers.get('x-hlsgate-denied')).toBe('no_such_key');
    expect(res.headers.get('access-control-allow-origin')).toBe(DEMO);
    expect(await res.text()).toBe(ACCESS_DENIED_XML);
  });

  it('sends CORS with credentials to allowed origins on 200, 403 and preflight, and nothing to others', async () => {
    const ok = await get(`/lectures/${DIR}/master.m3u8`, { Cookie: cookiesFor(DIR), Origin: DEMO });
    expect(ok.headers.get('access-control-allow-origin')).toBe(DEMO);
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    expect(ok.headers.get('access-control-expose-headers')).toContain('Content-Range');
    const no = await get(`/lectures/${DIR}/master.m3u8`, { Origin: DEMO });
    expect(no.status).toBe(403);
    expect(no.headers.get('access-control-allow-origin')).toBe(DEMO);
    const pre = await get(`/lectures/${DIR}/720p/seg_00001.ts`, { Origin: DEMO, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'range' }, 'OPTIONS');
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-headers')).toBe('range');
    expect(pre.headers.get('access-control-allow-methods')).toContain('GET');
    expect(pre.headers.get('access-control-allow-credentials')).toBe('true');
    const evil = await get(`/lectures/${DIR}/master.m3u8`, { Cookie: cookiesFor(DIR), Origin: 'http://evil.example' });
    expect(evil.status).toBe(200);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const self = await get(`/lectures/${DIR}/master.m3u8`, { Origin: host.url });
    expect(self.headers.get('access-control-allow-origin')).toBe(host.url);
  });

  it('with deniedWithoutCors, answers its own 403 without CORS headers (the page sees status 0), and 200s as before', async () => {
    const off = await fetch(`${host.url}/_dev/denied-cors`, { method: 'POST', body: '{"cors":false}' });
    expect(off.status).toBe(200);
    try {
      const no = await get(`/lectures/${DIR}/master.m3u8`, { Origin: DEMO });
      expect(no.status).toBe(403);
      expect(no.headers.get('access-control-allow-origin')).toBeNull();
      expect(await no.text()).toContain('AccessDenied');
      const ok = await get(`/lectures/${DIR}/master.m3u8`, { Cookie: cookiesFor(DIR), Origin: DEMO });
      expect(ok.headers.get('access-control-allow-origin')).toBe(DEMO);
      expect((await (await fetch(`${host.url}/_dev/status`)).json()).deniedWithoutCors).toBe(true);
      expect((await fetch(`${host.url}/_dev/denied-cors`, { method: 'POST', body: '{"cors":"no"}' })).status).toBe(400);
    } finally {
      await fetch(`${host.url}/_dev/denied-cors`, { method: 'POST', body: '{"cors":true}' });
    }
    expect((await get(`/lectures/${DIR}/master.m3u8`, { Origin: DEMO })).headers.get('access-control-allow-origin')).toBe(DEMO);
  });

  it('proxies /_auth/* as the distribution does (full path, only the `cap` query parameter, method, body, several Set-Cookie; the token moved out of Authorization)', async () => {
    const res = await fetch(`${host.url}/_auth/session?x=1&cap=abc.def&y`, {
      method: 'POST',
      headers: { Authorization: 'Bearer abc', 'Content-Type': 'application/json', 'X-Other': 'dropped', Origin: DEMO },
      body: '{"a":1}',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-upstream')).toBe('yes');
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/lectures/x/', 'b=2; Path=/lectures/x/']);
    const echoed = (await res.json()) as { headers: Record<string, string> } & Record<string, unknown>;
    expect(echoed).toMatchObject({ method: 'POST', url: '/_auth/session?cap=abc.def', host: new URL(authUrl).host, xff: '127.0.0.1', body: '{"a":1}' });
    // Origin access control signs in Authorization; the viewer's token travels in the token header.
    expect(echoed.auth).toMatch(/^AWS4-HMAC-SHA256 /);
    expect(echoed.headers[AUTH_ROUTE.tokenHeader]).toBe('Bearer abc');
    expect(echoed.headers['x-amz-content-sha256']).toBe(EMPTY_BODY_SHA256);
    expect(echoed.headers['cloudfront-viewer-address']).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(echoed.headers.origin).toBe(DEMO);
    // Only the origin request policy's headers (and the body's framing) go on.
    expect(echoed.headers['x-other']).toBeUndefined();
    expect(echoed.headers['content-type']).toBeUndefined();
  });

  it('answers 503 with CORS during an outage, 502 when the auth server is unreachable, then recovers', async () => {
    host.authOutage(30);
    let res = await fetch(`${host.url}/_auth/session`, { method: 'POST', headers: { Origin: DEMO } });
    expect(res.status).toBe(503);
    expect(res.headers.get('access-control-allow-origin')).toBe(DEMO);
    expect((await res.json()).error.code).toBe('internal');
    expect(host.authOutageRemaining()).toBe(30);
    clock += 31_000;
    expect(host.authOutageRemaining()).toBe(0);
    res = await fetch(`${host.url}/_auth/session`, { method: 'POST' });
    expect(res.status).toBe(201);

    host.setAuthTarget('http://127.0.0.1:1');
    res = await fetch(`${host.url}/_auth/session`, { method: 'POST', headers: { Origin: DEMO } });
    expect(res.status).toBe(502);
    expect(res.headers.get('access-control-allow-origin')).toBe(DEMO);
    host.setAuthTarget(authUrl);
    expect((await fetch(`${host.url}/_auth/healthz`)).status).toBe(201);
  });

  it('serves the dev routes and validates their bodies', async () => {
    expect(await (await get('/_dev/videos')).json()).toHaveLength(1);
    const token = await fetch(`${host.url}/_dev/token`, { method: 'POST', body: JSON.stringify({ res: 'r', ttl: 5, wm: 'w' }) });
    expect(await token.json()).toEqual({ token: 'minted.token.value' });
    expect(minted.at(-1)).toEqual({ res: 'r', ttl: 5, sub: undefined, wm: 'w' });
    for (const body of ['[]', '{"res":1}', '{"res":"r","ttl":0}', '{"res":"r","ttl":1.5}', 'nope']) {
      const res = await fetch(`${host.url}/_dev/token`, { method: 'POST', body });
      expect(res.status, body).toBe(400);
      expect((await res.json()).error.code).toBe('bad_request');
    }
    const big = await fetch(`${host.url}/_dev/token`, { method: 'POST', body: JSON.stringify({ res: 'x'.repeat(20_000) }) });
    expect(big.status).toBe(413);
    const ttl = await fetch(`${host.url}/_dev/cookie-ttl`, { method: 'POST', body: '{"seconds":20}' });
    expect(await ttl.json()).toEqual({ seconds: 20 });
    expect(cookieTtl).toBe(20);
    const low = await fetch(`${host.url}/_dev/cookie-ttl`, { method: 'POST', body: '{"seconds":5}' });
    expect(low.status).toBe(400);
    expect((await low.json()).error.message).toContain('at least 10');
    const outage = await fetch(`${host.url}/_dev/auth-outage`, { method: 'POST', body: '{"seconds":5}' });
    expect(await outage.json()).toEqual({ seconds: 5 });
    expect(await (await get('/_dev/status')).json()).toEqual({ cookieTtl: 20, authOutageSeconds: 5, deniedWithoutCors: false, ready: false, message: 'preparing' });
    await fetch(`${host.url}/_dev/auth-outage`, { method: 'POST', body: '{"seconds":0}' });
    expect(host.authOutageRemaining()).toBe(0);
    expect((await get('/_dev/ready')).status).toBe(503);
    expect((await get('/_dev/nope')).status).toBe(404);
    const pre = await get('/_dev/token', { Origin: DEMO, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' }, 'OPTIONS');
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-headers')).toBe('content-type');
  });

  it('serves /_open/lectures/… without cookies only when unprotectedPrefix is set', async () => {
    const res = await get(`/_open/lectures/${DIR}/master.m3u8`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('#EXTM3U\n');
  });
});
