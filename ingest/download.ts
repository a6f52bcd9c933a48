/**
 * A streamed download to disk that resumes with `Range` after a broken connection or a restart,
 * retries by the shared policy, and checks the size. Tokens go in the Authorization header only.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { type RetryPolicy, retryDelay, sleep } from '../common/retry.ts';
import { IngestError } from './errors.ts';
import { retryAfterMs } from './zoom.ts';

export interface DownloadOptions {
  url: string;
  /** The final path; bytes arrive in `<path>.part` first. */
  path: string;
  /** Bearer token (Zoom download_token or OAuth access token); asked again on every attempt. */
  token?: () => Promise<string | null>;
  expectedSize?: number | null;
  retry?: RetryPolicy;
  signal?: AbortSignal;
  fetch?: typeof fetch;
  onBytes?: (done: number, total: number | null) => void;
}

export const DEFAULT_DOWNLOAD_RETRY: RetryPolicy = { maxRetry: 5, retryDelayMs: 1000, maxRetryDelayMs: 30_000 };

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** Statuses worth another try; 401/403/404/410 are not (an expired or missing recording). */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export async function download(options: DownloadOptions): Promise<{ bytes: number }> {
  const doFetch = options.fetch ?? fetch;
  const policy = options.retry ?? DEFAULT_DOWNLOAD_RETRY;
  const part = `${options.path}.part`;
  await mkdir(dirname(options.path), { recursive: true });
  const done = await sizeOf(options.path);
  if (done > 0 && (!options.expectedSize || done === options.expectedSize)) return { bytes: done };
  for (let attempt = 0; ; attempt++) {
    let have = await sizeOf(part);
    try {
      const headers: Record<string, string> = {};
      const token = options.token ? await options.token() : null;
      if (token) headers.authorization = `Bearer ${token}`;
      if (have > 0) headers.range = `bytes=${have}-`;
      const response = await doFetch(options.url, { headers, redirect: 'follow', ...(options.signal ? { signal: options.signal } : {}) });
      if (response.status === 416 && options.expectedSize && have === options.expectedSize) {
        await response.body?.cancel();
        break;
      }
      if (!response.ok) {
        await response.body?.cancel();
        const expired = response.status === 401 || response.status === 403 || response.status === 404 || response.status === 410;
        const error = new IngestError(
          expired ? 'download_expired' : 'download_failed',
          expired
            ? `download refused with HTTP ${response.status}: the recording is gone or its download link expired`
            : `download failed with HTTP ${response.status}`,
          { fatal: expired },
        );
        (error as { status?: number }).status = response.status;
        (error as { retryAfterMs?: number | null }).retryAfterMs = retryAfterMs(response.headers.get('retry-after'), Date.now());
        throw error;
      }
      let append = response.status === 206 && have > 0;
      if (response.status === 206) {
        const start = /^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '')?.[1];
        if (Number(start) !== have) append = false;
      }
      if (!append) have = 0;
      const length = Number(response.headers.get('content-length'));
      const total = options.expectedSize ?? (Number.isFinite(length) && length > 0 ? have + length : null);
      let received = have;
      const body = Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>);
      body.on('data', (chunk: Buffer) => {
        received += chunk.length;
        options.onBytes?.(received, total);
      });
      await pipeline(body, createWriteStream(part, { flags: append ? 'a' : 'w' }));
      const got = await sizeOf(part);
      if (options.expectedSize && got !== options.expectedSize) {
        // Too short: the connection ended early, resume. Too long: start over.
        if (got > options.expectedSize) await rm(part, { force: true });
        throw new IngestError('download_failed', `download has ${got} bytes, expected ${options.expectedSize}`);
      }
      break;
    } catch (error) {
      if (options.signal?.aborted) throw new IngestError('aborted', 'download cancelled');
      const fatal = error instanceof IngestError && (error.fatal || !retryableStatus((error as { status?: number }).status ?? 500));
      const asked = (error as { retryAfterMs?: number | null }).retryAfterMs;
      const backoff = fatal ? null : retryDelay(policy, attempt + 1);
      // A server that says when to come back (429/503 Retry-After) is believed, within reason.
      const delay = backoff !== null && asked != null ? Math.min(Math.max(asked, backoff), 10 * 60_000) : backoff;
      if (delay === null) {
        if (error instanceof IngestError) throw error;
        throw new IngestError('download_failed', `download failed: ${(error as Error).message}`, { cause: error });
      }
      await sleep(delay, options.signal);
    }
  }
  const bytes = await sizeOf(part);
  if (options.expectedSize && bytes !== options.expectedSize) {
    throw new IngestError('download_failed', `download has ${bytes} bytes, expected ${options.expectedSize}`);
  }
  if (bytes === 0) throw new IngestError('download_failed', 'download is empty', { fatal: true });
  await rename(part, options.path);
  return { bytes };
}
