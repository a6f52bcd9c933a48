/** The queue worker: claims due recordings one at a time and processes them; once, or until stopped. */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '../common/log.ts';
import { sleep } from '../common/retry.ts';
import type { Catalog, Recording } from './catalog.ts';
import type { IngestConfig } from './config.ts';
import { type Outcome, processRecording } from './pipeline.ts';
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
  onFinished?: (recording: Recording, outcome: Outcome, step: 'media' | 'captions') => void;
  zoomAccessToken?: () => Promise<string>;
  fetch?: typeof fetch;
}

export interface RunQueueSummary {
  published: number;
  failed: number;
  retrying: number;
  /** Recordings another worker took over while this one worked on them. */
  lost: number;
}

export async function runQueue(options: RunQueueOptions): Promise<RunQueueSummary> {
  const summary: RunQueueSummary = { published: 0, failed: 0, retrying: 0, lost: 0 };
  const leaseMs = options.config.leaseSeconds * 1000;
  for (;;) {
    if (options.signal?.aborted) break;
    let leased;
    try {
      leased = await options.catalog.claim(options.owner, Date.now(), leaseMs);
    } catch (error) {
      // A catalog that is briefly unreachable (a PostgreSQL restart) must not end a watching worker.
      if (!options.watch) throw error;
      options.logger.error('cannot claim from the catalog; trying again', { error });
      leased = null;
    }
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
    let result;
    try {
      result = await processRecording(
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
    } catch (error) {
      if (options.signal?.aborted) break;
      throw error;
    }
    summary[result.outcome]++;
    options.onFinished?.(result.recording, result.outcome, result.step);
  }
  return summary;
}
