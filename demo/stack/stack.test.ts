/**
 * The running stack over real HTTP: the auth server's cookies, checked by the stand-in exactly as
 * CloudFront would. Objects are put straight into the embedded S3 (no ffmpeg here).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toCloudFrontBase64 } from '../../common/cloudfront-base64.ts';
import { createLogger } from '../../common/log.ts';
import { loadOrCreateDevKeys } from './keys.ts';
import { ACCESS_DENIED_XML } from './media-host.ts';
import { type Stack, startStack } from './stack.ts';
import { cloudFrontSignature, cookieHeader, customPolicy, signedCookies } from './test-cookies.ts';

const DIR_A = 'StackTestLectureAAAA01';
const DIR_B = 'StackTestLectureBBBB02';
const DEMO_ORIGIN = 'http://localhost:5173';
const SEGMENT = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 13 + 5) & 0xff));

describe('local stack over HTTP', () => {
  let dataDir: string;
  let stack: Stack;
  let clock = Date.now();

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'hlsgate-stack-'));
    stack = await startStack({
      dataDir,
      ports: { media: 0, auth: 0, s3: 0, demo: 5173 },
      cookieTtl: 60,
      now: () => clock,
      logger: createLogger({ name: 'stack-test', level: 'silent' }),
    });
    const s3 = new S3Client(stack.s3Config);
    for (const dir of [DIR_A, DIR_B]) {
      await s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: `lectures/${dir}/master.m3u8`, Body: `#EXTM3U\n#${dir}\n`, ContentType: 'application/vnd.apple.mpegurl' }));
      await s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: `lectures/${dir}/720p/seg_00001.ts`, Body: SEGMENT, ContentType: 'video/mp2t', CacheControl: 'max-age=31536000, immutable' }));
    }
    s3.destroy();
  });

  afterAll(async () => {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const res = (dir: string) => `${stack.mediaBaseUrl}${dir}/`;
  const media = (path: string, init: RequestInit = {}) => fetch(`${stack.urls.media}${path}`, init);

  /** POST /_auth/session through the stand-in; the Cookie header a browser would send back. */
  async function session(dir: string, token = stack.mintToken(res(dir))) {
    const answer = await media('/_auth/session', { method: 'POST', headers: { Authorization: `Bearer ${token}`, Origin: DEMO_ORIGIN } });
    const setCookies = answer.headers.getSetCookie();
    const body = (await answer.json()) as Record<string, unknown>;
    return { status: answer.status, body, setCookies, cookie: setCookies.map((c) => c.split(';')[0]).join('; '), answer };
  }

  async function expectAccessDenied(answer: Response, reason?: string) {
    expect(answer.status).toBe(403);
    expect(answer.headers.get('content-type')).toBe('text/xml');
    if (reason) expect(answer.headers.get('x-hlsgate-denied')).toBe(reason);
    expect(await answer.text()).toBe(ACCESS_DENIED_XML);
  }

  it('turns a view token into cookies that open that video through the stand-in, Range included', async () => {
    const s = await session(DIR_A);
    expect(s.status).toBe(200);
    expect(s.body).toMatchObject({ resource: `${res(DIR_A)}*` });
    expect(s.setCookies).toHaveLength(3);
    for (const line of s.setCookies) {
      expect(line).toMatch(/^CloudFront-(Policy|Signature|Key-Pair-Id)=/);
      expect(line).toContain(`Path=/lectures/${DIR_A}/`);
      expect(line).toContain('HttpOnly');
      expect(line).not.toContain('Secure');
    }
    const master = await media(`/lectures/${DIR_A}/master.m3u8`, { headers: { Cookie: s.cookie } });
    expect(master.status).toBe(200);
    expect(master.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(await master.text()).toBe(`#EXTM3U\n#${DIR_A}\n`);
    const part = await media(`/lectures/${DIR_A}/720p/seg_00001.ts`, { headers: { Cookie: s.cookie, Range: 'bytes=1000-1999' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1000-1999/${SEGMENT.length}`);
    expect(part.headers.get('cache-control')).toBe('max-age=31536000, immutable');
    expect(Buffer.from(await part.arrayBuffer()).equals(SEGMENT.subarray(1000, 2000))).toBe(true);
  });

  it("refuses no cookies, another video's cookies, a tampered policy and a canned cookie with AccessDenied", async () => {
    await expectAccessDenied(await media(`/lectures/${DIR_A}/master.m3u8`), 'missing_cookie');
    const b = await session(DIR_B);
    await expectAccessDenied(await media(`/lectures/${DIR_A}/master.m3u8`, { headers: { Cookie: b.cookie } }), 'resource_mismatch');

    // The policy of B with A's resource, under B's signature.
    const a = await session(DIR_A);
    const policyOf = (cookie: string) => /CloudFront-Policy=([^;]+)/.exec(cookie)![1]!;
    const decoded = Buffer.from(policyOf(a.cookie).replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64').toString();
    const widened = decoded.replace(`${DIR_A}/*`, '*');
    expect(widened).not.toBe(decoded);
    const tampered = a.cookie.replace(policyOf(a.cookie), toCloudFrontBase64(Buffer.from(widened).toString('base64')));
    await expectAccessDenied(await media(`/lectures/${DIR_B}/master.m3u8`, { headers: { Cookie: tampered } }), 'bad_signature');

    // A canned cookie signed with the stack's own key: CloudFront-Expires instead of a policy.
    const keys = loadOrCreateDevKeys(dataDir);
    const expires = Math.floor(clock / 1000) + 60;
    const url = `${res(DIR_A)}master.m3u8`;
    const canned = `{"Statement":[{"Resource":"${url}","Condition":{"DateLessThan":{"AWS:EpochTime":${expires}}}}]}`;
    const cannedCookie = cookieHeader({
      'CloudFront-Expires': String(expires),
      'CloudFront-Signature': cloudFrontSignature(canned, keys.privateKeyPem),
      'CloudFront-Key-Pair-Id': keys.keyPairId,
    });
    await expectAccessDenied(await media(`/lectures/${DIR_A}/master.m3u8`, { headers: { Cookie: cannedCookie } }), 'canned_policy');

    // The same key and a custom policy pass: the refusals above are about the cookies, not the key.
    const custom = cookieHeader(signedCookies(customPolicy({ resource: `${res(DIR_A)}*`, dateLessThan: expires }), keys.privateKeyPem, keys.keyPairId));
    expect((await media(`/lectures/${DIR_A}/master.m3u8`, { headers: { Cookie: custom } })).status).toBe(200);
  });

  it('refuses the cookies once they expire (clock moved past expiresAt)', async () => {
    const s = await session(DIR_A);
    const expiresAt = s.body.expiresAt as number;
    expect(expiresAt).toBeGreaterThanOrEqual(Math.floor(clock / 1000) + 60);
    expect((await media(`/lectures/${DIR_A}/master.m3u8`, { headers: { Cookie: s.cookie } })).status).toBe(200);
    const saved = clock;
    clock = expiresAt * 1000;
    try {
      await expectAccessDenied(await media(`/lectures/${DIR_A}/master.m3u8`, { headers: { Cookie: s.cookie } }), 'expired');
    } finally {
      clock = saved;
    }
  });

  it('DELETE /_auth/session clears the cookies of that video', async () => {
    const token = stack.mintToken(res(DIR_A));
    const answer = await media('/_auth/session', { method: 'DELETE', headers: { Authorization: `Bearer ${token}`, Origin: DEMO_ORIGIN } });
    expect(answer.status).toBeLessThan(300);
    const cleared = answer.headers.getSetCookie();
    expect(cleared.map((c) => c.split('=')[0]).sort()).toEqual(['CloudFront-Key-Pair-Id', 'CloudFront-Policy', 'CloudFront-Signature']);
    for (const line of cleared) {
      expect(line).toContain(`Path=/lectures/${DIR_A}/`);
      expect(line).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/i);
    }
  });

  it('sends CORS with credentials for the demo origin on 200 and 403, and answers preflights', async () => {
    const s = await session(DIR_A);
    expect(s.answer.headers.get('access-control-allow-origin')).toBe(DEMO_ORIGIN);
    expect(s.answer.headers.get('access-control-allow-credentials')).toBe('true');
    for (const cookie of [s.cookie, '']) {
      const answer = await media(`/lectures/${DIR_A}/master.m3u8`, { headers: { Cookie: cookie, Origin: DEMO_ORIGIN } });
      expect(answer.status).toBe(cookie ? 200 : 403);
      expect(answer.headers.get('access-control-allow-origin')).toBe(DEMO_ORIGIN);
      expect(answer.headers.get('access-control-allow-credentials')).toBe('true');
    }
    const preflight = await media(`/lectures/${DIR_A}/720p/seg_00001.ts`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://127.0.0.1:5173', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'range' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5173');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('range');
  });

  it('serves the /_dev routes: videos, tokens the auth server accepts, cookie TTL at run time', async () => {
    expect(await (await media('/_dev/videos')).json()).toEqual([]);
    const course = join(dataDir, 'repository', 'Demo course');
    mkdirSync(course, { recursive: true });
    writeFileSync(join(course, '2026-01-12 09.15 - Lecture 1.m3u8'), `#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nhttp://localhost:1/lectures/${DIR_A}/720p/index.m3u8\n`);
    const videos = await (await media('/_dev/videos')).json();
    expect(videos).toEqual([{ title: 'Lecture 1', src: `${res(DIR_A)}master.m3u8`, res: res(DIR_A) }]);

    const minted = await media('/_dev/token', { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: DEMO_ORIGIN }, body: JSON.stringify({ res: res(DIR_A), ttl: 120, wm: 'Ada' }) });
    expect(minted.headers.get('access-control-allow-origin')).toBe(DEMO_ORIGIN);
    const { token } = (await minted.json()) as { token: string };
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({ iss: stack.urls.media, aud: 'hlsgate', res: res(DIR_A), wm: 'Ada' });
    expect(claims.exp - claims.iat).toBe(120);
    expect((await session(DIR_A, token)).status).toBe(200);

    const ttl = await media('/_dev/cookie-ttl', { method: 'POST', body: '{"seconds":20}' });
    expect(await ttl.json()).toEqual({ seconds: 20 });
    const short = await session(DIR_A);
    const lifetime = (short.body.expiresAt as number) - Math.floor(clock / 1000);
    expect(lifetime).toBeGreaterThanOrEqual(20);
    expect(lifetime).toBeLessThan(60);
    stack.setCookieTtl(60);
  });

  it('refuses a token for another host with a JSON error and no cookies', async () => {
    const s = await session(DIR_A, stack.mintToken(`http://evil.example/lectures/${DIR_A}/`));
    expect(s.status).toBeGreaterThanOrEqual(400);
    expect(s.status).toBeLessThan(500);
    expect(s.setCookies).toEqual([]);
    expect(s.body).toHaveProperty('error.code');
  });

  it('answers 503 during an auth outage, with CORS, then recovers', async () => {
    const outage = await media('/_dev/auth-outage', { method: 'POST', body: '{"seconds":30}' });
    expect(await outage.json()).toEqual({ seconds: 30 });
    const down = await media('/_auth/session', { method: 'POST', headers: { Authorization: `Bearer ${stack.mintToken(res(DIR_A))}`, Origin: DEMO_ORIGIN } });
    expect(down.status).toBe(503);
    expect(down.headers.get('access-control-allow-origin')).toBe(DEMO_ORIGIN);
    expect(down.headers.getSetCookie()).toEqual([]);
    clock += 31_000;
    expect((await session(DIR_A)).status).toBe(200);
  });

  it('survives bad input: a huge Cookie header, garbage cookies, odd paths', async () => {
    const huge = await media(`/lectures/${DIR_A}/master.m3u8`, { headers: { Cookie: `CloudFront-Policy=${'A'.repeat(200_000)}` } }).catch(() => null);
    expect(huge === null || huge.status === 431 || huge.status === 403).toBe(true);
    for (const cookie of ['CloudFront-Policy=%%%; CloudFront-Signature=!!; CloudFront-Key-Pair-Id=x', 'CloudFront-Policy', '=;=;;', 'a=b=c']) {
      expect((await media(`/lectures/${DIR_A}/master.m3u8`, { headers: { Cookie: cookie } })).status).toBe(403);
    }
    const s = await session(DIR_A);
    for (const path of [`/lectures/${DIR_A}/%zz`, `/lectures/${DIR_A}/../${DIR_B}/master.m3u8`, `/lectures/${DIR_A}/`]) {
      const answer = await media(path, { headers: { Cookie: s.cookie } });
      expect(answer.status, path).toBe(403);
    }
    expect((await media(`/lectures/${DIR_A}/master.m3u8`, { headers: { Cookie: s.cookie } })).status).toBe(200);
  });
});
