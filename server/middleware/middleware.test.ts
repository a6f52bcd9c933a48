import { Hono, type MiddlewareHandler } from 'hono';
import { describe, expect, it } from 'vitest';
import { cookiePathOf } from '../../common/delivery.ts';
import { createLogger } from '../../common/log.ts';
import { checkResource } from '../token.ts';
import { makeTestServer } from '../test-config.ts';
import { bodyLimit } from './body-limit.ts';
import { corsPolicy } from './cors.ts';
import type { AppEnv } from './env.ts';
import { errorHandler, notFound } from './errors.ts';
import { headerLimit } from './header-limit.ts';
import { rateLimit } from './rate-limit.ts';
import { requestLog } from './request-log.ts';
import { viewToken } from './view-token.ts';

const silent = createLogger({ name: 't', level: 'silent' });
const server = makeTestServer();
const DIR = 'AbCdEfGhIjKlMnOpQrStUv';

/** One middleware in front of a route that answers the verified `dir`, behind the app's error handler. */
function appWith(...middleware: MiddlewareHandler<AppEnv>[]) {
  const app = new Hono<AppEnv>();
  app.use('*', ...middleware);
  app.all('/x', (c) => c.json({ dir: c.get('dir') ?? null }));
  app.notFound(notFound);
  app.onError(errorHandler({ logger: silent }));
  return app;
}

describe('middleware factories', () => {
  it('refuse bad options at creation, naming the option', () => {
    expect(() => bodyLimit({ maxBytes: -1 })).toThrow('bodyLimit: maxBytes must be a whole number ≥ 0 (got -1)');
    expect(() => headerLimit({ maxBytes: 0.5 })).toThrow('headerLimit: maxBytes must be a whole number ≥ 1 (got 0.5)');
    expect(() => corsPolicy({ origins: ['https://moodle.example.edu/'] })).toThrow('corsPolicy: origins: "https://moodle.example.edu/" must be an origin like "https://moodle.example.edu"');
    expect(() => corsPolicy({ origins: ['moodle.example.edu'] })).toThrow(/corsPolicy: origins: "moodle.example.edu"/);
    expect(() => corsPolicy({ origins: [], maxAgeSeconds: -5 })).toThrow('corsPolicy: maxAgeSeconds must be a whole number ≥ 0 (got -5)');
    expect(() => rateLimit({ perMinute: -1, maxEntries: 10, key: () => 'k', message: 'm' })).toThrow('rateLimit: perMinute must be a whole number ≥ 0');
    expect(() => rateLimit({ perMinute: 1, maxEntries: 0, key: () => 'k', message: 'm' })).toThrow('rateLimit: maxEntries must be a whole number ≥ 1');
    expect(() => rateLimit({ perMinute: 1, maxEntries: 1, key: 'k' as never, message: 'm' })).toThrow('rateLimit: key must be a function');
    expect(() => viewToken({ token: { ...server.config.token, secrets: {} } })).toThrow();
    expect(() => requestLog({ logger: undefined as never })).toThrow('requestLog: logger is required');
  });

  it('rateLimit keys by what it is told and answers 429 with Retry-After', async () => {
    let now = 0;
    const app = appWith(rateLimit({ perMinute: 2, maxEntries: 10, key: (c) => c.req.header('x-who') ?? '-', message: 'slow down', now: () => now }));
    const from = (who: string) => app.request('/x', { headers: { 'x-who': who } });
    expect((await from('a')).status).toBe(200);
    expect((await from('a')).status).toBe(200);
    const refused = await from('a');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(await refused.json()).toEqual({ error: { code: 'rate_limited', message: 'slow down' } });
    expect((await from('b')).status).toBe(200);
    now = 30_000;
    expect((await from('a')).status).toBe(200);
  });

  it('viewToken reads the token from X-Hlsgate-Authorization first (behind OAC Authorization is SigV4), else Authorization', async () => {
    const app = appWith(viewToken({ token: server.config.token }));
    const token = server.mint(server.res(DIR));
    const sigv4 = 'AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20261123/eu-west-1/lambda/aws4_request, SignedHeaders=host, Signature=00';
    const behindOac = await app.request('/x', { headers: { Authorization: sigv4, 'X-Hlsgate-Authorization': `Bearer ${token}` } });
    expect(await behindOac.json()).toEqual({ dir: DIR });
    const direct = await app.request('/x', { headers: { Authorization: `Bearer ${token}` } });
    expect(await direct.json()).toEqual({ dir: DIR });
    const onlySigv4 = await app.request('/x', { headers: { Authorization: sigv4 } });
    expect(onlySigv4.status).toBe(400);
  });

  it('corsPolicy: nothing for requests without Origin, 403 for others, hono/cors for allowed ones', async () => {
    const app = appWith(corsPolicy({ origins: ['https://moodle.example.edu'] }));
    const none = await app.request('/x');
    expect(none.headers.get('access-control-allow-origin')).toBeNull();
    expect(none.headers.get('access-control-allow-credentials')).toBeNull();
    expect(none.headers.get('vary')).toBe('Origin');
    expect((await app.request('/x', { headers: { Origin: 'https://moodle.example.edu.evil.org' } })).status).toBe(403);
    const pre = await app.request('/x', { method: 'OPTIONS', headers: { Origin: 'https://moodle.example.edu', 'Access-Control-Request-Method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-headers')).toBe('Authorization,Content-Type,x-amz-content-sha256');
    expect(pre.headers.get('access-control-max-age')).toBe('600');
  });

  it("the cookie path rule of common/delivery.ts agrees with token.ts's reading of res", () => {
    for (const [base, res] of [
      ['https://media.example.edu/lectures/', `https://media.example.edu/lectures/${DIR}/`],
      ['http://localhost:8787/a/b/', `http://localhost:8787/a/b/${DIR}/`],
      ['https://media.example.edu/', `https://media.example.edu/${DIR}/`],
    ] as const) {
      expect(checkResource(res, [base]).path).toBe(cookiePathOf(res));
    }
  });

  it('bodyLimit leaves bodiless requests alone and counts a streamed body without Content-Length', async () => {
    const app = appWith(bodyLimit({ maxBytes: 8 }));
    expect((await app.request('/x')).status).toBe(200);
    expect((await app.request('/x', { method: 'POST', headers: { 'Content-Length': '9' }, body: '123456789' })).status).toBe(413);
    expect((await app.request('/x', { method: 'POST', headers: { 'Content-Length': '8x' } })).status).toBe(413);
    const stream = (n: number) =>
      new ReadableStream({
        start(controller) {
          controller.enqueue(new Uint8Array(n));
          controller.close();
        },
      });
    expect((await app.request('/x', { method: 'POST', body: stream(8), duplex: 'half' } as RequestInit)).status).toBe(200);
    expect((await app.request('/x', { method: 'POST', body: stream(9), duplex: 'half' } as RequestInit)).status).toBe(413);
  });
});
