import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from './s3.ts';
import { type TestEnv, startTestEnv } from './test-support.ts';
import { cacheControlFor, collectObjects, commonPrefix, contentTypeFor, hashFile, playlistUris, readPublishedMaster, runPool, sameContent, uploadObjects, verifyObjects } from './upload.ts';

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

  it('uploads big files in parts and recognises them on a rerun by the ETag of the bytes sent', async () => {
    const dir = join(env.root, 'big');
    mkdirSync(join(dir, '720p'), { recursive: true });
    const big = randomBytes(6 * 1024 * 1024 + 17);
    writeFileSync(join(dir, '720p', 'seg_00000.ts'), big);
    writeFileSync(join(dir, '720p', 'index.m3u8'), '#EXTM3U\n');
    writeFileSync(join(dir, '.hidden'), 'never uploaded');
    const objects = await collectObjects(dir, 'lectures/bigdir0123456789ab/');
    expect(objects.map((o) => o.key)).toEqual(['lectures/bigdir0123456789ab/720p/index.m3u8', 'lectures/bigdir0123456789ab/720p/seg_00000.ts']);
    // The multipart ETag as S3 documents it: MD5 of the parts' MD5s, then -<parts> (5 MiB parts).
    const md5 = (b: Buffer) => createHash('md5').update(b).digest();
    const cut = 5 * 1024 * 1024;
    const expected = `${createHash('md5').update(Buffer.concat([md5(big.subarray(0, cut)), md5(big.subarray(cut))])).digest('hex')}-2`;
    expect(objects[1]!.multipartEtag).toBe(expected);
    expect(await hashFile(join(dir, '720p', 'seg_00000.ts'), cut)).toEqual({ md5: md5(big).toString('hex'), multipartEtag: expected });
    expect(objects[0]!.multipartEtag).toBeNull();
    const first = await uploadObjects({ client, bucket: 'media', objects, concurrency: 4, multipartThreshold: 1024 * 1024 });
    expect(first.uploaded).toHaveLength(2);
    const head = await client.send(new HeadObjectCommand({ Bucket: 'media', Key: objects[1]!.key }));
    expect(head.Metadata ?? {}).toEqual({});
    expect(head.ContentType).toBe('video/mp2t');
    // Real S3 answers a multipart object with the multipart ETag (s3rver with the whole MD5): both are known.
    expect(sameContent(objects[1]!, { size: objects[1]!.size, etag: expected })).toBe(true);
    expect(sameContent(objects[1]!, { size: objects[1]!.size, etag: '0123abcd-2' })).toBe(false);
    await verifyObjects(client, 'media', objects);
    const second = await uploadObjects({ client, bucket: 'media', objects, concurrency: 4, multipartThreshold: 1024 * 1024 });
    expect(second).toEqual({ uploaded: [], skipped: expect.arrayContaining(objects.map((o) => o.key)), bytesUploaded: 0 });
    // A changed file is uploaded again; verify catches a size mismatch.
    writeFileSync(join(dir, '720p', 'index.m3u8'), '#EXTM3U\n#EXT-X-ENDLIST\n');
    const changed = await collectObjects(dir, 'lectures/bigdir0123456789ab/');
    await expect(verifyObjects(client, 'media', changed)).rejects.toMatchObject({ code: 'verify_failed', message: expect.stringContaining('index.m3u8 (local 23, remote 8 bytes)') });
    const third = await uploadObjects({ client, bucket: 'media', objects: changed, concurrency: 4 });
    expect(third.uploaded).toEqual([changed[0]!.key]);
  });

  it('verifies content, not sizes: an object of the right size with other bytes fails, and is uploaded again', async () => {
    const dir = join(env.root, 'same-size');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'seg_00000.ts'), Buffer.alloc(4096, 1));
    const objects = await collectObjects(dir, 'lectures/samesize0123456789/');
    await uploadObjects({ client, bucket: 'media', objects, concurrency: 2 });
    await verifyObjects(client, 'media', objects);
    // Someone (or a broken proxy) replaced it with the same number of other bytes.
    await client.send(new PutObjectCommand({ Bucket: 'media', Key: objects[0]!.key, Body: Buffer.alloc(4096, 2) }));
    await expect(verifyObjects(client, 'media', objects)).rejects.toMatchObject({ code: 'verify_failed', message: expect.stringMatching(/seg_00000\.ts \(other content/) });
    const again = await uploadObjects({ client, bucket: 'media', objects, concurrency: 2 });
    expect(again.uploaded).toEqual([objects[0]!.key]);
    await verifyObjects(client, 'media', objects);
  });

  it('finds a published master only when everything it names is on S3', async () => {
    const dir = join(env.root, 'published');
    mkdirSync(join(dir, '360p'), { recursive: true });
    const master = '#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="a",URI="audio/index.m3u8"\n#EXT-X-STREAM-INF:BANDWIDTH=1\n360p/index.m3u8\n';
    writeFileSync(join(dir, 'master.m3u8'), master);
    writeFileSync(join(dir, '360p', 'index.m3u8'), '#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:6,\nseg_00000.m4s\n#EXT-X-ENDLIST\n');
    writeFileSync(join(dir, '360p', 'init.mp4'), 'i');
    writeFileSync(join(dir, '360p', 'seg_00000.m4s'), 's');
    mkdirSync(join(dir, 'audio'));
    writeFileSync(join(dir, 'audio', 'index.m3u8'), '#EXTM3U\n#EXTINF:6,\nseg_00000.m4s\n#EXT-X-ENDLIST\n');
    writeFileSync(join(dir, 'audio', 'seg_00000.m4s'), 'a');
    expect(playlistUris(master)).toEqual(['audio/index.m3u8', '360p/index.m3u8']);
    const prefix = 'lectures/published0123456789/';
    const objects = await collectObjects(dir, prefix);
    await uploadObjects({ client, bucket: 'media', objects: objects.filter((o) => !o.key.endsWith('360p/init.mp4')), concurrency: 4 });
    expect(await readPublishedMaster(client, 'media', prefix)).toBeNull();
    await uploadObjects({ client, bucket: 'media', objects, concurrency: 4 });
    expect(await readPublishedMaster(client, 'media', prefix)).toBe(master);
    expect(await readPublishedMaster(client, 'media', 'lectures/nothing0123456789ab/')).toBeNull();
  });
});
