/**
 * The session service: a view token in, three CloudFront cookies for one video out — or, in query
 * mode, the same signature as a query string for the player to append to every media URL.
 *
 *   POST   /session   Authorization: Bearer <view token>  → 200 SessionResponse + 3 Set-Cookie
 *                     with the body {"mode":"query"}      → 200 SessionResponse with `query`, no Set-Cookie
 *                     with the body {"mode":"playlist"}   → 200 PlaylistSessionResponse (when enabled, else 404)
 *   GET    /playlist/<dir>/<path>.m3u8?cap=…            → the signed playlist (when enabled, else 404)
 *   DELETE /session   same header (an expired token will do) → 204 + 3 clearing Set-Cookie
 *   GET    /healthz   → 200
 *
 * Every route answers at the root and under `/_auth` (CloudFront forwards the full path). Errors
 * are `{"error":{"code","message"}}` and never carry a Set-Cookie. The app holds no session
 * state: only a signature cache and rate-limit buckets, both bounded.
 */
import { Hono, type Context } from 'hono';
import { AUTH_PATH_PREFIX, type SessionResponse } from '../common/contracts.ts';
import { cookiePathOf } from '../common/delivery.ts';
import { createLogger, type Logger } from '../common/log.ts';
import type { ServerConfig } from './config.ts';
import { createCookieSigner, sessionTiming } from './cookie-session.ts';
import { bodyLimit } from './middleware/body-limit.ts';
import { corsPolicy } from './middleware/cors.ts';
import type { AppEnv } from './middleware/env.ts';
import { ApiError, errorHandler, noCookiesOnError, notFound } from './middleware/errors.ts';
import { headerLimit } from './middleware/header-limit.ts';
import { rateLimit } from './middleware/rate-limit.ts';
import { requestLog } from './middleware/request-log.ts';
import { viewToken } from './middleware/view-token.ts';
import { clearingCookieStrings, cookieStrings, signedQueryString, type CookieAttributes, type SignedCookieValues } from './policy.ts';
import { sessionMode } from './middleware/session-mode.ts';
import { playlistRoutes } from './playlist-route.ts';

export { ApiError } from './middleware/errors.ts';

export interface AppOptions {
  /** Epoch milliseconds. */
  now?: () => number;
  logger?: Logger;
  /** Cookie lifetime in seconds, read per request (the dev stack changes it at run time). */
  cookieTtl?: () => number;
  /** For the refresh jitter; [0, 1). */
  random?: () => number;
}

/** Bounds on a run-time cookieTtl(): short enough for tests, never unbounded. */
const RUNTIME_TTL_RANGE = [2, 86_400] as const;

/** The viewer's address: a configured proxy header when set, else the peer (Node or Lambda). */
export function clientAddress(c: Context, header: string | undefined): string {
  if (header) {
    const value = c.req.header(header);
    if (value) {
      let address = value;
      // CloudFront (and the local stand-in) append the address they saw: trust the last entry.
      if (header === 'x-forwarded-for') address = value.slice(value.lastIndexOf(',') + 1);
      // `ip:port`, the port changing per connection.
      else if (header === 'cloudfront-viewer-address') address = value.slice(0, Math.max(0, value.lastIndexOf(':')));
      address = address.trim().slice(0, 64);
      if (address) return address;
    }
  }
  const env = c.env as
    | { incoming?: { socket?: { remoteAddress?: string } }; requestContext?: { http?: { sourceIp?: string }; identity?: { sourceIp?: string } } }
    | undefined;
  return (
    env?.incoming?.socket?.remoteAddress ??
    env?.requestContext?.http?.sourceIp ??
    env?.requestContext?.identity?.sourceIp ??
    'unknown'
  );
}

export function createApp(config: ServerConfig, options: AppOptions = {}): Hono<AppEnv> {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const logger = options.logger ?? createLogger({ name: 'hlsgate-server' });
  const cookieTtl = options.cookieTtl ?? (() => config.cookie.ttlSeconds);
  const activeKeyPair = config.keyPairs.find((k) => k.keyPairId === config.activeKeyPairId);
  if (!activeKeyPair) throw new Error(`activeKeyPairId "${config.activeKeyPairId}" is not among the key pairs`);
  const signer = createCookieSigner({ cacheSize: config.signatureCacheSize });
  // Pages on the media host itself call same-origin; browsers still send Origin on POST.
  const origins = new Set([...config.allowedOrigins, ...config.token.mediaBaseUrls.map((base) => new URL(base).origin)]);

  const limitBody = bodyLimit({ maxBytes: config.limits.maxBodyBytes });
  const perAddress = rateLimit({
    perMinute: config.rateLimit.perAddressPerMinute,
    maxEntries: config.rateLimit.maxEntries,
    key: (c) => clientAddress(c, config.clientAddressHeader),
    message: 'too many requests from this address',
    now,
  });
  const perViewer = rateLimit({
    perMinute: config.rateLimit.perSubPerMinute,
    maxEntries: config.rateLimit.maxEntries,
    key: (c) => {
      const viewer = c.get('claims') ?? c.get('capability')!;
      return `${viewer.iss}\n${viewer.sub}`;
    },
    message: 'too many sessions for this viewer',
    now,
  });
  const validToken = viewToken({ token: config.token, now });
  const tokenEvenExpired = viewToken({ token: config.token, now, allowExpired: true });

  const cookieAttributes = (path: string): CookieAttributes => ({
    path,
    domain: config.cookie.domain,
    secure: config.cookie.secure,
  });

  // The three Set-Cookie strings of a cached signature, built once: the signer hands back the
  // same values object on every cache hit, and a resource has exactly one cookie path.
  const cookiesOfValues = new WeakMap<SignedCookieValues, { path: string; cookies: string[] }>();
  const sessionCookies = (values: SignedCookieValues, path: string): string[] => {
    const known = cookiesOfValues.get(values);
    if (known && known.path === path) return known.cookies;
    const cookies = cookieStrings(values, cookieAttributes(path));
    cookiesOfValues.set(values, { path, cookies });
    return cookies;
  };

  const api = new Hono<AppEnv>();

  // The mode is read before the token (a malformed body is a 400 whatever the token), after the
  // per-address limit, so that malformed requests count against it as any other.
  const readMode = sessionMode();
  const playlists = playlistRoutes({
    config,
    signer,
    activeKeyPair,
    now,
    openTtl: () => Math.min(RUNTIME_TTL_RANGE[1], Math.max(RUNTIME_TTL_RANGE[0], cookieTtl())),
  });

  api.post('/session', limitBody, perAddress, readMode, playlists.requireEnabled, validToken, perViewer, (c) => {
    if (c.get('mode') === 'playlist') return playlists.session(c);
    const nowSeconds = Math.floor(now() / 1000);
    const resource = c.get('resource')!;
    const ttl = Math.round(Math.min(RUNTIME_TTL_RANGE[1], Math.max(RUNTIME_TTL_RANGE[0], cookieTtl())));
    const { expiresAt, refreshIn } = sessionTiming(nowSeconds, ttl, random);
    const values = signer.sign(activeKeyPair, resource.res, expiresAt, nowSeconds);
    const body: SessionResponse = { resource: `${resource.res}*`, expiresAt, refreshIn, serverTime: nowSeconds };
    if (c.get('mode') === 'query') {
      body.query = signedQueryString(values);
    } else {
      for (const cookie of sessionCookies(values, cookiePathOf(resource.res))) {
        c.header('Set-Cookie', cookie, { append: true });
      }
    }
    c.header('Cache-Control', 'no-store');
    return c.json(body, 200);
  });

  api.delete('/session', limitBody, perAddress, tokenEvenExpired, (c) => {
    for (const cookie of clearingCookieStrings(cookieAttributes(cookiePathOf(c.get('resource')!.res)))) {
      c.header('Set-Cookie', cookie, { append: true });
    }
    c.header('Cache-Control', 'no-store');
    return c.body(null, 204);
  });

  api.get('/playlist/*', perAddress, playlists.requireEnabled, playlists.capability, perViewer, (c) => playlists.serve(c));

  api.get('/healthz', (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ status: 'ok' });
  });

  api.all('/session', () => {
    throw new ApiError(405, 'method_not_allowed', 'use POST or DELETE', { Allow: 'POST, DELETE' });
  });
  api.all('/playlist/*', () => {
    throw new ApiError(405, 'method_not_allowed', 'use GET', { Allow: 'GET, HEAD' });
  });
  api.all('/healthz', () => {
    throw new ApiError(405, 'method_not_allowed', 'use GET', { Allow: 'GET' });
  });

  const app = new Hono<AppEnv>();
  // Outermost first: no Set-Cookie on an error, one log line, header size, then CORS.
  app.use(
    '*',
    noCookiesOnError(),
    requestLog({ logger }),
    headerLimit({ maxBytes: config.limits.maxHeaderBytes }),
    corsPolicy({ origins: [...origins] }),
  );
  app.route('/', api);
  app.route(AUTH_PATH_PREFIX, api);
  app.notFound(notFound);
  app.onError(errorHandler({ logger }));
  return app;
}
