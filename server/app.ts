/**
 * The session service: a view token in, three CloudFront cookies for one video out.
 *
 *   POST   /session   Authorization: Bearer <view token>  → 200 SessionResponse + 3 Set-Cookie
 *   DELETE /session   same header (an expired token will do) → 204 + 3 clearing Set-Cookie
 *   GET    /healthz   → 200
 *
 * Every route answers at the root and under `/_auth` (CloudFront forwards the full path). Errors
 * are `{"error":{"code","message"}}` and never carry a Set-Cookie. The app holds no session
 * state: only a signature cache and rate-limit buckets, both bounded.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AUTH_PATH_PREFIX, type ErrorBody, type ErrorCode, type SessionResponse, type ViewTokenClaims } from '../common/contracts.ts';
import { createLogger, type Logger } from '../common/log.ts';
import type { ServerConfig } from './config.ts';
import { createCookieSigner, sessionTiming } from './cookie-session.ts';
import { clearingCookieStrings, cookieStrings, type CookieAttributes, type SignedCookieValues } from './policy.ts';
import { createRateLimiter } from './rate-limit.ts';
import {
  TokenError,
  compileVerifyOptions,
  verifyViewTokenWithResource,
  type CheckedResource,
} from './token.ts';

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

const TOKEN_ERROR_STATUS: Record<TokenError['code'], ContentfulStatusCode> = {
  bad_request: 400,
  token_invalid: 401,
  token_expired: 401,
  resource_forbidden: 403,
};

/** An HTTP failure as data: status, code, message; rendered by the one app.onError. */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(status, { message });
    this.name = 'ApiError';
  }
}

type Env = {
  Variables: { sub?: string; dir?: string; errorCode?: ErrorCode };
};

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

export function createApp(config: ServerConfig, options: AppOptions = {}): Hono<Env> {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const logger = options.logger ?? createLogger({ name: 'hlsgate-server' });
  const cookieTtl = options.cookieTtl ?? (() => config.cookie.ttlSeconds);
  // Fail at start, not mid-request.
  compileVerifyOptions(config.token);
  const activeKeyPair = config.keyPairs.find((k) => k.keyPairId === config.activeKeyPairId);
  if (!activeKeyPair) throw new Error(`activeKeyPairId "${config.activeKeyPairId}" is not among the key pairs`);
  const signer = createCookieSigner({ cacheSize: config.signatureCacheSize });
  const perAddress = createRateLimiter({ perMinute: config.rateLimit.perAddressPerMinute, maxEntries: config.rateLimit.maxEntries });
  const perSub = createRateLimiter({ perMinute: config.rateLimit.perSubPerMinute, maxEntries: config.rateLimit.maxEntries });
  const allowedOrigins = new Set(config.allowedOrigins);
  // Pages on the media host itself call same-origin; browsers still send Origin on POST.
  for (const base of config.token.mediaBaseUrls) allowedOrigins.add(new URL(base).origin);

  const app = new Hono<Env>();

  // 1. One log line per request; and whatever happened inside, no Set-Cookie on an error.
  const requestLog: MiddlewareHandler<Env> = async (c, next) => {
    const started = performance.now();
    await next();
    if (c.res.status >= 400) c.res.headers.delete('set-cookie');
    logger.info('request', {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 100) / 100,
      sub: c.get('sub'),
      dir: c.get('dir'),
      code: c.get('errorCode'),
    });
  };

  // 2. Header size, before anything reads them.
  const headerLimit: MiddlewareHandler<Env> = async (c, next) => {
    let bytes = 0;
    // On Node the raw name/value list is at hand; iterating `headers` there would first build a
    // full Headers object (measured: ≈ 10 µs a request).
    const rawHeaders = (c.env as { incoming?: { rawHeaders?: string[] } } | undefined)?.incoming?.rawHeaders;
    if (rawHeaders) {
      for (let i = 0; i < rawHeaders.length; i++) bytes += rawHeaders[i]!.length + 2;
    } else {
      c.req.raw.headers.forEach((value, name) => {
        bytes += name.length + value.length + 4;
      });
    }
    if (bytes > config.limits.maxHeaderBytes) {
      throw new ApiError(431, 'payload_too_large', `request headers exceed ${config.limits.maxHeaderBytes} bytes`);
    }
    await next();
  };

  // 3. CORS: only the allowlist, with credentials; other origins are refused outright.
  const cors: MiddlewareHandler<Env> = async (c, next) => {
    const origin = c.req.header('origin');
    if (origin !== undefined && !allowedOrigins.has(origin)) {
      throw new ApiError(403, 'origin_forbidden', 'this origin may not call the auth server');
    }
    if (c.req.method === 'OPTIONS') {
      const headers: Record<string, string> = { Vary: 'Origin', 'Cache-Control': 'no-store' };
      if (origin !== undefined) {
        Object.assign(headers, {
          'Access-Control-Allow-Origin': origin,
          'Access-Control-Allow-Credentials': 'true',
          'Access-Control-Allow-Methods': 'GET, POST, DELETE',
          'Access-Control-Allow-Headers': 'Authorization, Content-Type',
          'Access-Control-Max-Age': '600',
        });
      }
      return c.body(null, 204, headers);
    }
    await next();
    c.res.headers.append('Vary', 'Origin');
    if (origin !== undefined) {
      c.res.headers.set('Access-Control-Allow-Origin', origin);
      c.res.headers.set('Access-Control-Allow-Credentials', 'true');
    }
  };

  app.use('*', requestLog, headerLimit, cors);

  // No route reads a body, so it is only measured: by Content-Length when given, else by counting
  // the stream (and dropping it). Over Node's HTTP a request with neither Content-Length nor
  // Transfer-Encoding has no body (RFC 9112 §6.3) and is left alone: touching `c.req.raw.body`
  // would build a web stream and a full Request for nothing (a large share of the endpoint's CPU).
  const tooLarge = () => new ApiError(413, 'payload_too_large', `request body exceeds ${config.limits.maxBodyBytes} bytes`);
  const limitBody: MiddlewareHandler<Env> = async (c, next) => {
    const length = c.req.header('content-length');
    if (c.req.header('transfer-encoding') === undefined) {
      if (length !== undefined) {
        if (!(Number(length) <= config.limits.maxBodyBytes)) throw tooLarge();
        return next();
      }
      if ((c.env as { incoming?: unknown } | undefined)?.incoming) return next();
    }
    const body = c.req.raw.body;
    if (body) {
      let size = 0;
      for await (const chunk of body) {
        size += (chunk as Uint8Array).byteLength;
        if (size > config.limits.maxBodyBytes) throw tooLarge();
      }
    }
    return next();
  };

  const bearerToken = (c: Context<Env>): string => {
    const header = c.req.header('authorization');
    const match = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header);
    if (!match) throw new ApiError(400, 'bad_request', 'an Authorization: Bearer <view token> header is required');
    return match[1]!;
  };

  const limitAddress = (c: Context<Env>, nowMs: number) => {
    const decision = perAddress.take(clientAddress(c, config.clientAddressHeader), nowMs);
    if (!decision.ok) {
      throw new ApiError(429, 'rate_limited', 'too many requests from this address', {
        'Retry-After': String(decision.retryAfterSeconds),
      });
    }
  };

  /** The token's claims and its checked `res` (checkResource runs once, inside verification). */
  const verified = (c: Context<Env>, token: string, nowSeconds: number, allowExpired: boolean): { claims: ViewTokenClaims; resource: CheckedResource } => {
    try {
      const result = verifyViewTokenWithResource(token, config.token, nowSeconds, allowExpired);
      c.set('sub', result.claims.sub);
      return result;
    } catch (error) {
      if (error instanceof TokenError) throw new ApiError(TOKEN_ERROR_STATUS[error.code], error.code, error.message);
      throw error;
    }
  };

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

  const api = new Hono<Env>();

  api.post('/session', limitBody, (c) => {
    const nowMs = now();
    const nowSeconds = Math.floor(nowMs / 1000);
    limitAddress(c, nowMs);
    const { claims, resource } = verified(c, bearerToken(c), nowSeconds, false);
    c.set('dir', resource.dir);
    const decision = perSub.take(`${claims.iss}\n${claims.sub}`, nowMs);
    if (!decision.ok) {
      throw new ApiError(429, 'rate_limited', 'too many sessions for this viewer', {
        'Retry-After': String(decision.retryAfterSeconds),
      });
    }
    const ttl = Math.round(Math.min(RUNTIME_TTL_RANGE[1], Math.max(RUNTIME_TTL_RANGE[0], cookieTtl())));
    const { expiresAt, refreshIn } = sessionTiming(nowSeconds, ttl, random);
    const values = signer.sign(activeKeyPair, resource.res, expiresAt, nowSeconds);
    for (const cookie of sessionCookies(values, resource.path)) {
      c.header('Set-Cookie', cookie, { append: true });
    }
    c.header('Cache-Control', 'no-store');
    const body: SessionResponse = { resource: `${resource.res}*`, expiresAt, refreshIn, serverTime: nowSeconds };
    return c.json(body, 200);
  });

  api.delete('/session', limitBody, (c) => {
    const nowMs = now();
    limitAddress(c, nowMs);
    const { resource } = verified(c, bearerToken(c), Math.floor(nowMs / 1000), true);
    c.set('dir', resource.dir);
    for (const cookie of clearingCookieStrings(cookieAttributes(resource.path))) {
      c.header('Set-Cookie', cookie, { append: true });
    }
    c.header('Cache-Control', 'no-store');
    return c.body(null, 204);
  });

  api.get('/healthz', (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ status: 'ok' });
  });

  api.all('/session', () => {
    throw new ApiError(405, 'method_not_allowed', 'use POST or DELETE', { Allow: 'POST, DELETE' });
  });
  api.all('/healthz', () => {
    throw new ApiError(405, 'method_not_allowed', 'use GET', { Allow: 'GET' });
  });

  app.route('/', api);
  app.route(AUTH_PATH_PREFIX, api);

  const errorResponse = (c: Context<Env>, status: ContentfulStatusCode, code: ErrorCode, message: string, headers: Record<string, string> = {}) => {
    c.set('errorCode', code);
    return c.json({ error: { code, message } } satisfies ErrorBody, status, { ...headers, 'Cache-Control': 'no-store' });
  };

  app.notFound((c) => errorResponse(c, 404, 'not_found', 'no such route'));

  app.onError((error, c) => {
    let status: ContentfulStatusCode = 500;
    let code: ErrorCode = 'internal';
    let message = 'internal error';
    let headers: Record<string, string> = {};
    if (error instanceof ApiError) {
      ({ status, code, message, headers } = error);
    } else if (error instanceof HTTPException) {
      // Hono's own (e.g. a malformed request it could not parse).
      status = error.status as ContentfulStatusCode;
      code = error.status === 413 ? 'payload_too_large' : 'bad_request';
      message = error.message || 'bad request';
    } else {
      logger.error('unexpected error', { error, method: c.req.method, path: c.req.path });
    }
    return errorResponse(c, status, code, message, headers);
  });

  return app;
}
