/**
 * Upload a rendition folder to S3 with a pool of workers, skipping objects already there with the
 * same content (MD5 = ETag of a single PUT, or our `md5` metadata after a multipart upload), then
 * verify the listing. The master goes last, so no reader finds a master before its renditions.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { extname, join, posix, relative, sep } from 'node:path';
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { CONTENT_TYPES } from '../common/contracts.ts';
import { IngestError } from './errors.ts';

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const PLAYLIST_CACHE = 'public, max-age=60';
/** Above this size an object goes up in parts (lib-storage). */
export const MULTIPART_THRESHOLD = 32 * 1024 * 1024;

export function contentTypeFor(key: string): string {
  const type = CONTENT_TYPES[extname(key).toLowerCase()];
  if (!type) throw new IngestError('upload_failed', `no Content-Type for ${key}: refusing to upload an unknown kind of file`, { fatal: true });
  return type;
}

export function cacheControlFor(key: string): string {
  return extname(key).toLowerCase() === '.m3u8' ? PLAYLIST_CACHE : IMMUTABLE;
}

export interface LocalObject {
  key: string;
  path: string;
  size: number;
  md5: string;
}

export interface RemoteObject {
  size: number;
  etag: string;
}

async function md5File(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Every file under `dir` (hidden files and `.tmp` excluded) as an object under `keyPrefix`. */
export async function collectObjects(dir: string, keyPrefix: string): Promise<LocalObject[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const out: LocalObject[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || entry.name.startsWith('.')) continue;
    const path = join(entry.parentPath, entry.name);
    const rel = relative(dir, path).split(sep).join(posix.sep);
    out.push({ key: `${keyPrefix}${rel}`, path, size: (await stat(path)).size, md5: await md5File(path) });
  }
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

export async function listRemote(client: S3Client, bucket: string, prefix: string): Promise<Map<string, RemoteObject>> {
  const out = new Map<string, RemoteObject>();
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const item of page.Contents ?? []) {
      if (item.Key) out.set(item.Key, { size: item.Size ?? -1, etag: (item.ETag ?? '').replaceAll('"', '') });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

export interface UploadProgress {
  key: string;
  skipped: boolean;
  bytesDone: number;
  bytesTotal: number;
  objectsDone: number;
  objectsTotal: number;
}

export interface UploadOptions {
  client: S3Client;
  bucket: string;
  objects: LocalObject[];
  /** Keys of objects that go up last, after everything else is in place. */
  lastKeys?: string[];
  concurrency: number;
  /** Objects larger than this go up in parts; default MULTIPART_THRESHOLD. */
  multipartThreshold?: number;
  signal?: AbortSignal;
  onObject?: (progress: UploadProgress) => void;
}

export interface UploadResult {
  uploaded: string[];
  skipped: string[];
  bytesUploaded: number;
}

export async function alreadyThere(client: S3Client, bucket: string, object: LocalObject, remote: RemoteObject | undefined): Promise<boolean> {
  if (!remote || remote.size !== object.size) return false;
  if (remote.etag === object.md5) return true;
  if (!remote.etag.includes('-')) return false;
  const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: object.key }));
  return head.Metadata?.md5 === object.md5;
}

async function putObject(client: S3Client, bucket: string, object: LocalObject, multipartThreshold: number, signal?: AbortSignal): Promise<void> {
  const common = {
    Bucket: bucket,
    Key: object.key,
    ContentType: contentTypeFor(object.key),
    CacheControl: cacheControlFor(object.key),
    Metadata: { md5: object.md5 },
  };
  if (object.size > multipartThreshold) {
    const upload = new Upload({ client, params: { ...common, Body: createReadStream(object.path) }, queueSize: 4, partSize: Math.max(5 * 1024 * 1024, Math.ceil(object.size / 10_000)) });
    const abort = () => void upload.abort();
    signal?.addEventListener('abort', abort, { once: true });
    try {
      await upload.done();
    } finally {
      signal?.removeEventListener('abort', abort);
    }
    return;
  }
  const body = await readFile(object.path);
  await client.send(
    new PutObjectCommand({ ...common, Body: body, ContentLength: object.size, ContentMD5: Buffer.from(object.md5, 'hex').toString('base64') }),
    signal ? { abortSignal: signal } : {},
  );
}

/** Runs `work` over `items` with at most `concurrency` at a time; the first error stops new work. */
export async function runPool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  let failure: unknown = null;
  const worker = async () => {
    while (failure === null && next < items.length) {
      if (signal?.aborted) throw signal.reason;
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failure ??= error;
        throw error;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  if (failure !== null) throw failure;
  const rejected = results.find((r) => r.status === 'rejected');
  if (rejected) throw (rejected as PromiseRejectedResult).reason;
}

export async function uploadObjects(options: UploadOptions): Promise<UploadResult> {
  const { client, bucket, objects } = options;
  const last = new Set(options.lastKeys ?? []);
  const prefix = commonPrefix(objects.map((o) => o.key));
  let remote: Map<string, RemoteObject>;
  try {
    remote = await listRemote(client, bucket, prefix);
  } catch (error) {
    throw new IngestError('upload_failed', `cannot list s3://${bucket}/${prefix}: ${(error as Error).message}`, { cause: error });
  }
  const result: UploadResult = { uploaded: [], skipped: [], bytesUploaded: 0 };
  const bytesTotal = objects.reduce((s, o) => s + o.size, 0);
  let bytesDone = 0;
  let objectsDone = 0;
  const one = async (object: LocalObject) => {
    let skipped: boolean;
    try {
      skipped = await alreadyThere(client, bucket, object, remote.get(object.key));
      if (!skipped) await putObject(client, bucket, object, options.multipartThreshold ?? MULTIPART_THRESHOLD, options.signal);
    } catch (error) {
      if (error instanceof IngestError) throw error;
      if (options.signal?.aborted) throw new IngestError('aborted', 'upload cancelled');
      throw new IngestError('upload_failed', `upload of s3://${bucket}/${object.key} failed: ${(error as Error).message}`, { cause: error });
    }
    if (skipped) result.skipped.push(object.key);
    else {
      result.uploaded.push(object.key);
      result.bytesUploaded += object.size;
    }
    bytesDone += object.size;
    objectsDone++;
    options.onObject?.({ key: object.key, skipped, bytesDone, bytesTotal, objectsDone, objectsTotal: objects.length });
  };
  await runPool(objects.filter((o) => !last.has(o.key)), options.concurrency, one, options.signal);
  await runPool(objects.filter((o) => last.has(o.key)), options.concurrency, one, options.signal);
  return result;
}

/** Checks that every object is listed with its local size; throws `verify_failed` naming the first few that are not. */
export async function verifyObjects(client: S3Client, bucket: string, objects: LocalObject[]): Promise<void> {
  const remote = await listRemote(client, bucket, commonPrefix(objects.map((o) => o.key)));
  const bad = objects.filter((o) => remote.get(o.key)?.size !== o.size);
  if (bad.length > 0) {
    const sample = bad.slice(0, 5).map((o) => `${o.key} (local ${o.size}, remote ${remote.get(o.key)?.size ?? 'missing'})`);
    throw new IngestError('verify_failed', `${bad.length} object(s) missing or of the wrong size: ${sample.join('; ')}`);
  }
}

export function commonPrefix(keys: string[]): string {
  if (keys.length === 0) return '';
  let prefix = keys[0]!.slice(0, keys[0]!.lastIndexOf('/') + 1);
  for (const key of keys) while (!key.startsWith(prefix)) prefix = prefix.slice(0, prefix.slice(0, -1).lastIndexOf('/') + 1);
  return prefix;
}

