/**
 * hlsgate ingest, programmatic face: `ingestFile` queues a local recording in the catalog and
 * processes it to `published` (used by the demo stack and the benchmarks).
 */
import { hostname } from 'node:os';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createLogger, type Logger } from '../common/log.ts';
import { sleep } from '../common/retry.ts';
import { type Catalog, type Recording, openCatalog } from './catalog.ts';
import type { IngestConfig } from './config.ts';
import { IngestError } from './errors.ts';
import { courseFolder } from './names.ts';
import { processRecording } from './pipeline.ts';
import type { ProgressSink } from './progress.ts';
import { createS3Client } from './s3.ts';
import { fileSourceKey, stageSource, stagedKeyFor } from './staging.ts';
import type { S3Client } from '@aws-sdk/client-s3';

export { loadIngestConfig, type IngestConfig } from './config.ts';
export { makeTestClip } from './test-clip.ts';
export { IngestError } from './errors.ts';
export { fileSourceKey } from './staging.ts';
export { SqliteCatalog, openCatalog, type Catalog, type Recording, type RecordingState } from './catalog.ts';

export interface IngestFileInput {
  file: string;
  course: string;
  title: string;
  /** When the lecture was recorded; default the file's modification time. */
  date?: Date;
  /** A WebVTT transcript to publish as subtitles. */
  subtitles?: string;
}

export interface IngestFileOptions {
  logger?: Logger;
  signal?: AbortSignal;
  onProgress?: ProgressSink;
  /** An open catalog to use instead of opening `config.catalogPath`. */
  catalog?: Catalog;
  /**
   * Also run the recording's captions step here (speech recognition, `HLSGATE_ASR`) and resolve
   * once it has settled; a step that failed before, or that a stopped worker left unfinished, is
   * queued again once. Default false: resolve as soon as the video is published.
   */
  captions?: boolean;
}

export interface IngestFileResult {
  id: string;
  dir: string;
  masterKey: string;
  repositoryPath: string;
  /** The captions step's state when this resolved (`null`: nothing to recognise). */
  captionsState: Recording['captionsState'];
}

export function workerId(): string {
  return `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
}

export interface StagingTarget {
  client: S3Client;
  bucket: string;
  /** Where unfinished staging uploads keep their resume state. */
  stateDir: string;
  signal?: AbortSignal;
}

/**
 * Queues a local recording (idempotent: the same file, course and title is one recording). With
 * `staging`, the file is first staged to S3 under `incoming/`, so that a worker on any machine can
 * process it.
 */
export async function addFile(catalog: Catalog, input: IngestFileInput, now = Date.now(), staging?: StagingTarget) {
  courseFolder(input.course);
  if (input.title.trim() === '') throw new IngestError('bad_request', 'a recording needs a title', { fatal: true });
  const source = await fileSourceKey(input.file, input.course, input.title);
  const existing = await catalog.getBySourceKey(source.key);
  if (existing) return { recording: existing, created: false };
  let stagedKey: string | null = null;
  if (staging) {
    stagedKey = stagedKeyFor(source.key, source.path);
    await stageSource({ client: staging.client, bucket: staging.bucket, file: source.path, key: stagedKey, stateDir: staging.stateDir, ...(staging.signal ? { signal: staging.signal } : {}) });
  }
  return await catalog.add(
    {
      sourceKey: source.key,
      sourceKind: 'file',
      source: source.path,
      stagedKey,
      transcriptSource: input.subtitles ? resolve(input.subtitles) : null,
      course: input.course,
      title: input.title,
      recordedAt: (input.date ?? source.mtime).toISOString(),
    },
    now,
  );
}

async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await sleep(ms, signal);
  } catch (error) {
    throw new IngestError('aborted', 'ingest cancelled', { cause: error });
  }
}

export async function ingestFile(config: IngestConfig, input: IngestFileInput, options: IngestFileOptions = {}): Promise<IngestFileResult> {
  const logger = options.logger ?? createLogger({ name: 'ingest' });
  const catalog = options.catalog ?? (await openCatalog(config));
  const s3 = createS3Client(config);
  const owner = workerId();
  try {
    let { recording } = await addFile(catalog, input);
    if (recording.state === 'failed') recording = await catalog.retry(recording.id, Date.now());
    if (recording.state === 'published' && !(recording.repositoryPath && existsSync(recording.repositoryPath))) {
      // The repository copy was removed (or the repository moved): publish it again.
      logger.warn('published recording has no repository copy; publishing again', { recording: recording.id, path: recording.repositoryPath });
      recording = await catalog.republish(recording.id, Date.now());
    }
    if (options.captions && recording.state === 'published') {
      const stopped = recording.captionsState === 'recognizing' && (recording.leaseUntil ?? 0) <= Date.now();
      if (recording.captionsState === 'failed' || stopped) recording = await catalog.queueCaptions(recording.id, Date.now());
    }
    for (;;) {
      const current = (await catalog.get(recording.id))!;
      const captionsPending = options.captions === true && (current.captionsState === 'queued' || current.captionsState === 'recognizing');
      if (current.state === 'published' && !captionsPending) {
        return { id: current.id, dir: current.dir!, masterKey: current.masterKey!, repositoryPath: current.repositoryPath!, captionsState: current.captionsState };
      }
      if (current.state === 'failed') {
        throw new IngestError((current.lastErrorCode as IngestError['code']) ?? 'transcode_failed', current.lastError ?? 'failed', { fatal: true });
      }
      const wait = (current.state === 'published' ? (current.captionsNextAt ?? 0) : current.nextAttemptAt) - Date.now();
      if (wait > 0) {
        await pause(Math.min(wait, 60_000), options.signal);
        continue;
      }
      const leased = await catalog.claim(owner, Date.now(), config.leaseSeconds * 1000, current.id);
      if (!leased) {
        // Another worker holds it (or held it and died: its lease runs out).
        await pause(250, options.signal);
        continue;
      }
      await processRecording({
        config,
        catalog,
        s3,
        logger,
        owner,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      }, leased);
    }
  } finally {
    s3.destroy();
    if (!options.catalog) await catalog.close();
  }
}
