/**
 * Sources staged to S3 (`incoming/`), on the local stack's S3: a broken staging upload resumes
 * with only the missing parts, a worker elsewhere downloads the staged source, and it is deleted
 * once the recording is published.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../common/log.ts';
import { SqliteCatalog } from './catalog.ts';
import { addFile } from './index.ts';
import { createS3Client } from './s3.ts';
import { INCOMING_PREFIX, fetchStaged, stageSource, stagedKeyFor } from './staging.ts';
import { makeTestClip } from './test-clip.ts';
import { type TestEnv, startTestEnv } from './test-support.ts';
import { hashFile } from './upload.ts';
import { runQueue } from './worker.ts';

const MiB = 1024 * 1024;

describe('staging sources to S3', () => {
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

  const incoming = async () =>
    ((await client.send(new ListObjectsV2Command({ Bucket: 'media', Prefix: INCOMING_PREFIX }))).Contents ?? []).map((o) => o.Key);

  it('resumes a broken multipart staging with only the missing parts; the download resumes too', async () => {
    const file = join(env.root, 'big-source.mp4');
    writeFileSync(file, randomBytes(11 * MiB + 123));
    const key = stagedKeyFor('file:test', file);
    expect(key).toMatch(/^incoming\/[A-Za-z0-9_-]{32}\.mp4$/);
    const stateDir = join(env.root, 'staging-state');
    const controller = new AbortController();
    const first = stageSource({ client, bucket: 'media', file, key, stateDir, partSize: 5 * MiB, concurrency: 1, signal: controller.signal, onPart: () => controller.abort() });
    await expect(first).rejects.toMatchObject({ code: 'aborted' });
    const parts: Array<{ partNumber: number; resumed: boolean }> = [];
    const second = await stageSource({ client, bucket: 'media', file, key, stateDir, partSize: 5 * MiB, concurrency: 1, onPart: (p) => parts.push(p) });
    expect(second).toEqual({ uploaded: true, partsSent: 2 });
    expect(parts.map((p) => p.partNumber).sort()).toEqual([2, 3]);
    expect(parts.every((p) => p.resumed)).toBe(true);
    expect(await stageSource({ client, bucket: 'media', file, key, stateDir, partSize: 5 * MiB })).toEqual({ uploaded: false, partsSent: 0 });

    const local = await hashFile(file, 5 * MiB);
    const copy = join(env.root, 'elsewhere', 'source.mp4');
    // A download cut short earlier: the first 1000 bytes are there already.
    await fetchStaged(client, 'media', key, join(env.root, 'scratch', 'full.mp4'));
    mkdirSync(join(env.root, 'elsewhere'));
    writeFileSync(`${copy}.part`, (await readFile(join(env.root, 'scratch', 'full.mp4'))).subarray(0, 1000), { flag: 'w' });
    await fetchStaged(client, 'media', key, copy);
    expect((await hashFile(copy, 5 * MiB)).md5).toBe(local.md5);
    await expect(fetchStaged(client, 'media', `${INCOMING_PREFIX}missing.mp4`, join(env.root, 'x.mp4'))).rejects.toMatchObject({ code: 'download_expired' });
  });

  it('a worker on another machine publishes from the staged source, which is deleted after', async () => {
    const catalog = new SqliteCatalog(join(env.root, 'staged.sqlite'));
    const clip = join(env.root, 'in', 'staged.mp4');
    await makeTestClip({ path: clip, seconds: 2, width: 320, height: 240 });
    const staging = { client, bucket: 'media', stateDir: join(env.root, 'staging-state') };
    const { recording } = await addFile(catalog, { file: clip, course: 'STAGE', title: 'Staged' }, Date.now(), staging);
    expect(recording.stagedKey).toMatch(/^incoming\//);
    expect(await incoming()).toContain(recording.stagedKey);
    // The file is not on the worker's machine.
    renameSync(clip, `${clip}.away`);
    const summary = await runQueue({ config: env.config, catalog, s3: client, logger: createLogger({ name: 'test', level: 'silent' }), owner: 'elsewhere' });
    expect(summary.published).toBe(1);
    const after = (await catalog.get(recording.id))!;
    expect(after).toMatchObject({ state: 'published', stagedKey: null });
    expect(existsSync(after.repositoryPath!)).toBe(true);
    expect(await incoming()).not.toContain(recording.stagedKey);
    await catalog.close();
  });
});
