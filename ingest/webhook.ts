/**
 * Zoom's `recording.completed` webhook: signature check (`x-zm-signature` = `v0=` + hex
 * HMAC-SHA256 of `v0:{x-zm-request-timestamp}:{raw body}`, timestamps older than 5 minutes
 * refused), the `endpoint.url_validation` challenge, and queueing with the download token.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../common/log.ts';
import type { Catalog } from './catalog.ts';
import type { CourseRule } from './course-map.ts';
import { type ZoomMeeting, queueMeeting } from './zoom.ts';

export const MAX_SKEW_SECONDS = 300;
const MAX_BODY = 1024 * 1024;

export function signWebhook(secret: string, timestamp: string, rawBody: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

/** Null when the request is authentic and fresh, else why it is not. Pure. */
export function checkSignature(
  secret: string,
  headers: { signature?: string | null; timestamp?: string | null },
  rawBody: string,
  nowSeconds: number,
): string | null {
  const { signature, timestamp } = headers;
  if (!signature || !timestamp) return 'missing x-zm-signature or x-zm-request-timestamp';
  if (!/^\d{1,13}$/.test(timestamp)) return 'bad timestamp';
  // Zoom sends seconds; accept milliseconds too.
  const ts = timestamp.length > 11 ? Math.floor(Number(timestamp) / 1000) : Number(timestamp);
  if (Math.abs(nowSeconds - ts) > MAX_SKEW_SECONDS) return 'timestamp older than 5 minutes (or in the future)';
  const expected = Buffer.from(signWebhook(secret, timestamp, rawBody));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad signature';
  return null;
}

/** The answer to `endpoint.url_validation`. */
export function urlValidationResponse(secret: string, plainToken: string): { plainToken: string; encryptedToken: string } {
  return { plainToken, encryptedToken: createHmac('sha256', secret).update(plainToken).digest('hex') };
}

export interface WebhookServerOptions {
  secret: string;
  catalog: Catalog;
  rules: readonly CourseRule[];
  recordingType: string;
  logger: Logger;
  host: string;
  port: number;
  /** Called after a recording is queued (the CLI wakes its worker). */
  onQueued?: (id: string) => void;
  now?: () => number;
}

export interface WebhookServer {
  url: string;
  stop(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(Object.assign(new Error('body too large'), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function handleWebhook(options: WebhookServerOptions) {
  const now = options.now ?? Date.now;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'GET' && path === '/healthz') return send(res, 200, { ok: true });
    if (path !== '/zoom/webhook' && path !== '/') return send(res, 404, { error: { code: 'not_found', message: 'not found' } });
    if (req.method !== 'POST') return send(res, 405, { error: { code: 'method_not_allowed', message: 'POST only' } });
    let raw: string;
    try {
      raw = await readBody(req);
    } catch (error) {
      return send(res, (error as { status?: number }).status ?? 400, { error: { code: 'bad_request', message: (error as Error).message } });
    }
    const problem = checkSignature(
      options.secret,
      { signature: req.headers['x-zm-signature'] as string | undefined, timestamp: req.headers['x-zm-request-timestamp'] as string | undefined },
      raw,
      Math.floor(now() / 1000),
    );
    if (problem) {
      options.logger.warn('webhook refused', { reason: problem });
      return send(res, 401, { error: { code: 'token_invalid', message: problem } });
    }
    let body: { event?: string; payload?: { plainToken?: string; object?: ZoomMeeting }; download_token?: string };
    try {
      body = JSON.parse(raw) as typeof body;
    } catch {
      return send(res, 400, { error: { code: 'bad_request', message: 'body is not JSON' } });
    }
    if (body.event === 'endpoint.url_validation') {
      if (!body.payload?.plainToken) return send(res, 400, { error: { code: 'bad_request', message: 'no plainToken' } });
      return send(res, 200, urlValidationResponse(options.secret, body.payload.plainToken));
    }
    if (body.event === 'recording.completed' && body.payload?.object) {
      const outcome = await queueMeeting(options.catalog, body.payload.object, {
        rules: options.rules,
        recordingType: options.recordingType,
        downloadToken: body.download_token ?? null,
        now: now(),
      });
      options.logger.info('webhook recording', { ...outcome });
      if (outcome.outcome === 'queued') options.onQueued?.(outcome.id);
      return send(res, 200, { ok: true, outcome: outcome.outcome });
    }
    options.logger.debug('webhook ignored', { event: body.event });
    return send(res, 200, { ok: true, outcome: 'ignored' });
  };
}

export async function startWebhookServer(options: WebhookServerOptions): Promise<WebhookServer> {
  const handler = handleWebhook(options);
  const server: Server = createServer((req, res) => {
    handler(req, res).catch((error: unknown) => {
      options.logger.error('webhook error', { error });
      if (!res.headersSent) send(res, 500, { error: { code: 'internal', message: 'internal error' } });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
