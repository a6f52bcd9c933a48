/**
 * Upload a rendition folder to S3 with a pool of workers, skipping objects already there with the
 * same content, then verify the listing by content. Content is known by the ETag S3 computes from
 * the bytes it stored: the MD5 of a single PUT, or for a multipart upload the MD5 of the parts'
 * MD5s with `-<parts>`; both are computed here from the bytes sent, never read back from metadata
 * we wrote ourselves. (SSE-S3 keeps ETags as MD5s; SSE-KMS would not.) The master goes last, so
 * no reader finds a master before its renditions.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { extname, join, posix, relative, sep } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { CONTENT_TYPES, LAYOUT } from '../common/contracts.ts';
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
  // Playlists and the chapters are rewritten in place (captions and chapters added or corrected);
  // everything else is written once under a name of its own.
  const name = key.slice(key.lastIndexOf('/') + 1);
  return extname(key).toLowerCase() === '.m3u8' || name === LAYOUT.chaptersVtt || name === LAYOUT.chaptersJson ? PLAYLIST_CACHE : IMMUTABLE;
}

export interface LocalObject {
  key: string;
  path: string;
  size: number;
  md5: string;
  /** The ETag S3 gives this object after a multipart upload in `partSizeFor(size)` parts; null when it fits one part. */
  multipartEtag: string | null;
}

export interface RemoteObject {
  size: number;
  etag: string;
}

/** The part size of a multipart upload (lib-storage): at least 5 MiB, at most 10,000 parts. */
export function partSizeFor(size: number): number {
  return Math.max(5 * 1024 * 1024, Math.ceil(size / 10_000));
}

/** MD5 of the whole file and the multipart ETag for `partSize` parts, in one read. */
export async function hashFile(path: string, partSize: number): Promise<{ md5: string; multipartEtag: string | null }> {
  const whole = createHash('md5');
  const partDigests: Buffer[] = [];
  let part = createHash('md5');
  let inPart = 0;
  for await (const chunk of createReadStream(path)) {
    let buffer = chunk as Buffer;
    whole.update(buffer);
    while (buffer.length > 0) {
      const take = Math.min(buffer.length, partSize - inPart);
      part.update(buffer.subarray(0, take));
      inPart += take;
      buffer = buffer.subarray(take);
      if (inPart === partSize) {
        partDigests.push(part.digest());
        part = createHash('md5');
        inPart = 0;
      }
    }
  }
  if (inPart > 0) partDigests.push(part.digest());
  const multipartEtag = partDigests.length > 1 ? `${createHash('md5').update(Buffer.concat(partDigests)).digest('hex')}-${partDigests.length}` : null;
  return { md5: whole.digest('hex'), multipartEtag };
}

/**
 * Whether S3 holds exactly these bytes: same size, and an ETag computed from our bytes (a single
 * PUT's MD5, or the multipart ETag; s3rver gives a multipart object the whole MD5). Pure.
 */
export function sameContent(object: LocalObject, remote: RemoteObject | undefined): boolean {
  if (!remote || remote.size !== object.size) return false;
  return remote.etag === object.md5 || (object.multipartEtag !== null && remote.etag === object.multipartEtag);
}

/** Every file under `dir` (hidden files and `.tmp` excluded) as an object under `keyPrefix`. */
export async function collectObjects(dir: string, keyPrefix: string): Promise<LocalObject[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const out: LocalObject[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || entry.name.startsWith('.')) continue;
    const path = join(entry.parentPath, entry.name);
    const rel = relative(dir, path).split(sep).join(posix.sep);
    const size = (await stat(path)).size;
    out.push({ key: `${keyPrefix}${rel}`, path, size, ...(await hashFile(path, partSizeFor(size))) });
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

async function putObject(client: S3Client, bucket: string, object: LocalObject, multipartThreshold: number, signal?: AbortSignal): Promise<void> {
  const common = {
    Bucket: bucket,
    Key: object.key,
    ContentType: contentTypeFor(object.key),
    CacheControl: cacheControlFor(object.key),
  };
  if (object.size > multipartThreshold) {
    const upload = new Upload({ client, params: { ...common, Body: createReadStream(object.path) }, queueSize: 4, partSize: partSizeFor(object.size) });
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
      skipped = sameContent(object, remote.get(object.key));
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

/**
 * Checks that S3 holds every object with its content (size and ETag, as `sameContent`); throws
 * `verify_failed` naming the first few that are missing, short or different.
 */
export async function verifyObjects(client: S3Client, bucket: string, objects: LocalObject[]): Promise<void> {
  const remote = await listRemote(client, bucket, commonPrefix(objects.map((o) => o.key)));
  const bad = objects.filter((o) => !sameContent(o, remote.get(o.key)));
  if (bad.length > 0) {
    const sample = bad.slice(0, 5).map((o) => {
      const r = remote.get(o.key);
      if (!r) return `${o.key} (missing)`;
      if (r.size !== o.size) return `${o.key} (local ${o.size}, remote ${r.size} bytes)`;
      return `${o.key} (other content: ETag ${r.etag}, sent MD5 ${o.md5})`;
    });
    throw new IngestError('verify_failed', `${bad.length} object(s) missing or not what was sent: ${sample.join('; ')}`);
  }
}

/**
 * Deletes what an unfinished attempt left under `prefix` (never published, so nothing refers to
 * it) and returns how many objects there were.
 */
export async function removeUnpublished(client: S3Client, bucket: string, prefix: string): Promise<number> {
  try {
    const keys = [...(await listRemote(client, bucket, prefix)).keys()];
    await runPool(keys, 8, async (key) => void (await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))));
    return keys.length;
  } catch (error) {
    throw new IngestError('upload_failed', `cannot clear s3://${bucket}/${prefix}: ${(error as Error).message}`, { cause: error });
  }
}

/** Every URI a playlist names: its segment and variant lines and `URI="…"` attributes. Pure. */
export function playlistUris(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    if (!line.startsWith('#')) out.push(line);
    else for (const m of line.matchAll(/URI="([^"]*)"/g)) out.push(m[1]!);
  }
  return out;
}

export async function getText(client: S3Client, bucket: string, key: string, signal?: AbortSignal): Promise<string | null> {
  try {
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), signal ? { abortSignal: signal } : {});
    return await object.Body!.transformToString();
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return null;
    throw error;
  }
}

/**
 * The S3 master of a published recording when everything it names is still there (its media
 * playlists and every segment, init section and subtitle file they name); null otherwise.
 */
export async function readPublishedMaster(client: S3Client, bucket: string, prefix: string, signal?: AbortSignal): Promise<string | null> {
  try {
    const master = await getText(client, bucket, `${prefix}${LAYOUT.master}`, signal);
    if (master === null) return null;
    const listed = await listRemote(client, bucket, prefix);
    const base = new URL(`s3://${bucket}/${prefix}`);
    const keyOf = (uri: string, from: URL) => {
      const url = new URL(uri, from);
      return url.protocol === 's3:' && url.host === bucket ? decodeURIComponent(url.pathname.slice(1)) : null;
    };
    for (const uri of playlistUris(master)) {
      const key = keyOf(uri, base);
      if (!key || !listed.has(key)) return null;
      if (!key.endsWith('.m3u8')) continue;
      const media = await getText(client, bucket, key, signal);
      if (media === null) return null;
      const mediaBase = new URL(`s3://${bucket}/${key}`);
      if (!playlistUris(media).every((u) => listed.has(keyOf(u, mediaBase) ?? ''))) return null;
    }
    return master;
  } catch (error) {
    throw new IngestError('upload_failed', `cannot read s3://${bucket}/${prefix}: ${(error as Error).message}`, { cause: error });
  }
}

export function commonPrefix(keys: string[]): string {
  if (keys.length === 0) return '';
  let prefix = keys[0]!.slice(0, keys[0]!.lastIndexOf('/') + 1);
  for (const key of keys) while (!key.startsWith(prefix)) prefix = prefix.slice(0, prefix.slice(0, -1).lastIndexOf('/') + 1);
  return prefix;
}

