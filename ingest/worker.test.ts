/**
 * The queue worker and the pipeline's lease handling, on real ffmpeg and the local S3: a worker
 * that loses one recording's lease drops that one and goes on; a lease that cannot be given back
 * does not hide the outcome; republishing writes only the repository copy.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../common/log.ts';
import { SqliteCatalog } from './catalog.ts';
import { addFile, ingestFile } from './index.ts';
import { processRecording } from './pipeline.ts';
import type { ProgressEvent } from './progress.ts';
import { createS3Client } from './s3.ts';
import { makeTestClip } from './test-clip.ts';
import { type TestEnv, startTestEnv } from './test-support.ts';
import { runQueue } from './worker.ts';

function recordingLogger(): { logger: ReturnType<typeof createLogger>; messages: string[] } {
  const messages: string[] = [];
  const logger = createLogger({ name: 'test', level: 'warn', write: (line) => messages.push((JSON.parse(line) as { msg: string }).msg) });
  return { logger, messages };
}

describe('worker and leases', () => {
  let env: TestEnv;
  let client: S3Client;
  beforeAll(async () => {
    // One-second leases: the heartbeat (every 333 ms) notices a theft quickly.
    env = await startTestEnv({ leaseSeconds: 1 });
    client = createS3Client(env.config);
  });
  afterAll(async () => {
    client?.destroy();
    await env?.cleanup();
  });

  it('a lost lease drops that one recording, logs it, and the worker goes on with the next', async () => {
    const catalog = new SqliteCatalog(join(env.root, 'lost.sqlite'));
    const a = join(env.root, 'in', 'lost-a.mp4');
    const b = join(env.root, 'in', 'lost-b.mp4');
    await makeTestClip({ path: a, seconds: 6, width: 320, height: 240 });
    await makeTestClip({ path: b, seconds: 2, width: 320, height: 240 });
    const first = (await addFile(catalog, { file: a, course: 'LOST', title: 'Stolen' }, 1)).recording;
    const second = (await addFile(catalog, { file: b, course: 'LOST', title: 'Next' }, 2)).recording;
    const { logger, messages } = recordingLogger();
    let stolen = false;
    const summary = await runQueue({
      // A slow preset, so the transcode is still running when the heartbeat finds the lease gone.
      config: { ...env.config, x264Preset: 'medium' },
      catalog,
      s3: client,
      logger,
      owner: 'worker-1',
      onProgress: (event) => {
        if (stolen || event.phase !== 'transcode') return;
        stolen = true;
        // Another worker that saw the lease run out takes it (its clock is ahead of ours).
        void catalog.claim('worker-2', Date.now() + 5000, 60_000, first.id);
      },
    });
    expect(stolen).toBe(true);
    expect(summary).toEqual({ published: 1, failed: 0, retrying: 0, lost: 1 });
    const after = (await catalog.get(first.id))!;
    // Nothing of the dropped attempt was written over the new holder's claim.
    expect(after).toMatchObject({ leaseOwner: 'worker-2', lastError: null, repositoryPath: null });
    expect(after.state).not.toBe('failed');
    expect((await catalog.get(second.id))!.state).toBe('published');
    expect(messages).toContain('lease lost to another worker; dropping this recording');
    await catalog.close();
  });

  it('a lease that lapsed while nobody took it is renewed, not lost', async () => {
    const catalog = new SqliteCatalog(':memory:');
    const { recording } = await catalog.add({ sourceKey: 'k', sourceKind: 'file', source: '/x.mp4', course: 'C', title: 'T', recordedAt: '2026-01-01T00:00:00Z' }, 0);
    await catalog.claim('w1', 1000, 100, recording.id);
    // The machine slept through the heartbeat: the lease ran out at 1100, nobody claimed it.
    expect(await catalog.renew(recording.id, 'w1', 5000, 100)).toBe(true);
    expect((await catalog.get(recording.id))!.leaseUntil).toBe(5100);
    expect(await catalog.claim('w2', 5050, 100, recording.id)).toBeNull();
    await catalog.close();
  });

  it('a lease that cannot be released does not hide the outcome', async () => {
    class ReleaseFails extends SqliteCatalog {
      override async release(): Promise<void> {
        throw new Error('connection reset while releasing');
      }
    }
    const catalog = new ReleaseFails(join(env.root, 'release.sqlite'));
    const clip = join(env.root, 'in', 'release.mp4');
    await makeTestClip({ path: clip, seconds: 2, width: 320, height: 240 });
    const { recording } = await addFile(catalog, { file: clip, course: 'REL', title: 'Released' });
    const leased = (await catalog.claim('w', Date.now(), 60_000, recording.id))!;
    const { logger, messages } = recordingLogger();
    const result = await processRecording({ config: env.config, catalog, s3: client, logger, owner: 'w' }, leased);
    expect(result.outcome).toBe('published');
    expect(result.recording.state).toBe('published');
    expect(messages).toContain('could not release the lease');
    await catalog.close();
  });
});

describe('republishing', () => {
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

  const listKeys = async (prefix: string) =>
    ((await client.send(new ListObjectsV2Command({ Bucket: 'media', Prefix: prefix }))).Contents ?? []).map((o) => `${o.Key} ${o.ETag} ${o.LastModified?.getTime()}`).sort();

  it('a new title and course reuse what is on S3 and only write the repository copy, without the source', async () => {
    const clip = join(env.root, 'in', 'republish.mp4');
    await makeTestClip({ path: clip, seconds: 3, width: 320, height: 240 });
    const logger = createLogger({ name: 'test', level: 'silent' });
    const published = await ingestFile(env.config, { file: clip, course: 'OLD', title: 'Draft title', date: new Date('2026-02-02T10:00:00') }, { logger });
    const before = await listKeys(`lectures/${published.dir}/`);
    const copy = readFileSync(published.repositoryPath, 'utf8');
    expect(before.length).toBeGreaterThanOrEqual(4);
    // The source is gone (a Zoom link would have expired): nothing may need it.
    rmSync(clip);
    const catalog = new SqliteCatalog(env.config.catalogPath);
    await catalog.republish(published.id, Date.now(), { title: 'Final title', course: 'NEW' });
    const events: ProgressEvent[] = [];
    const summary = await runQueue({ config: env.config, catalog, s3: client, logger, owner: 'w', onProgress: (e) => events.push(e) });
    expect(summary.published).toBe(1);
    expect(events).toEqual([]); // no transcode, no upload
    const after = (await catalog.get(published.id))!;
    await catalog.close();
    expect(after).toMatchObject({ state: 'published', dir: published.dir, masterKey: published.masterKey, title: 'Final title', course: 'NEW' });
    expect(after.repositoryPath).toBe(join(env.config.repositoryRoot, 'NEW', '2026-02-02 10.00 - Final title.m3u8'));
    expect(readFileSync(after.repositoryPath!, 'utf8')).toBe(copy);
    expect(existsSync(published.repositoryPath)).toBe(false);
    // Every object on S3 is the one uploaded the first time (same ETag, not rewritten).
    expect(await listKeys(`lectures/${published.dir}/`)).toEqual(before);
  });
});
