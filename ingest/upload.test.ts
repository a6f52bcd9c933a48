import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from './s3.ts';
import { type TestEnv, startTestEnv } from './test-support.ts';
import { alreadyThere, cacheControlFor, collectObjects, commonPrefix, contentTypeFor, runPool, uploadObjects, verifyObjects } from './upload.ts';

describe('upload rules', () => {
  it('labels by extension and refuses unknown kinds of file', () => {
    expect(contentTypeFor('a/b/index.m3u8')).toBe('application/vnd.apple.mpegurl');
    expect(contentTypeFor('a/seg_00001.TS')).toBe('video/mp2t');
    expect(contentTypeFor('a/x.m4s')).toBe('video/iso.segment');
    expect(contentTypeFor('a/subs/t.vtt')).toBe('text/vtt');
    expect(() => contentTypeFor('a/notes.txt')).toThrow(/no Content-Type/);
    expect(cacheControlFor('a/index.m3u8')).toBe('public, max-age=60');
    expect(cacheControlFor('a/poster.jpg')).toBe('public, max-age=31536000, immutable');
    expect(commonPrefix(['p/d/a/1.ts', 'p/d/b/2.ts', 'p/d/master.m3u8'])).toBe('p/d/');
  });

  it('runs at most `concurrency` jobs at once and stops at the first error', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await runPool([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      done.push(n);
    });
    expect(peak).toBe(3);
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const started: number[] = [];
    await expect(
      runPool([1, 2, 3, 4, 5], 1, async (n) => {
        started.push(n);
        if (n === 2) throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(started).toEqual([1, 2]);
  });
});

describe('uploadObjects (local S3)', () => {
  let env: TestEnv;
  let client: S3Client;
  beforeAll(async () => {
    env = await startTestEnv();
    client = createS3Client(env.config);
  });
  afterAll(async () => {
    client?.destroy();
    await env?.cleanup();
  });

  it('uploads big files in parts and recognises them on a rerun by their md5 metadata', async () => {
    const dir = join(env.root, 'big');
    mkdirSync(join(dir, '720p'), { recursive: true });
    writeFileSync(join(dir, '720p', 'seg_00000.ts'), randomBytes(6 * 1024 * 1024 + 17));
    writeFileSync(join(dir, '720p', 'index.m3u8'), '#EXTM3U\n');
    writeFileSync(join(dir, '.hidden'), 'never uploaded');
    const objects = await collectObjects(dir, 'lectures/bigdir0123456789ab/');
    expect(objects.map((o) => o.key)).toEqual(['lectures/bigdir0123456789ab/720p/index.m3u8', 'lectures/bigdir0123456789ab/720p/seg_00000.ts']);
    const first = await uploadObjects({ client, bucket: 'media', objects, concurrency: 4, multipartThreshold: 1024 * 1024 });
    expect(first.uploaded).toHaveLength(2);
    const head = await client.send(new HeadObjectCommand({ Bucket: 'media', Key: objects[1]!.key }));
    expect(head.Metadata?.md5).toBe(objects[1]!.md5);
    // Real S3 gives a multipart object an ETag of `<md5 of part md5s>-<parts>` (s3rver does not):
    // such an object is recognised by its md5 metadata.
    expect(await alreadyThere(client, 'media', objects[1]!, { size: objects[1]!.size, etag: '0123abcd-2' })).toBe(true);
    expect(await alreadyThere(client, 'media', { ...objects[1]!, md5: 'f'.repeat(32) }, { size: objects[1]!.size, etag: '0123abcd-2' })).toBe(false);
    expect(head.ContentType).toBe('video/mp2t');
    await verifyObjects(client, 'media', objects);
    const second = await uploadObjects({ client, bucket: 'media', objects, concurrency: 4, multipartThreshold: 1024 * 1024 });
    expect(second).toEqual({ uploaded: [], skipped: expect.arrayContaining(objects.map((o) => o.key)), bytesUploaded: 0 });
    // A changed file is uploaded again; verify catches a size mismatch.
    writeFileSync(join(dir, '720p', 'index.m3u8'), '#EXTM3U\n#EXT-X-ENDLIST\n');
    const changed = await collectObjects(dir, 'lectures/bigdir0123456789ab/');
    await expect(verifyObjects(client, 'media', changed)).rejects.toMatchObject({ code: 'verify_failed', message: expect.stringContaining('index.m3u8 (local 23, remote 8)') });
    const third = await uploadObjects({ client, bucket: 'media', objects: changed, concurrency: 4 });
    expect(third.uploaded).toEqual([changed[0]!.key]);
  });
});
