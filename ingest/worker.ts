/** The queue worker: claims due recordings one at a time and processes them; once, or until stopped. */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '../common/log.ts';
import { sleep } from '../common/retry.ts';
import type { Catalog, Recording } from './catalog.ts';
import type { IngestConfig } from './config.ts';
import { processRecording } from './pipeline.ts';
import type { ProgressSink } from './progress.ts';

export interface RunQueueOptions {
  config: IngestConfig;
  catalog: Catalog;
  s3: S3Client;
  logger: Logger;
  owner: string;
  /** Keep polling for new work until the signal aborts. */
  watch?: boolean;
  pollMs?: number;
  signal?: AbortSignal;
  onProgress?: ProgressSink;
  onFinished?: (recording: Recording) => void;
  zoomAccessToken?: () => Promise<string>;
  fetch?: typeof fetch;
}

export interface RunQueueSummary {
  published: number;
  failed: number;
  retrying: number;
}

export async function runQueue(options: RunQueueOptions): Promise<RunQueueSummary> {
  const summary: RunQueueSummary = { published: 0, failed: 0, retrying: 0 };
  const leaseMs = options.config.leaseSeconds * 1000;
  for (;;) {
    if (options.signal?.aborted) break;
    const leased = await options.catalog.claim(options.owner, Date.now(), leaseMs);
    if (!leased) {
      if (!options.watch) break;
      try {
        await sleep(options.pollMs ?? 5000, options.signal);
      } catch {
        break;
      }
      continue;
    }
    options.logger.info('claimed', { recording: leased.id, title: leased.title, state: leased.state, attempt: leased.attempts + 1 });
    try {
      const after = await processRecording(
        {
          config: options.config,
          catalog: options.catalog,
          s3: options.s3,
          logger: options.logger,
          owner: options.owner,
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
          ...(options.zoomAccessToken ? { zoomAccessToken: options.zoomAccessToken } : {}),
          ...(options.fetch ? { fetch: options.fetch } : {}),
        },
        leased,
      );
      if (after.state === 'published') summary.published++;
      else if (after.state === 'failed') summary.failed++;
      else summary.retrying++;
      options.onFinished?.(after);
    } catch (error) {
      if (options.signal?.aborted) break;
      throw error;
    }
  }
  return summary;
}
