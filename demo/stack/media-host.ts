/**
 * The CloudFront stand-in, which is the media host of the local stack:
 * - `GET|HEAD /<prefix>/<dir>/…` from the S3 origin, only with a valid signed URL (query mode,
 *   signed-url-check.ts) or, when the URL is not a signed one, valid signed cookies (cookie-check.ts),
 *   Range included; the signing parameters never reach the origin; else CloudFront's AccessDenied XML — also for an object
 *   that does not exist, as CloudFront answers behind origin access control without s3:ListBucket;
 * - `/_auth/*` proxied (full path; of the query only `cap`) to the auth server as the `/_auth/*`
 *   behaviour of the real distribution does (common/delivery.ts): the viewer-request function moves the token out of
 *   `Authorization`, which origin access control then fills with its own signature, and only the
 *   origin request policy's headers go on; a JSON 502/503 when the server is down;
 * - the dev-only `/_dev/*` routes (given as hooks by the stack);
 * - `/_open/<prefix>/…` without any check, only when asked (the player benchmark's baseline).
 * CORS with credentials for the allowed origins on every answer, 403s and preflights included,
 * with the response-headers policy's lists (common/delivery.ts).
 *
 * Plain node:http: the cookie check needs the raw request path, before any URL normalisation.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { KeyObject } from 'node:crypto';
import type { DevVideo } from '../../common/contracts.ts';
import { AUTH_ROUTE, MEDIA_CORS, authViewerRequest, isAuthPath, type ViewerRequestEvent } from '../../common/delivery.ts';
import { type Logger, createLogger } from '../../common/log.ts';
import { checkSignedRequest } from './signed-url-check.ts';
import { decideRange } from './http-range.ts';

export const ACCESS_DENIED_XML =
  '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access denied</Message></Error>';

/** The path of the unprotected copy of the media (`/_open/lectures/…`). */
export const OPEN_PATH_PREFIX = '/_open';

/** What the stack lends the media host for `/_dev/*`. */
export interface DevHooks {
  videos(): Promise<DevVideo[]>;
  mintToken(request: { res: string; ttl?: number; sub?: string; wm?: string }): string;
  cookieTtl(): number;
  setCookieTtl(seconds: number): void;
  /** Whether the sample lectures are ready (`GET /_dev/ready` answers 503 until then). */
  readiness(): { ready: boolean; message: string };
}

export interface MediaHostOptions {
  s3: S3Client;
  bucket: string;
  /** S3 key prefix and URL path prefix, `lectures`. */
  prefix: string;
  /** The trusted key group: key pair id → public key (two during a key rotation). */
  publicKeys: Record<string, KeyObject | string>;
  /** Origins allowed with credentials, besides the media host's own. */
  allowedOrigins: string[];
  /** The auth server's base URL (`http://127.0.0.1:8788`); may be set later with `setAuthTarget`. */
  authTarget?: string;
  dev?: DevHooks;
  /** Serve `/_open/<prefix>/…` without checks (benchmark baseline only). */
  unprotectedPrefix?: boolean;
  /**
   * Answer refused media requests (CloudFront's own 403) without CORS headers, as a distribution
   * whose response-headers policy does not cover its own errors does: the page's script then sees
   * status 0, not 403. Also `POST /_dev/denied-cors {"cors": false}` at run time. Default false.
   */
  deniedWithoutCors?: boolean;
  port?: number;
  logger?: Logger;
  /** Epoch milliseconds. */
  now?: () => number;
}

export interface MediaHost {
  /** `http://localhost:<port>`. */
  url: string;
  port: number;
  setAuthTarget(url: string): void;
  /** Replaces the trusted key group (a key rotation: add the new key, later drop the old one). */
  setTrustedKeys(publicKeys: Record<string, KeyObject | string>): void;
  /** Adds an origin allowed with credentials (the demo page's, once its port is known). */
  allowOrigin(origin: string): void;
  /** `/_auth/*` answers 503 for `seconds` from now (0 ends an outage). */
  authOutage(seconds: number): void;
  /** Seconds left of the current outage, 0 when none. */
  authOutageRemaining(): number;
  /** See `MediaHostOptions.deniedWithoutCors`. */
  setDeniedWithoutCors(enabled: boolean): void;
  stop(): Promise<void>;
}

const MEDIA_REQUEST_HEADERS: readonly string[] = MEDIA_CORS.allowHeaders;
const DEV_REQUEST_HEADERS = ['content-type'];
const EXPOSED_HEADERS = MEDIA_CORS.exposeHeaders.join(', ');
/** Besides the origin request policy's headers: the body's framing (X-Forwarded-For is added below). */
const AUTH_ALWAYS_FORWARDED = ['content-length'];
/** What origin access control puts in `Authorization` instead of the viewer's (a stand-in signature). */
const OAC_AUTHORIZATION = 'AWS4-HMAC-SHA256 Credential=LOCALSTANDIN/00000000/local/lambda/aws4_request, SignedHeaders=host, Signature=0';
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
const MAX_DEV_BODY = 16 * 1024;
/** Longest view token `/_dev/token` mints (the stack's auth server accepts up to this). */
export const MAX_DEV_TOKEN_TTL = 24 * 3600;
const AUTH_TIMEOUT_MS = 10_000;

class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The path and query the auth server receives: the path as it came, and of the query only the
 * parameters the origin request policy forwards (`AUTH_ROUTE.forwardedQueryStrings`), in their order.
 */
export function authOriginPath(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const kept = url
    .slice(q + 1)
    .split('&')
    .filter((part) => (AUTH_ROUTE.forwardedQueryStrings as readonly string[]).includes(part.slice(0, part.indexOf('=') < 0 ? part.length : part.indexOf('='))));
  return kept.length > 0 ? `${url.slice(0, q)}?${kept.join('&')}` : url.slice(0, q);
}

export async function startMediaHost(options: MediaHostOptions): Promise<MediaHost> {
  const logger = options.logger ?? createLogger({ name: 'media-host' });
  const now = options.now ?? Date.now;
  const origins = new Set(options.allowedOrigins);
  let authTarget = options.authTarget ? new URL(options.authTarget) : undefined;
  let trustedKeys = options.publicKeys;
  let outageUntil = 0;
  let deniedWithoutCors = options.deniedWithoutCors ?? false;
  const prefixPath = `/${options.prefix}/`;

  const corsHeaders = (req: IncomingMessage): Record<string, string> => {
    const origin = req.headers.origin;
    if (!origin || !origins.has(origin)) return { Vary: 'Origin' };
    return {
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Expose-Headers': EXPOSED_HEADERS,
      Vary: 'Origin',
    };
  };

  const preflight = (req: IncomingMessage, res: ServerResponse, methods: string, allowedHeaders: readonly string[]) => {
    const cors = corsHeaders(req);
    if (cors['Access-Control-Allow-Origin']) {
      const asked = String(req.headers['access-control-request-headers'] ?? '')
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter((h) => allowedHeaders.includes(h));
      cors['Access-Control-Allow-Methods'] = methods;
      if (asked.length > 0) cors['Access-Control-Allow-Headers'] = asked.join(', ');
      cors['Access-Control-Max-Age'] = String(MEDIA_CORS.maxAgeSeconds);
    }
    res.writeHead(204, cors).end();
  };

  const send = (req: IncomingMessage, res: ServerResponse, status: number, headers: Record<string, string>, body = '') => {
    res.writeHead(status, { ...corsHeaders(req), ...headers, 'Content-Length': String(Buffer.byteLength(body)) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const sendJson = (req: IncomingMessage, res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) =>
    send(req, res, status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers }, JSON.stringify(value));
  const jsonError = (req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string, headers = {}) =>
    sendJson(req, res, status, { error: { code, message } }, headers);
  const denied = (req: IncomingMessage, res: ServerResponse, reason: string) => {
    res.setHeader('X-Hlsgate-Denied', reason);
    if (deniedWithoutCors && req.method !== 'OPTIONS') {
      const body = req.method === 'HEAD' ? undefined : ACCESS_DENIED_XML;
      res.writeHead(403, { 'Content-Type': 'text/xml', 'Content-Length': String(Buffer.byteLength(ACCESS_DENIED_XML)) }).end(body);
      return;
    }
    send(req, res, 403, { 'Content-Type': 'text/xml' }, ACCESS_DENIED_XML);
  };

  /** `lectures/<dir>/…` from the raw path after `/`, or null for anything that could escape it. */
  const objectKey = (rawPath: string): string | null => {
    const segments = rawPath.split('/').slice(1);
    const decoded: string[] = [];
    for (const segment of segments) {
      let value: string;
      try {
        value = decodeURIComponent(segment);
      } catch {
        return null;
      }
      if (value === '' || value === '.' || value === '..' || /[/\\\0]/.test(value)) return null;
      decoded.push(value);
    }
    return decoded.length >= 3 ? decoded.join('/') : null;
  };

  const serveObject = async (req: IncomingMessage, res: ServerResponse, key: string) => {
    let head;
    try {
      head = await options.s3.send(new HeadObjectCommand({ Bucket: options.bucket, Key: key }));
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      // Without s3:ListBucket S3 answers a missing key with 403, and CloudFront passes it on.
      if (status === 404 || status === 403) return denied(req, res, 'no_such_key');
      throw error;
    }
    const size = head.ContentLength ?? 0;
    const headers: Record<string, string> = { ...corsHeaders(req), 'Accept-Ranges': 'bytes' };
    if (head.ContentType) headers['Content-Type'] = head.ContentType;
    if (head.CacheControl) headers['Cache-Control'] = head.CacheControl;
    if (head.ETag) headers.ETag = head.ETag;
    if (head.LastModified) headers['Last-Modified'] = head.LastModified.toUTCString();
    const ifNoneMatch = req.headers['if-none-match'];
    if (head.ETag && ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim() === head.ETag || t.trim() === '*')) {
      delete headers['Content-Type'];
      res.writeHead(304, headers).end();
      return;
    }
    const ifRange = req.headers['if-range'];
    const rangeHeader = ifRange && ifRange !== head.ETag ? undefined : req.headers.range;
    const range = decideRange(rangeHeader, size);
    if (range.kind === 'unsatisfiable') {
      headers['Content-Range'] = `bytes */${size}`;
      delete headers['Cache-Control'];
      return send(req, res, 416, { ...headers, 'Content-Type': 'application/xml' }, '');
    }
    const status = range.kind === 'partial' ? 206 : 200;
    const length = range.kind === 'partial' ? range.end - range.start + 1 : size;
    headers['Content-Length'] = String(length);
    if (range.kind === 'partial') headers['Content-Range'] = `bytes ${range.start}-${range.end}/${size}`;
    if (req.method === 'HEAD' || length === 0) {
      res.writeHead(status, headers).end();
      return;
    }
    const object = await options.s3.send(
      new GetObjectCommand({
        Bucket: options.bucket,
        Key: key,
        Range: range.kind === 'partial' ? `bytes=${range.start}-${range.end}` : undefined,
      }),
    );
    res.writeHead(status, headers);
    await new Promise<void>((resolve) => {
      pipeline(object.Body as Readable, res, (error) => {
        if (error && !res.destroyed) res.destroy(error);
        resolve();
      });
    });
  };

  const readJson = (req: IncomingMessage): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let length = 0;
      req.on('data', (chunk: Buffer) => {
        length += chunk.length;
        if (length > MAX_DEV_BODY) {
          reject(new BodyError(413, `the body is larger than ${MAX_DEV_BODY} bytes`));
          req.resume();
          return;
        }
        chunks.push(chunk);
      });
      req.on('error', reject);
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (text.trim() === '') return resolve({});
        try {
          const value: unknown = JSON.parse(text);
          if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
          resolve(value as Record<string, unknown>);
        } catch {
          reject(new BodyError(400, 'the body must be a JSON object'));
        }
      });
    });

  const integerField = (body: Record<string, unknown>, name: string, min: number, max: number, required: boolean) => {
    const value = body[name];
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new BodyError(400, `"${name}" must be an integer from ${min} to ${max}`);
    }
    return value;
  };
  const stringField = (body: Record<string, unknown>, name: string, max: number, required: boolean) => {
    const value = body[name];
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'string' || value === '' || value.length > max) {
      throw new BodyError(400, `"${name}" must be a non-empty string of at most ${max} characters`);
    }
    return value;
  };

  const handleDev = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    const dev = options.dev;
    if (!dev) return denied(req, res, 'no_dev_routes');
    if (req.method === 'OPTIONS') return preflight(req, res, 'GET, POST, OPTIONS', DEV_REQUEST_HEADERS);
    const route = `${req.method} ${path}`;
    try {
      switch (route) {
        case 'GET /_dev/videos':
          return sendJson(req, res, 200, await dev.videos());
        case 'GET /_dev/ready': {
          const readiness = dev.readiness();
          return sendJson(req, res, readiness.ready ? 200 : 503, readiness);
        }
        case 'GET /_dev/status':
          return sendJson(req, res, 200, {
            cookieTtl: dev.cookieTtl(),
            authOutageSeconds: remaining(),
            deniedWithoutCors,
            ...dev.readiness(),
          });
        case 'POST /_dev/token': {
          const body = await readJson(req);
          const token = dev.mintToken({
            res: stringField(body, 'res', 2048, true)!,
            ttl: integerField(body, 'ttl', 1, MAX_DEV_TOKEN_TTL, false),
            sub: stringField(body, 'sub', 256, false),
            wm: stringField(body, 'wm', 256, false),
          });
          return sendJson(req, res, 200, { token });
        }
        case 'POST /_dev/cookie-ttl': {
          const seconds = integerField(await readJson(req), 'seconds', 1, 7 * 24 * 3600, true)!;
          dev.setCookieTtl(seconds);
          return sendJson(req, res, 200, { seconds: dev.cookieTtl() });
        }
        case 'POST /_dev/denied-cors': {
          const cors = (await readJson(req)).cors;
          if (typeof cors !== 'boolean') throw new BodyError(400, '"cors" must be true or false');
          deniedWithoutCors = !cors;
          return sendJson(req, res, 200, { cors });
        }
        case 'POST /_dev/auth-outage': {
          const seconds = integerField(await readJson(req), 'seconds', 0, 3600, true)!;
          outage(seconds);
          return sendJson(req, res, 200, { seconds: remaining() });
        }
        default:
          return jsonError(req, res, 404, 'not_found', `no dev route ${route}`);
      }
    } catch (error) {
      if (error instanceof BodyError) {
        return jsonError(req, res, error.status, error.status === 413 ? 'payload_too_large' : 'bad_request', error.message);
      }
      // The stack's hooks refuse values they cannot take (a cookie TTL below the server's minimum).
      if (error instanceof RangeError) return jsonError(req, res, 400, 'bad_request', error.message);
      throw error;
    }
  };

  const proxyAuth = (req: IncomingMessage, res: ServerResponse, clientIp: string) => {
    if (now() < outageUntil) {
      req.resume();
      return jsonError(req, res, 503, 'internal', 'The auth server is down (dev outage).', {
        'Retry-After': String(remaining()),
      });
    }
    if (!authTarget) {
      req.resume();
      return jsonError(req, res, 503, 'internal', 'The auth server is not running yet.');
    }
    // The viewer-request function, as the distribution runs it.
    const viewer: ViewerRequestEvent['request']['headers'] = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) viewer[name] = { value: Array.isArray(value) ? value.join(', ') : value };
    }
    const request = authViewerRequest({ request: { method: req.method ?? 'GET', headers: viewer } });
    request.headers['cloudfront-viewer-address'] = { value: `${clientIp}:${req.socket.remotePort ?? 0}` };
    // Only what the origin request policy names (and CloudFront's own) reaches the auth server.
    const headers: Record<string, string> = {};
    for (const name of [...AUTH_ROUTE.forwardedHeaders, ...AUTH_ALWAYS_FORWARDED]) {
      const value = request.headers[name]?.value;
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    headers.authorization = OAC_AUTHORIZATION;
    headers.host = authTarget.host;
    const forwarded = req.headers['x-forwarded-for'];
    headers['x-forwarded-for'] = forwarded ? `${forwarded}, ${clientIp}` : clientIp;
    headers['x-forwarded-proto'] = 'http';
    const upstream = httpRequest({
      host: authTarget.hostname,
      port: authTarget.port,
      method: req.method,
      path: authOriginPath(req.url ?? '/'),
      headers,
      timeout: AUTH_TIMEOUT_MS,
    });
    upstream.on('response', (answer) => {
      const raw: string[] = [];
      for (let i = 0; i < answer.rawHeaders.length; i += 2) {
        if (!HOP_BY_HOP.has(answer.rawHeaders[i]!.toLowerCase())) raw.push(answer.rawHeaders[i]!, answer.rawHeaders[i + 1]!);
      }
      res.writeHead(answer.statusCode ?? 502, raw);
      pipeline(answer, res, () => undefined);
    });
    upstream.on('timeout', () => upstream.destroy(new Error('timeout')));
    upstream.on('error', (error) => {
      logger.warn('auth server unreachable', { error });
      if (!res.headersSent) jsonError(req, res, 502, 'internal', 'The auth server is unreachable.');
      else res.destroy();
    });
    pipeline(req, upstream, () => undefined);
  };

  const remaining = () => Math.max(0, Math.ceil((outageUntil - now()) / 1000));
  const outage = (seconds: number) => {
    outageUntil = seconds > 0 ? now() + seconds * 1000 : 0;
    logger.info('auth outage', { seconds });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const clientIp = req.socket.remoteAddress ?? '';
    const method = req.method ?? 'GET';

    if (isAuthPath(path)) return proxyAuth(req, res, clientIp);
    if (path === '/_dev' || path.startsWith('/_dev/')) return handleDev(req, res, path);

    const open = options.unprotectedPrefix === true && path.startsWith(`${OPEN_PATH_PREFIX}${prefixPath}`);
    if (method === 'OPTIONS') return preflight(req, res, MEDIA_CORS.allowMethods.join(', '), MEDIA_REQUEST_HEADERS);
    if (method !== 'GET' && method !== 'HEAD') return denied(req, res, 'method_not_allowed');
    const key = open
      ? objectKey(path.slice(OPEN_PATH_PREFIX.length))
      : path.startsWith(prefixPath)
        ? objectKey(path)
        : null;
    if (!open) {
      // A signed URL decides alone, else the cookies (signed-url-check.ts).
      const result = checkSignedRequest(
        { cookieHeader: req.headers.cookie, url: `http://${req.headers.host ?? ''}${rawUrl}`, clientIp },
        { publicKeys: trustedKeys, nowSeconds: Math.floor(now() / 1000) },
      );
      if (!result.ok) return denied(req, res, result.reason);
    }
    if (key === null) return denied(req, res, 'bad_path');
    return serveObject(req, res, key);
  };

  const server: Server = createServer((req, res) => {
    const started = performance.now();
    res.on('finish', () => {
      const fields = {
        method: req.method,
        path: (req.url ?? '').split('?')[0],
        status: res.statusCode,
        denied: res.getHeader('X-Hlsgate-Denied'),
        ms: Math.round(performance.now() - started),
      };
      // Readiness polls (Playwright's webServer) are not news.
      if (res.statusCode >= 400 && fields.path !== '/_dev/ready') logger.info('request', fields);
      else logger.debug('request', fields);
    });
    handle(req, res).catch((error: unknown) => {
      logger.error('request failed', { error, path: (req.url ?? '').split('?')[0] });
      if (!res.headersSent) send(req, res, 502, { 'Content-Type': 'text/plain' }, 'Bad gateway: the S3 origin failed.\n');
      else res.destroy();
    });
  });
  // Keep-alive sockets must not hold stop() up.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://localhost:${port}`;
  origins.add(url);
  origins.add(`http://127.0.0.1:${port}`);
  let stopped: Promise<void> | undefined;
  return {
    url,
    port,
    setAuthTarget(target) {
      authTarget = new URL(target);
    },
    setTrustedKeys(publicKeys) {
      trustedKeys = publicKeys;
    },
    allowOrigin(origin) {
      origins.add(origin);
    },
    authOutage: outage,
    authOutageRemaining: remaining,
    setDeniedWithoutCors: (enabled) => {
      deniedWithoutCors = enabled;
    },
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}
