import { verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromCloudFrontBase64 } from '../common/cloudfront-base64.ts';
import type { SessionResponse } from '../common/contracts.ts';
import { createLogger } from '../common/log.ts';
import { createApp, type AppOptions } from './app.ts';
import type { ServerConfig } from './config.ts';
import { createLambdaHandler } from './lambda.ts';
import { makeTestServer, TEST_ISSUER } from './test-config.ts';

const NOW_MS = 1_800_000_007_250;
const NOW = Math.floor(NOW_MS / 1000);
const DIR = 'AbCdEfGhIjKlMnOpQrStUv';
const DIR2 = 'ZyXwVuTsRqPoNmLkJiHgFe';

const server = makeTestServer();
const RES = server.res(DIR);
const PATH = `/lectures/${DIR}/`;

function setup(overrides: Partial<ServerConfig> = {}, options: AppOptions = {}) {
  const lines: string[] = [];
  const logger = createLogger({ name: 'test', level: 'debug', write: (l) => lines.push(l) });
  const app = createApp({ ...server.config, ...overrides }, { now: () => NOW_MS, logger, random: () => 0.5, ...options });
  return { app, lines, logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const token = (overrides = {}) => server.mint(RES, overrides, NOW);

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('set-cookie')).toBeNull();
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(Object.keys(body)).toEqual(['error']);
  return body.error;
}

describe('POST /session', () => {
  it('answers 200 with three custom-policy cookies scoped to the video', async () => {
    const { app } = setup();
    for (const path of ['/session', '/_auth/session']) {
      const res = await app.request(path, { method: 'POST', headers: bearer(token()) });
      expect(res.status).toBe(200);
      const body = (await res.json()) as SessionResponse;
      // TTL 600 → bucket 60; random 0.5 → refresh after lifetime - 60 - 60.
      const expiresAt = Math.ceil((NOW + 600) / 60) * 60;
      expect(body).toEqual({ resource: `${RES}*`, expiresAt, refreshIn: expiresAt - NOW - 120, serverTime: NOW });
      expect(res.headers.get('cache-control')).toBe('no-store');
      const cookies = res.headers.getSetCookie();
      expect(cookies).toHaveLength(3);
      const attrs = `; Path=${PATH}; HttpOnly; Secure; SameSite=Lax`;
      const [policyCookie, signatureCookie, keyPairCookie] = cookies as [string, string, string];
      expect(policyCookie).toMatch(new RegExp(`^CloudFront-Policy=[A-Za-z0-9~_-]+${attrs.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`));
      expect(signatureCookie.startsWith('CloudFront-Signature=')).toBe(true);
      expect(signatureCookie.endsWith(attrs)).toBe(true);
      expect(keyPairCookie).toBe(`CloudFront-Key-Pair-Id=KTESTKEYPAIR01${attrs}`);

      const policy = Buffer.from(fromCloudFrontBase64(policyCookie.slice('CloudFront-Policy='.length, -attrs.length)), 'base64').toString();
      expect(policy).toBe(
        `{"Statement":[{"Resource":"${RES}*","Condition":{"DateLessThan":{"AWS:EpochTime":${expiresAt}}}}]}`,
      );
      const signature = Buffer.from(fromCloudFrontBase64(signatureCookie.slice('CloudFront-Signature='.length, -attrs.length)), 'base64');
      expect(verify('RSA-SHA1', Buffer.from(policy), server.publicKey, signature)).toBe(true);
    }
  });

  it('gives viewers of one video in one bucket the same signature', async () => {
    const { app } = setup();
    const a = await app.request('/session', { method: 'POST', headers: bearer(token({ sub: 'a' })) });
    const b = await app.request('/session', { method: 'POST', headers: bearer(token({ sub: 'b' })) });
    expect(a.headers.getSetCookie()).toEqual(b.headers.getSetCookie());
    const other = await app.request('/session', { method: 'POST', headers: bearer(server.mint(server.res(DIR2), {}, NOW)) });
    expect(other.headers.getSetCookie()[0]).toContain(`Path=/lectures/${DIR2}/`);
  });

  it('reads the cookie TTL per request', async () => {
    let ttl = 20;
    const { app } = setup({}, { cookieTtl: () => ttl });
    const first = (await (await app.request('/session', { method: 'POST', headers: bearer(token()) })).json()) as SessionResponse;
    expect(first.expiresAt - NOW).toBeGreaterThanOrEqual(20);
    expect(first.expiresAt - NOW).toBeLessThan(25);
    expect(first.refreshIn).toBeGreaterThanOrEqual(5);
    expect(first.refreshIn).toBeLessThan(first.expiresAt - NOW);
    ttl = 3600;
    const second = (await (await app.request('/session', { method: 'POST', headers: bearer(token()) })).json()) as SessionResponse;
    expect(second.expiresAt - NOW).toBeGreaterThanOrEqual(3600);
  });

  it('adds Domain, and leaves out Secure when configured so', async () => {
    const { app } = setup({ cookie: { ttlSeconds: 600, secure: false, domain: 'media.example.edu' } });
    const res = await app.request('/session', { method: 'POST', headers: bearer(token()) });
    for (const cookie of res.headers.getSetCookie()) {
      expect(cookie).toMatch(new RegExp(`; Path=${PATH}; Domain=media.example.edu; HttpOnly; SameSite=Lax$`));
    }
  });

  it('signs with the active key pair of two', async () => {
    const second = makeTestServer();
    const keyPairs = [server.config.keyPairs[0]!, { ...second.config.keyPairs[0]!, keyPairId: 'KSECONDPAIR002' }];
    const { app } = setup({ keyPairs, activeKeyPairId: 'KSECONDPAIR002' });
    const res = await app.request('/session', { method: 'POST', headers: bearer(token()) });
    const cookies = res.headers.getSetCookie();
    expect(cookies[2]).toMatch(/^CloudFront-Key-Pair-Id=KSECONDPAIR002;/);
    const value = (name: string) => cookies.find((c) => c.startsWith(name))!.split(';')[0]!.slice(name.length + 1);
    const policy = Buffer.from(fromCloudFrontBase64(value('CloudFront-Policy')), 'base64');
    const signature = Buffer.from(fromCloudFrontBase64(value('CloudFront-Signature')), 'base64');
    expect(verify('RSA-SHA1', policy, second.publicKey, signature)).toBe(true);
    expect(verify('RSA-SHA1', policy, server.publicKey, signature)).toBe(false);
  });

  it('refuses at creation a configuration whose active key pair is missing', () => {
    expect(() => createApp({ ...server.config, activeKeyPairId: 'KNOPE' })).toThrow(/KNOPE/);
  });
});

const QUERY_BODY = '{"mode":"query"}';
const queryPost = (t: string, extra: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { ...bearer(t), 'Content-Type': 'application/json', ...extra },
  body: QUERY_BODY,
});

describe('POST /session in query mode', () => {
  it('answers the same custom policy as a query string, with the same timing, and no Set-Cookie', async () => {
    const { app } = setup();
    for (const path of ['/session', '/_auth/session']) {
      const res = await app.request(path, queryPost(token()));
      expect(res.status).toBe(200);
      expect(res.headers.get('set-cookie')).toBeNull();
      expect(res.headers.get('cache-control')).toBe('no-store');
      const body = (await res.json()) as SessionResponse;
      const expiresAt = Math.ceil((NOW + 600) / 60) * 60;
      expect(body).toEqual({ resource: `${RES}*`, expiresAt, refreshIn: expiresAt - NOW - 120, serverTime: NOW, query: expect.any(String) });
      const match = /^Policy=([A-Za-z0-9~_-]+)&Signature=([A-Za-z0-9~_-]+)&Key-Pair-Id=(KTESTKEYPAIR01)$/.exec(body.query!);
      expect(match).not.toBeNull();
      const policy = Buffer.from(fromCloudFrontBase64(match![1]!), 'base64').toString();
      expect(policy).toBe(`{"Statement":[{"Resource":"${RES}*","Condition":{"DateLessThan":{"AWS:EpochTime":${expiresAt}}}}]}`);
      expect(verify('RSA-SHA1', Buffer.from(policy), server.publicKey, Buffer.from(fromCloudFrontBase64(match![2]!), 'base64'))).toBe(true);
    }
  });

  it('carries the values the cookies would carry (one signature per video and bucket for both modes)', async () => {
    const { app } = setup();
    const cookieRes = await app.request('/session', { method: 'POST', headers: bearer(token({ sub: 'a' })) });
    const values = cookieRes.headers.getSetCookie().map((c) => c.split(';')[0]!.split('=').slice(1).join('='));
    const { query } = (await (await app.request('/session', queryPost(token({ sub: 'b' })))).json()) as SessionResponse;
    expect(query).toBe(`Policy=${values[0]}&Signature=${values[1]}&Key-Pair-Id=${values[2]}`);
  });

  it('stays in cookie mode without a body, with an empty object, or with {"mode":"cookie"}', async () => {
    const { app } = setup();
    for (const body of [undefined, '', '{}', '{"mode":"cookie"}', ' {"mode":"cookie"} ']) {
      const res = await app.request('/session', { method: 'POST', headers: bearer(token()), ...(body === undefined ? {} : { body }) });
      expect(res.status, String(body)).toBe(200);
      expect(res.headers.getSetCookie()).toHaveLength(3);
      expect(((await res.json()) as SessionResponse).query).toBeUndefined();
    }
  });

  it('refuses a bad body with a 400 and neither cookies nor a query', async () => {
    const { app } = setup();
    const bodies = [
      '{"mode":"Query"}',
      '{"mode":"url"}',
      '{"mode":1}',
      '{"mode":null}',
      '{"mode":["query"]}',
      '{"mode":"query","extra":1}',
      '{"mode":"query"',
      '["query"]',
      '"query"',
      'mode=query',
      'null',
    ];
    for (const body of bodies) {
      const res = await app.request('/session', { method: 'POST', headers: { ...bearer(token()), 'Content-Type': 'application/json' }, body });
      const error = await expectError(res, 400, 'bad_request');
      expect(error.message.length, body).toBeGreaterThan(0);
    }
  });

  it('takes the body whatever its Content-Type (CloudFront forwards none)', async () => {
    const { app } = setup();
    const res = await app.request('/session', { method: 'POST', headers: bearer(token()), body: QUERY_BODY });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(((await res.json()) as SessionResponse).query).toMatch(/^Policy=/);
  });

  it('refuses a bad token as in cookie mode', async () => {
    const { app } = setup();
    await expectError(await app.request('/session', queryPost(token({ iat: NOW - 700, exp: NOW - 100 }))), 401, 'token_expired');
    await expectError(await app.request('/session', queryPost('garbage')), 401, 'token_invalid');
  });

  it('applies the per-address and per-viewer limits as cookie mode does, bad bodies included', async () => {
    const { app } = setup({ rateLimit: { perAddressPerMinute: 3, perSubPerMinute: 100, maxEntries: 100 }, clientAddressHeader: 'x-forwarded-for' });
    const from = { 'X-Forwarded-For': '203.0.113.9' };
    expect((await app.request('/session', queryPost(token(), from))).status).toBe(200);
    await expectError(await app.request('/session', { ...queryPost(token(), from), body: '{"mode":"x"}' }), 400, 'bad_request');
    expect((await app.request('/session', { method: 'POST', headers: { ...bearer(token()), ...from } })).status).toBe(200);
    await expectError(await app.request('/session', queryPost(token(), from)), 429, 'rate_limited');

    const viewer = setup({ rateLimit: { perAddressPerMinute: 100, perSubPerMinute: 2, maxEntries: 100 } }).app;
    expect((await viewer.request('/session', queryPost(token({ sub: '5' })))).status).toBe(200);
    expect((await viewer.request('/session', { method: 'POST', headers: bearer(token({ sub: '5' })) })).status).toBe(200);
    await expectError(await viewer.request('/session', queryPost(token({ sub: '5' }))), 429, 'rate_limited');
  });

  it('logs no part of the query', async () => {
    const { app, lines } = setup();
    const { query } = (await (await app.request('/_auth/session', queryPost(token()))).json()) as SessionResponse;
    const text = lines.join('\n');
    expect(lines).toHaveLength(1);
    for (const part of query!.split('&')) expect(text).not.toContain(part.split('=')[1]!);
  });

  it('allows the payload-hash header in a preflight (a Lambda behind OAC needs it on POST)', async () => {
    const { app } = setup();
    const res = await app.request('/session', {
      method: 'OPTIONS',
      headers: { Origin: TEST_ISSUER, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type, x-amz-content-sha256' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-amz-content-sha256');
  });
});

describe('bad input gets a 4xx JSON error and no Set-Cookie', () => {
  const { app } = setup();
  const post = (headers: Record<string, string>, init: RequestInit = {}) =>
    app.request('/_auth/session', { method: 'POST', headers, ...init });
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

  it('no or a malformed Authorization header', async () => {
    await expectError(await post({}), 400, 'bad_request');
    await expectError(await post({ Authorization: token() }), 400, 'bad_request');
    await expectError(await post({ Authorization: `Basic ${token()}` }), 400, 'bad_request');
    await expectError(await post({ Authorization: 'Bearer ' }), 400, 'bad_request');
    await expectError(await post({ Authorization: `Bearer ${token()} extra` }), 400, 'bad_request');
  });

  it('alg none, RS256, a forged signature, a JSON array payload, invalid base64', async () => {
    const claims = { iss: TEST_ISSUER, aud: 'hlsgate', sub: '1', iat: NOW, exp: NOW + 60, res: RES };
    await expectError(await post(bearer(`${b64({ alg: 'none', typ: 'JWT', kid: 'test' })}.${b64(claims)}.`)), 401, 'token_invalid');
    await expectError(await post(bearer(`${b64({ alg: 'RS256', typ: 'JWT', kid: 'test' })}.${b64(claims)}.AAAA`)), 401, 'token_invalid');
    const [h, p] = token().split('.');
    await expectError(await post(bearer(`${h}.${p}.${'A'.repeat(43)}`)), 401, 'token_invalid');
    await expectError(await post(bearer(`${h}.${b64([claims])}.AAAA`)), 401, 'token_invalid');
    await expectError(await post(bearer(`${h}.!!!!.AAAA`)), 401, 'token_invalid');
    await expectError(await post(bearer('not-a-jwt')), 401, 'token_invalid');
  });

  it('an expired token, a wrong issuer, a res on another host', async () => {
    const expired = await expectError(await post(bearer(token({ iat: NOW - 700, exp: NOW - 100 }))), 401, 'token_expired');
    expect(expired.message).toBe('token has expired');
    await expectError(await post(bearer(token({ iss: 'https://evil.example' }))), 401, 'token_invalid');
    await expectError(await post(bearer(server.mint(`https://evil.example/lectures/${DIR}/`, {}, NOW))), 403, 'resource_forbidden');
    await expectError(await post(bearer(server.mint(`${RES}..%2f/`, {}, NOW))), 403, 'resource_forbidden');
  });

  it('an oversized token, headers and body', async () => {
    await expectError(await post(bearer('a'.repeat(5000))), 400, 'bad_request');
    await expectError(await post(bearer('a'.repeat(1024 * 1024))), 431, 'payload_too_large');
    await expectError(await post({ ...bearer(token()), 'X-Filler': 'x'.repeat(9000) }), 431, 'payload_too_large');
    await expectError(await post(bearer(token()), { body: 'x'.repeat(2000) }), 413, 'payload_too_large');
    // Without a Content-Length (chunked), the body is counted as it streams.
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 4; i++) controller.enqueue(new TextEncoder().encode('y'.repeat(512)));
        controller.close();
      },
    });
    await expectError(await post(bearer(token()), { body: stream, duplex: 'half' } as RequestInit), 413, 'payload_too_large');
    // A small body is fine (and ignored).
    expect((await post(bearer(token()), { body: '{}' })).status).toBe(200);
  });

  it('a body cut off before its end is a 400 logged at info, not an unexpected error', async () => {
    const { app: fresh, logs } = setup();
    const aborted = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('partial'));
        controller.error(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
      },
    });
    const res = await fresh.request('/session', { method: 'POST', headers: bearer(token()), body: aborted, duplex: 'half' } as RequestInit);
    await expectError(res, 400, 'bad_request');
    const lines = logs();
    expect(lines.filter((l) => l.level !== 'info' && l.level !== 'debug')).toEqual([]);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'info', msg: 'request', status: 400, code: 'bad_request' }));
  });

  it('unknown routes and methods', async () => {
    await expectError(await app.request('/nope'), 404, 'not_found');
    await expectError(await app.request('/_auth/'), 404, 'not_found');
    const put = await app.request('/session', { method: 'PUT', headers: bearer(token()) });
    await expectError(put, 405, 'method_not_allowed');
    expect(put.headers.get('allow')).toBe('POST, DELETE');
    await expectError(await app.request('/session'), 405, 'method_not_allowed');
  });

  it('an unexpected failure is a 500 JSON error without details', async () => {
    const { app: failing, logs } = setup({}, { cookieTtl: () => { throw new Error('boom'); } });
    const error = await expectError(await failing.request('/session', { method: 'POST', headers: bearer(token()) }), 500, 'internal');
    expect(error.message).toBe('internal error');
    expect(logs().some((l) => l.msg === 'unexpected error')).toBe(true);
  });
});

describe('CORS', () => {
  const { app } = setup();

  it("answers the Moodle App's web-view origins when configured (iOS: moodleappfs://localhost, Android: http://localhost)", async () => {
    const { app: appWithApp } = setup({ allowedOrigins: ['http://localhost', 'moodleappfs://localhost'] });
    for (const origin of ['moodleappfs://localhost', 'http://localhost']) {
      const res = await appWithApp.request('/_auth/session', {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
    }
    // Not configured: not answered.
    const other = await app.request('/_auth/session', { method: 'OPTIONS', headers: { Origin: 'moodleappfs://localhost', 'Access-Control-Request-Method': 'POST' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers a preflight from an allowed origin', async () => {
    const res = await app.request('/_auth/session', {
      method: 'OPTIONS',
      headers: { Origin: TEST_ISSUER, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(TEST_ISSUER);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-methods')).toContain('DELETE');
    expect(res.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
    // hono/cors also names Access-Control-Request-Headers; the answer is no-store either way.
    expect(res.headers.get('vary')).toBe('Origin, Access-Control-Request-Headers');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses other origins, preflight or not', async () => {
    const pre = await app.request('/session', {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    await expectError(pre, 403, 'origin_forbidden');
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const res = await app.request('/session', { method: 'POST', headers: { Origin: 'https://evil.example', ...bearer(token()) } });
    await expectError(res, 403, 'origin_forbidden');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows credentials for allowed origins on success and on errors', async () => {
    const ok = await app.request('/session', { method: 'POST', headers: { Origin: TEST_ISSUER, ...bearer(token()) } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(TEST_ISSUER);
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    expect(ok.headers.get('vary')).toBe('Origin');
    const bad = await app.request('/session', { method: 'POST', headers: { Origin: TEST_ISSUER, ...bearer('x.y.z') } });
    await expectError(bad, 401, 'token_invalid');
    expect(bad.headers.get('access-control-allow-origin')).toBe(TEST_ISSUER);
    expect(bad.headers.get('access-control-allow-credentials')).toBe('true');
  });

  it('allows the media host itself', async () => {
    const res = await app.request('/session', { method: 'POST', headers: { Origin: 'https://media.example.edu', ...bearer(token()) } });
    expect(res.status).toBe(200);
  });
});

describe('rate limits', () => {
  it('per client address, from the configured proxy header', async () => {
    const { app } = setup({
      rateLimit: { perAddressPerMinute: 3, perSubPerMinute: 100, maxEntries: 100 },
      clientAddressHeader: 'x-forwarded-for',
    });
    const from = (ip: string) => ({ ...bearer(token()), 'X-Forwarded-For': `198.51.100.1, ${ip}` });
    for (let i = 0; i < 3; i++) expect((await app.request('/session', { method: 'POST', headers: from('203.0.113.7') })).status).toBe(200);
    const limited = await app.request('/session', { method: 'POST', headers: from('203.0.113.7') });
    await expectError(limited, 429, 'rate_limited');
    expect(limited.headers.get('retry-after')).toBe('20');
    expect((await app.request('/session', { method: 'POST', headers: from('203.0.113.8') })).status).toBe(200);
  });

  it('per viewer (iss + sub), across addresses', async () => {
    const { app } = setup({
      rateLimit: { perAddressPerMinute: 100, perSubPerMinute: 2, maxEntries: 100 },
      clientAddressHeader: 'cloudfront-viewer-address',
    });
    const req = (sub: string, ip: string) =>
      app.request('/session', { method: 'POST', headers: { ...bearer(token({ sub })), 'CloudFront-Viewer-Address': `${ip}:4431` } });
    expect((await req('7', '203.0.113.1')).status).toBe(200);
    expect((await req('7', '203.0.113.2')).status).toBe(200);
    await expectError(await req('7', '203.0.113.3'), 429, 'rate_limited');
    expect((await req('8', '203.0.113.3')).status).toBe(200);
  });

  it('does not spend a viewer budget on forged tokens', async () => {
    const { app } = setup({ rateLimit: { perAddressPerMinute: 100, perSubPerMinute: 1, maxEntries: 100 } });
    const forged = server.mint(RES, { sub: '9' }, NOW).replace(/.{4}$/, 'AAAA');
    for (let i = 0; i < 5; i++) await app.request('/session', { method: 'POST', headers: bearer(forged) });
    expect((await app.request('/session', { method: 'POST', headers: bearer(token({ sub: '9' })) })).status).toBe(200);
  });
});

describe('DELETE /session', () => {
  const { app } = setup();

  it('clears that video’s cookies on the same path, even with an expired token', async () => {
    for (const t of [token(), token({ iat: NOW - 7000, exp: NOW - 3600 })]) {
      const res = await app.request('/_auth/session', { method: 'DELETE', headers: bearer(t) });
      expect(res.status).toBe(204);
      const attrs = `; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=${PATH}; HttpOnly; Secure; SameSite=Lax`;
      expect(res.headers.getSetCookie()).toEqual([
        `CloudFront-Policy=${attrs}`,
        `CloudFront-Signature=${attrs}`,
        `CloudFront-Key-Pair-Id=${attrs}`,
      ]);
    }
  });

  it('refuses a forged or foreign token without touching cookies', async () => {
    const [h, p] = token().split('.');
    await expectError(await app.request('/session', { method: 'DELETE', headers: bearer(`${h}.${p}.${'B'.repeat(43)}`) }), 401, 'token_invalid');
    await expectError(
      await app.request('/session', { method: 'DELETE', headers: bearer(server.mint(`https://evil.example/lectures/${DIR}/`, {}, NOW)) }),
      403,
      'resource_forbidden',
    );
  });
});

describe('GET /healthz and logging', () => {
  it('answers 200 at both paths', async () => {
    const { app } = setup();
    for (const path of ['/healthz', '/_auth/healthz']) {
      const res = await app.request(path);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
    }
  });

  it('writes one line per request with method, path, status, ms, sub, dir — and no token or cookie', async () => {
    const { app, lines, logs } = setup();
    const t = token({ sub: 'viewer-77' });
    const res = await app.request('/_auth/session', { method: 'POST', headers: bearer(t) });
    const cookieValues = res.headers.getSetCookie().map((c) => c.split(';')[0]!.split('=')[1]!);
    await app.request('/session', { method: 'POST', headers: bearer(token({ iat: NOW - 700, exp: NOW - 100 })) });
    expect(lines).toHaveLength(2);
    const [ok, expired] = logs() as [Record<string, unknown>, Record<string, unknown>];
    expect(ok).toMatchObject({ msg: 'request', method: 'POST', path: '/_auth/session', status: 200, sub: 'viewer-77', dir: DIR });
    expect(typeof ok.ms).toBe('number');
    expect(expired).toMatchObject({ status: 401, code: 'token_expired', path: '/session' });
    const text = lines.join('\n');
    for (const secret of [t, ...t.split('.'), ...cookieValues]) expect(text).not.toContain(secret);
  });
});

describe('Lambda entry', () => {
  const event = (file: string, t: string) =>
    JSON.parse(readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8').replaceAll('{{TOKEN}}', t));

  it('answers a Lambda function URL (payload v2) event behind CloudFront with the cookies array', async () => {
    const handler = createLambdaHandler(
      { ...server.config, clientAddressHeader: 'cloudfront-viewer-address' },
      { now: () => NOW_MS, logger: createLogger({ name: 't', level: 'silent' }) },
    );
    const result = (await handler(event('function-url-event.json', token()))) as {
      statusCode: number;
      headers: Record<string, string>;
      cookies?: string[];
      body: string;
      isBase64Encoded: boolean;
    };
    expect(result.statusCode).toBe(200);
    expect(result.isBase64Encoded).toBe(false);
    expect(result.cookies).toHaveLength(3);
    expect(result.cookies![0]).toMatch(new RegExp(`^CloudFront-Policy=[A-Za-z0-9~_-]+; Path=${PATH}; HttpOnly; Secure; SameSite=Lax$`));
    expect(result.cookies![2]).toBe(`CloudFront-Key-Pair-Id=KTESTKEYPAIR01; Path=${PATH}; HttpOnly; Secure; SameSite=Lax`);
    expect(result.headers['set-cookie']).toBeUndefined();
    expect(result.headers['access-control-allow-origin']).toBe(TEST_ISSUER);
    expect(JSON.parse(result.body)).toMatchObject({ resource: `${RES}*`, serverTime: NOW });
  });

  it('answers a query-mode function URL event (body, base64 or not) with the query and no cookies', async () => {
    const handler = createLambdaHandler(
      { ...server.config, clientAddressHeader: 'cloudfront-viewer-address' },
      { now: () => NOW_MS, logger: createLogger({ name: 't', level: 'silent' }) },
    );
    for (const [body, isBase64Encoded] of [
      ['{"mode":"query"}', false],
      [Buffer.from('{"mode":"query"}').toString('base64'), true],
    ] as const) {
      const e = event('function-url-event.json', token());
      e.headers['content-length'] = '16';
      Object.assign(e, { body, isBase64Encoded });
      const result = (await handler(e)) as { statusCode: number; cookies?: string[]; headers: Record<string, string>; body: string };
      expect(result.statusCode).toBe(200);
      expect(result.cookies ?? []).toEqual([]);
      expect(result.headers['set-cookie']).toBeUndefined();
      expect((JSON.parse(result.body) as SessionResponse).query).toMatch(/^Policy=[A-Za-z0-9~_-]+&Signature=[A-Za-z0-9~_-]+&Key-Pair-Id=KTESTKEYPAIR01$/);
    }
  });

  it('answers an error event with JSON and no cookies', async () => {
    const handler = createLambdaHandler(server.config, { now: () => NOW_MS, logger: createLogger({ name: 't', level: 'silent' }) });
    const result = (await handler(event('function-url-event.json', 'garbage'))) as { statusCode: number; cookies?: string[]; body: string };
    expect(result.statusCode).toBe(401);
    expect(result.cookies).toBeUndefined();
    expect(JSON.parse(result.body)).toMatchObject({ error: { code: 'token_invalid' } });
  });

  it('answers an API Gateway REST (v1) DELETE with multi-value Set-Cookie', async () => {
    const handler = createLambdaHandler(server.config, { now: () => NOW_MS, logger: createLogger({ name: 't', level: 'silent' }) });
    const result = (await handler(event('api-gateway-v1-event.json', token()))) as {
      statusCode: number;
      multiValueHeaders: Record<string, string[]>;
    };
    expect(result.statusCode).toBe(204);
    expect(result.multiValueHeaders['set-cookie']).toHaveLength(3);
    expect(result.multiValueHeaders['set-cookie']![0]).toContain(`Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=${PATH}`);
  });
});
