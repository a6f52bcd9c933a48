/**
 * Sources staged to S3, so that a recording added on one machine can be processed on any other:
 * `add` uploads the file under `incoming/` (multipart, resumable: the upload id and the parts
 * done are kept in a small state file, so a second `add` after a broken one sends only the
 * missing parts), the worker that leases the recording downloads it (resuming with `Range`), and
 * it is deleted once the recording is published.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { INCOMING_PREFIX } from '../common/contracts.ts';
import { IngestError } from './errors.ts';
import { hashFile, listRemote, partSizeFor, runPool, sameContent } from './upload.ts';

export { INCOMING_PREFIX };

/** Identity of a local source: the same file (path, size, mtime), course and title is the same recording. */
export async function fileSourceKey(file: string, course: string, title: string): Promise<{ path: string; key: string; mtime: Date }> {
  const path = resolve(file);
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new IngestError('input_unreadable', `cannot read ${path}: ${(error as Error).message}`, { fatal: true });
  }
  if (!info.isFile()) throw new IngestError('input_unreadable', `${path} is not a file`, { fatal: true });
  const key = createHash('sha256').update(JSON.stringify([path, info.size, info.mtimeMs, course, title])).digest('base64url');
  return { path, key: `file:${key}`, mtime: info.mtime };
}

/** Whether `source` on this machine is the very file the recording was added from. */
export async function isLocalSource(recording: { source: string; sourceKey: string; course: string; title: string }): Promise<boolean> {
  try {
    return (await fileSourceKey(recording.source, recording.course, recording.title)).key === recording.sourceKey;
  } catch {
    return false;
  }
}

/** The staged object's key for a source: `incoming/<source key hash><ext>`. Pure. */
export function stagedKeyFor(sourceKey: string, file: string): string {
  const ext = extname(file).toLowerCase().replace(/[^.a-z0-9]/g, '');
  return `${INCOMING_PREFIX}${createHash('sha256').update(sourceKey).digest('base64url').slice(0, 32)}${ext}`;
}

interface StagingState {
  key: string;
  size: number;
  mtimeMs: number;
  partSize: number;
  uploadId: string;
  parts: Array<{ PartNumber: number; ETag: string }>;
}

export interface StageOptions {
  client: S3Client;
  bucket: string;
  file: string;
  key: string;
  /** Where the resume state of unfinished uploads is kept. */
  stateDir: string;
  /** Default partSizeFor(size); at least 5 MiB (S3's minimum). */
  partSize?: number;
  concurrency?: number;
  signal?: AbortSignal;
  onPart?: (part: { partNumber: number; parts: number; resumed: boolean }) => void;
}

async function readState(path: string): Promise<StagingState | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as StagingState;
  } catch {
    return null;
  }
}

async function readRange(file: string, start: number, length: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, start);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

const md5Base64 = (b: Buffer) => createHash('md5').update(b).digest('base64');

/**
 * Uploads `file` to `key` unless S3 already holds exactly these bytes; resumes an upload that a
 * previous call left unfinished. Returns whether bytes were sent.
 */
export async function stageSource(options: StageOptions): Promise<{ uploaded: boolean; partsSent: number }> {
  const { client, bucket, file, key } = options;
  const info = await stat(file);
  const partSize = Math.max(5 * 1024 * 1024, options.partSize ?? partSizeFor(info.size));
  const local = { key, path: file, size: info.size, ...(await hashFile(file, partSize)) };
  const fail = (error: unknown): never => {
    if (options.signal?.aborted) throw new IngestError('aborted', 'staging cancelled', { cause: error });
    throw new IngestError('upload_failed', `staging ${file} to s3://${bucket}/${key} failed: ${(error as Error).message}`, { cause: error });
  };
  try {
    if (sameContent(local, (await listRemote(client, bucket, key)).get(key))) return { uploaded: false, partsSent: 0 };
  } catch (error) {
    fail(error);
  }
  if (info.size <= partSize) {
    try {
      const body = await readFile(file);
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentMD5: md5Base64(body), ContentType: 'application/octet-stream' }), options.signal ? { abortSignal: options.signal } : {});
    } catch (error) {
      fail(error);
    }
    return { uploaded: true, partsSent: 1 };
  }

  const statePath = join(options.stateDir, `${createHash('sha256').update(`${bucket}/${key}`).digest('hex').slice(0, 32)}.json`);
  await mkdir(options.stateDir, { recursive: true });
  let state = await readState(statePath);
  if (!state || state.key !== key || state.size !== info.size || state.mtimeMs !== info.mtimeMs || state.partSize !== partSize) {
    try {
      const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: 'application/octet-stream' }));
      state = { key, size: info.size, mtimeMs: info.mtimeMs, partSize, uploadId: created.UploadId!, parts: [] };
    } catch (error) {
      fail(error);
    }
    await writeFile(statePath, JSON.stringify(state));
  }
  const current = state!;
  // Parts finish in any order: their saves are chained, each written whole and renamed into place.
  let saving = Promise.resolve();
  const save = () =>
    (saving = saving.then(async () => {
      await writeFile(`${statePath}.tmp`, JSON.stringify(current));
      await rename(`${statePath}.tmp`, statePath);
    }));
  const count = Math.ceil(info.size / partSize);
  const done = new Set(current.parts.map((p) => p.PartNumber));
  const resumed = done.size > 0;
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((n) => !done.has(n));
  let partsSent = 0;
  try {
    await runPool(missing, options.concurrency ?? 4, async (partNumber) => {
      const body = await readRange(file, (partNumber - 1) * partSize, partSize);
      const sent = await client.send(
        new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: current.uploadId, PartNumber: partNumber, Body: body, ContentMD5: md5Base64(body), ContentLength: body.length }),
        options.signal ? { abortSignal: options.signal } : {},
      );
      current.parts.push({ PartNumber: partNumber, ETag: sent.ETag! });
      partsSent++;
      await save();
      options.onPart?.({ partNumber, parts: count, resumed });
    }, options.signal);
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: current.uploadId,
        MultipartUpload: { Parts: [...current.parts].sort((a, b) => a.PartNumber - b.PartNumber) },
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchUpload') {
      // The unfinished upload was aborted or expired on S3's side: start over.
      await rm(statePath, { force: true });
      return stageSource(options);
    }
    fail(error);
  }
  await saving;
  await rm(statePath, { force: true });
  if (!sameContent(local, (await listRemote(client, bucket, key)).get(key))) {
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: current.uploadId })).catch(() => undefined);
    throw new IngestError('verify_failed', `s3://${bucket}/${key} does not hold the bytes of ${file} after staging`);
  }
  return { uploaded: true, partsSent };
}

/** Downloads a staged source to `path` (through `<path>.part`, resumed with `Range`). */
export async function fetchStaged(client: S3Client, bucket: string, key: string, path: string, signal?: AbortSignal): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  if (await stat(path).then(() => true, () => false)) return;
  const part = `${path}.part`;
  const have = await stat(part).then((s) => s.size, () => 0);
  try {
    const object = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, ...(have > 0 ? { Range: `bytes=${have}-` } : {}) }),
      signal ? { abortSignal: signal } : {},
    );
    const append = have > 0 && object.ContentRange !== undefined;
    await pipeline(object.Body as Readable, createWriteStream(part, { flags: append ? 'a' : 'w' }), signal ? { signal } : {});
  } catch (error) {
    if (signal?.aborted) throw new IngestError('aborted', 'download cancelled', { cause: error });
    const name = (error as { name?: string }).name;
    if (name === 'InvalidRange' && have > 0) return rename(part, path);
    if (name === 'NoSuchKey') {
      throw new IngestError('download_expired', `the staged source s3://${bucket}/${key} is gone (deleted after a publish, or never staged)`, { fatal: true, cause: error });
    }
    throw new IngestError('download_failed', `cannot download s3://${bucket}/${key}: ${(error as Error).message}`, { cause: error });
  }
  await rename(part, path);
}

/** Removes a staged source once its recording is published. */
export async function deleteStaged(client: S3Client, bucket: string, key: string): Promise<void> {
  await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}
