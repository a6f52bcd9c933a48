import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USAGE, formatHolder, formatStatus, main } from './cli.ts';
import type { Recording } from './catalog.ts';
import { makeTestClip } from './test-clip.ts';
import { signWebhook } from './webhook.ts';
import { type TestEnv, startTestEnv } from './test-support.ts';

function capture(): { stream: Writable & NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  }) as Writable & NodeJS.WriteStream;
  return { stream, text: () => chunks.join('') };
}

describe('cli', () => {
  let env: TestEnv;
  let vars: Record<string, string>;
  beforeAll(async () => {
    env = await startTestEnv();
    const c = env.config;
    vars = {
      HLSGATE_LOG_LEVEL: 'silent',
      HLSGATE_S3_BUCKET: c.s3Bucket,
      HLSGATE_S3_ENDPOINT: c.s3Endpoint!,
      HLSGATE_S3_FORCE_PATH_STYLE: 'true',
      HLSGATE_S3_ACCESS_KEY_ID: c.s3AccessKeyId!,
      HLSGATE_S3_SECRET_ACCESS_KEY: c.s3SecretAccessKey!,
      HLSGATE_MEDIA_BASE_URL: c.mediaBaseUrl,
      HLSGATE_REPOSITORY_ROOT: c.repositoryRoot,
      HLSGATE_CATALOG_PATH: c.catalogPath,
      HLSGATE_WORK_DIR: c.workDir,
      HLSGATE_LADDER: '240:300',
      HLSGATE_X264_PRESET: 'ultrafast',
      HLSGATE_MAX_ATTEMPTS: '1',
    };
    await makeTestClip({ path: join(env.root, 'in', 'Week 1 — intro.mp4'), seconds: 3, width: 320, height: 240 });
    writeFileSync(join(env.root, 'in', 'broken.mov'), 'this is not a video');
    writeFileSync(join(env.root, 'in', 'notes.txt'), 'not a video either, and not picked up');
  });
  afterAll(async () => env?.cleanup());

  async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const stdout = capture();
    const stderr = capture();
    const code = await main(argv, { env: vars, stdout: stdout.stream, stderr: stderr.stream });
    return { code, stdout: stdout.text(), stderr: stderr.text() };
  }

  it('queues a folder, processes it, shows the states and requeues a failure', async () => {
    const added = await cli('add', join(env.root, 'in'), '--course', 'PHYS-1');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/queued +\S+ +queued +PHYS-1 \/ Week 1 — intro/);
    expect(added.stdout).toMatch(/queued .*PHYS-1 \/ broken/);
    expect(added.stdout).not.toContain('notes');
    expect((await cli('add', join(env.root, 'in'), '--course', 'PHYS-1')).stdout).toMatch(/^already/m);

    const run = await cli('run');
    expect(run.code).toBe(1); // one failed
    expect(run.stdout).toMatch(/published .*Week 1 — intro .*→ .*PHYS-1\/.* - Week 1 — intro\.m3u8/);
    expect(run.stdout).toMatch(/failed .*broken\n {2}.*broken\.mov is not a readable video/);
    expect(run.stdout).toContain('done: 1 published, 0 to retry later, 1 failed');
    expect(run.stderr).toMatch(/transcode \[#+\] 100%/); // plain progress lines: stderr is no TTY here

    const status = await cli('status');
    expect(status.stdout.split('\n')[0]).toMatch(/^ID +STATE +TRIES +COURSE +RECORDED +LENGTH +TITLE +WORKER +LAST ERROR$/);
    expect(status.stdout).toMatch(/published +1 +PHYS-1 .* 0:03 +Week 1 — intro/);
    const failedId = /^(\w{8}) +failed/m.exec(status.stdout)![1]!;
    const json = JSON.parse((await cli('status', '--json', '--state', 'failed')).stdout) as Array<{ id: string; lastErrorCode: string }>;
    expect(json).toHaveLength(1);
    expect(json[0]!.lastErrorCode).toBe('input_not_video');

    const publishedId = /^(\w{8}) +published/m.exec(status.stdout)![1]!;
    expect((await cli('republish', publishedId, '--title', 'Week 1 — renamed')).stdout).toMatch(/requeued .*PHYS-1 \/ Week 1 — renamed/);
    expect((await cli('run')).stdout).toMatch(/published .*Week 1 — renamed .*→ .*PHYS-1\/.* - Week 1 — renamed\.m3u8/);
    expect((await cli('republish', publishedId, '--course', '../')).stderr).toContain('not a usable folder name');

    const retried = await cli('retry', failedId);
    expect(retried.code).toBe(0);
    expect(retried.stdout).toMatch(/requeued .*broken/);
    expect((await cli('status', '--state', 'queued')).stdout).toMatch(/queued +0 +PHYS-1/);
  });

  it('serve: verifies and queues Zoom webhooks with the course map from the settings', async () => {
    const map = join(env.root, 'courses.json');
    writeFileSync(map, JSON.stringify([{ topic: '^Chemistry', course: 'CHEM-2' }]));
    const controller = new AbortController();
    const stdout = capture();
    const serving = main(['serve', '--no-worker'], {
      env: { ...vars, HLSGATE_ZOOM_WEBHOOK_SECRET: 'wh-secret', HLSGATE_ZOOM_WEBHOOK_PORT: '0', HLSGATE_COURSE_MAP: map },
      stdout: stdout.stream,
      stderr: capture().stream,
      signal: controller.signal,
    });
    while (!/listening/.test(stdout.text())) await new Promise((r) => setTimeout(r, 20));
    const url = /on (http:\/\/\S+)/.exec(stdout.text())![1]!;
    const body = JSON.stringify({
      event: 'recording.completed',
      payload: {
        object: {
          uuid: 'u==', id: 123, topic: 'Chemistry 2', start_time: '2026-02-03T10:00:00Z',
          recording_files: [{ id: 'chem-mp4', file_type: 'MP4', recording_type: 'shared_screen_with_speaker_view', download_url: 'http://127.0.0.1:9/x.mp4', status: 'completed' }],
        },
      },
      download_token: 'dl',
    });
    const ts = String(Math.floor(Date.now() / 1000));
    const post = (signature: string) =>
      fetch(url, { method: 'POST', headers: { 'x-zm-request-timestamp': ts, 'x-zm-signature': signature }, body });
    expect((await post('v0=nope')).status).toBe(401);
    const ok = await post(signWebhook('wh-secret', ts, body));
    expect(await ok.json()).toEqual({ ok: true, outcome: 'queued' });
    controller.abort();
    expect(await serving).toBe(0);
    expect((await cli('status', '--state', 'queued')).stdout).toMatch(/queued +0 +CHEM-2 +2026-02-03 10:00 +Chemistry 2/);
  });

  it('shows when a queued recording will be retried, and which worker holds what since when', () => {
    const r = { id: 'abcdef0123', state: 'queued', attempts: 2, course: 'C', recordedAt: '2026-01-01T10:00:00.000Z', durationSeconds: null, title: 'T', lastError: 'network down\nmore', nextAttemptAt: 95_000, leaseOwner: null, leaseUntil: null, leaseSince: null } as Recording;
    expect(formatStatus([r], 0).split('\n')[1]).toBe('abcdef01  queued (retry in 1:35)  2      C       2026-01-01 10:00          T              network down');
    const held = { ...r, state: 'transcoding', lastError: null, leaseOwner: 'host-b:4242:x1', leaseSince: Date.parse('2026-01-01T10:04:05Z'), leaseUntil: Date.parse('2026-01-01T10:09:00Z') } as Recording;
    expect(formatHolder(held, Date.parse('2026-01-01T10:07:17Z'))).toBe('host-b:4242:x1 since 10:04:05Z (3:12)');
    expect(formatHolder(held, Date.parse('2026-01-01T10:09:00Z'))).toBe('host-b:4242:x1 (lease lapsed)');
    expect(formatStatus([held], Date.parse('2026-01-01T10:07:17Z'))).toMatch(/transcoding .* host-b:4242:x1 since 10:04:05Z \(3:12\)$/m);
  });

  it('says what is wrong with a command line', async () => {
    expect(await cli('frobnicate')).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "frobnicate"') });
    expect((await cli('add', env.root)).stderr).toContain('add needs --course');
    expect((await cli('add', join(env.root, 'missing.mp4'), '--course', 'X')).stderr).toMatch(/input_unreadable.*cannot read/);
    expect((await cli('retry', 'zzzz')).stderr).toContain('no recording zzzz');
    expect((await cli('status', '--state', 'nope')).code).toBe(2);
    expect((await cli('zoom', 'sync')).stderr).toContain('HLSGATE_ZOOM_ACCOUNT_ID');
    expect((await cli('--help')).stdout).toBe(USAGE);
    const bad = capture();
    expect(await main(['status'], { env: { HLSGATE_LADDER: 'x' }, stdout: capture().stream, stderr: bad.stream })).toBe(2);
    expect(bad.text()).toContain('HLSGATE_S3_BUCKET: is required');
  });
});
