/**
 * Sample lecture preparation: the real clip generator and ingest, with a one-second clip and one
 * rung so that it stays cheap. Two preparations at once publish the lecture once.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/log.ts';
import { withFileLock } from './file-lock.ts';
import { listRepository } from './lectures.ts';
import { type LocalS3, s3ClientConfig, startS3 } from './s3.ts';
import { BUCKET, PREFIX, type SampleLecture, prepareSampleLectures } from './stack.ts';

const TINY: SampleLecture = {
  title: 'Tiny lecture',
  file: 'tiny.mp4',
  seconds: 1,
  width: 320,
  height: 180,
  fps: 5,
  ladder: '180:200',
  date: new Date('2026-01-05T08:00:00Z'),
};

describe('prepareSampleLectures', () => {
  let dataDir: string;
  let s3: LocalS3;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'hlsgate-samples-'));
    s3 = await startS3({ directory: join(dataDir, 's3'), buckets: [BUCKET] });
  });
  afterAll(async () => {
    await s3?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const prepare = (lectures = [TINY]) =>
    prepareSampleLectures({
      dataDir,
      s3Endpoint: s3.endpoint,
      mediaBaseUrl: 'http://localhost:8787/lectures/',
      logger: createLogger({ name: 'samples-test', level: 'silent' }),
      signal: new AbortController().signal,
      lectures,
    });

  it('waits while another start holds the lock', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holder = withFileLock(join(dataDir, 'samples.lock'), () => held, { pollMs: 10 });
    const waiting = prepare([{ ...TINY, title: 'Waited lecture', file: 'waited.mp4' }]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Inside the lock the first step creates samples/: nothing may have happened yet.
    expect(existsSync(join(dataDir, 'samples'))).toBe(false);
    release();
    await holder;
    await waiting;
    expect((await listRepository(join(dataDir, 'repository'), PREFIX)).map((e) => e.title)).toEqual(['Waited lecture']);
  });

  it('publishes each lecture once, even when two stacks prepare at the same time, and skips it after', async () => {
    const client = new S3Client(s3ClientConfig(s3.endpoint));
    const dirs = async () =>
      ((await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${PREFIX}/`, Delimiter: '/' }))).CommonPrefixes ?? []).map(
        (p) => p.Prefix,
      );
    const before = await dirs();
    await Promise.all([prepare(), prepare()]);
    const entries = (await listRepository(join(dataDir, 'repository'), PREFIX)).filter((e) => e.title === TINY.title);
    expect(entries.map((e) => [e.course, e.title])).toEqual([['Demo course', 'Tiny lecture']]);
    expect((await dirs()).filter((d) => !before.includes(d))).toEqual([`${PREFIX}/${entries[0]!.dir}/`]);
    client.destroy();

    // Nothing to do the next time: with the clip gone, any attempt would have generated it again.
    const clip = join(dataDir, 'samples', TINY.file);
    expect(existsSync(clip)).toBe(true);
    rmSync(clip);
    await prepare();
    expect(existsSync(clip)).toBe(false);
    expect((await listRepository(join(dataDir, 'repository'), PREFIX)).filter((e) => e.title === TINY.title)).toEqual(entries);
  });

  it('publishes a sample lecture as fMP4 when it asks for it', async () => {
    const title = 'Tiny fMP4 lecture';
    await prepare([{ ...TINY, title, file: 'tiny-fmp4.mp4', segmentFormat: 'fmp4' }]);
    const entry = (await listRepository(join(dataDir, 'repository'), PREFIX)).find((e) => e.title === title)!;
    const client = new S3Client(s3ClientConfig(s3.endpoint));
    const keys = ((await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${PREFIX}/${entry.dir}/` }))).Contents ?? []).map((o) => o.Key!);
    const head = (key: string) => client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    const init = keys.find((k) => /\/180p\/init_\d+\.mp4$/.test(k))!;
    expect((await head(init)).ContentType).toBe('video/mp4');
    expect((await head(`${PREFIX}/${entry.dir}/180p/seg_00000.m4s`)).ContentType).toBe('video/iso.segment');
    expect(keys.some((k) => k.endsWith('.ts'))).toBe(false);
    client.destroy();
  });

  it('stops waiting when aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stopping'));
    await expect(
      prepareSampleLectures({
        dataDir,
        s3Endpoint: s3.endpoint,
        mediaBaseUrl: 'http://localhost:8787/lectures/',
        logger: createLogger({ name: 'samples-test', level: 'silent' }),
        signal: controller.signal,
        lectures: [{ ...TINY, title: 'Never made' }],
      }),
    ).rejects.toThrow('stopping');
  });
});
