/**
 * Many workers, one PostgreSQL catalog: three worker processes (each with its own work dir, as on
 * its own machine) share ten recordings staged to S3 by `add`; one worker is SIGKILLed
 * mid-transcode and one mid-upload. Every recording is published exactly once, no object is
 * uploaded twice, no repository file is half-written, and the killed workers' leases are taken
 * over only after they lapse. Real PostgreSQL (testing/postgres.ts), real S3 stand-in, real ffmpeg.
 */
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type ResultPromise, execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Postgres, startPostgres } from '../testing/postgres.ts';
import { PostgresCatalog } from './catalog-postgres.ts';
import { main } from './cli.ts';
import type { IngestConfig } from './config.ts';
import { parseMasterVariants } from './master.ts';
import { createS3Client } from './s3.ts';
import { INCOMING_PREFIX } from './staging.ts';
import { makeTestClip } from './test-clip.ts';
import { type TestEnv, startTestEnv } from './test-support.ts';
import { listRemote } from './upload.ts';

const RECORDINGS = 10;
const LEASE_SECONDS = 3;

interface Line {
  worker: string;
  at: number;
  words: string[];
}

function sink(): Writable & NodeJS.WriteStream {
  return new Writable({ write: (_chunk, _encoding, callback) => callback() }) as Writable & NodeJS.WriteStream;
}

describe('three workers on one PostgreSQL catalog', () => {
  let env: TestEnv;
  let postgres: Postgres;
  let config: IngestConfig;
  beforeAll(async () => {
    [env, postgres] = await Promise.all([startTestEnv({ leaseSeconds: LEASE_SECONDS, ladder: [{ height: 240, videoKbps: 300 }] }), startPostgres()]);
    config = { ...env.config, catalogUrl: await postgres.createDatabase('ingest') };
  });
  afterAll(async () => {
    await postgres?.stop();
    await env?.cleanup();
  });

  it('publishes each recording once through kills mid-transcode and mid-upload', async () => {
    // Ten distinct sources (one clip, ten copies), queued with `add` on "the teacher's machine".
    const folder = join(env.root, 'uploads');
    mkdirSync(folder, { recursive: true });
    const clip = join(env.root, 'clip.mp4');
    await makeTestClip({ path: clip, seconds: 4, width: 320, height: 240 });
    for (let n = 1; n <= RECORDINGS; n++) copyFileSync(clip, join(folder, `Lecture ${String(n).padStart(2, '0')}.mp4`));
    const vars: Record<string, string> = {
      HLSGATE_LOG_LEVEL: 'silent',
      HLSGATE_S3_BUCKET: config.s3Bucket,
      HLSGATE_S3_ENDPOINT: config.s3Endpoint!,
      HLSGATE_S3_FORCE_PATH_STYLE: 'true',
      HLSGATE_S3_ACCESS_KEY_ID: config.s3AccessKeyId!,
      HLSGATE_S3_SECRET_ACCESS_KEY: config.s3SecretAccessKey!,
      HLSGATE_MEDIA_BASE_URL: config.mediaBaseUrl,
      HLSGATE_REPOSITORY_ROOT: config.repositoryRoot,
      HLSGATE_CATALOG_URL: config.catalogUrl!,
      HLSGATE_WORK_DIR: join(env.root, 'teacher-work'),
    };
    expect(await main(['add', folder, '--course', 'SCHOOL-1'], { env: vars, stdout: sink(), stderr: sink() })).toBe(0);
    // The sources leave the teacher's machine: the workers can only have them from S3.
    rmSync(folder, { recursive: true });
    const client = createS3Client(config);
    expect((await listRemote(client, config.s3Bucket, INCOMING_PREFIX)).size).toBe(RECORDINGS);

    const lines: Line[] = [];
    const frozen = new Map<string, string>();
    const fixture = join(import.meta.dirname, 'fixtures', 'queue-worker.ts');
    const start = (owner: string, freeze?: 'transcode' | 'upload'): ResultPromise => {
      const workerConfig = { ...config, workDir: join(env.root, `machine-${owner}`, 'work') };
      const child = execa('node', ['--import', 'tsx', fixture, JSON.stringify({ config: workerConfig, owner, freeze })], { reject: false });
      let buffer = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const complete = buffer.split('\n');
        buffer = complete.pop()!;
        for (const text of complete) {
          const words = text.split(' ');
          lines.push({ worker: owner, at: Date.now(), words });
          if (words[0] === 'FROZEN') frozen.set(owner, words[1]!);
        }
      });
      return child;
    };
    const workers = { a: start('worker-a', 'transcode'), b: start('worker-b', 'upload'), c: start('worker-c') };
    const until = async (what: () => boolean, label: string) => {
      const deadline = Date.now() + 90_000;
      while (!what()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}; lines: ${JSON.stringify(lines.slice(-20))}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    await until(() => frozen.has('worker-a') && frozen.has('worker-b'), 'both workers to freeze');
    const killedAt = Date.now();
    workers.a.kill('SIGKILL');
    workers.b.kill('SIGKILL');
    const [a, b, c] = await Promise.all([workers.a, workers.b, workers.c]);
    expect(a.signal).toBe('SIGKILL');
    expect(b.signal).toBe('SIGKILL');
    expect(c.exitCode, String(c.stderr)).toBe(0);
    expect(lines.at(-1)).toMatchObject({ worker: 'worker-c', words: ['DONE'] });

    // Every recording published, exactly once, by a live worker.
    const catalog = await PostgresCatalog.open(config.catalogUrl!);
    const recordings = await catalog.list();
    await catalog.close();
    expect(recordings).toHaveLength(RECORDINGS);
    expect(recordings.every((r) => r.state === 'published' && r.leaseOwner === null && r.stagedKey === null)).toBe(true);
    const publishedBy = lines.filter((l) => l.words[0] === 'FINISHED' && l.words[2] === 'published');
    expect(publishedBy.map((l) => l.words[1]).sort()).toEqual(recordings.map((r) => r.id).sort());
    expect(publishedBy.every((l) => l.worker === 'worker-c')).toBe(true);

    // The killed workers' recordings were taken over by worker-c, and only after the kill (the
    // leases were held until then and had to lapse).
    for (const killed of ['worker-a', 'worker-b']) {
      const id = frozen.get(killed)!;
      const claims = lines.filter((l) => l.words[0] === 'CLAIMED' && l.words[1] === id);
      expect(claims.map((l) => l.worker)).toEqual([killed, 'worker-c']);
      expect(Number(claims[1]!.words[2])).toBeGreaterThanOrEqual(killedAt);
    }

    // No object uploaded twice: the takeover of a half-uploaded recording encoded under a new dir.
    const uploaded = lines.filter((l) => l.words[0] === 'UPLOADED').map((l) => l.words[2]!);
    expect(uploaded.length).toBeGreaterThan(RECORDINGS * 3);
    expect(new Set(uploaded).size).toBe(uploaded.length);
    // What the killed upload left behind is gone; only published dirs remain, and the sources went.
    const remote = await listRemote(client, config.s3Bucket, '');
    client.destroy();
    const dirs = new Set([...remote.keys()].filter((k) => k.startsWith('lectures/')).map((k) => k.split('/')[1]));
    expect([...dirs].sort()).toEqual(recordings.map((r) => r.dir).sort());
    expect([...remote.keys()].filter((k) => k.startsWith(INCOMING_PREFIX))).toEqual([]);

    // The repository: ten whole masters, one per recording, no temporary files left.
    const course = join(config.repositoryRoot, 'SCHOOL-1');
    const files = readdirSync(course);
    expect(files.filter((f) => !f.endsWith('.m3u8'))).toEqual([]);
    expect(files).toHaveLength(RECORDINGS);
    for (const r of recordings) {
      const text = readFileSync(r.repositoryPath!, 'utf8');
      expect(text.endsWith('\n')).toBe(true);
      expect(parseMasterVariants(text).map((v) => v.uri)).toEqual([`${config.mediaBaseUrl}${r.dir}/240p/index.m3u8`]);
      expect(remote.has(r.masterKey!)).toBe(true);
    }
  }, 150_000);
});
