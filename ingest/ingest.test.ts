/**
 * The pipeline end to end: real ffmpeg on generated clips, real upload to the local stack's S3.
 * Clips are a few seconds at 640x360 with a two-rung test ladder, to stay fast.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAYOUT } from '../common/contracts.ts';
import { createLogger } from '../common/log.ts';
import { SqliteCatalog } from './catalog.ts';
import { type IngestFileResult, ingestFile, makeTestClip } from './index.ts';
import { parseMasterVariants, parseMediaPlaylist } from './master.ts';
import type { ProgressEvent } from './progress.ts';
import { createS3Client } from './s3.ts';
import { type TestEnv, startTestEnv } from './test-support.ts';

const quiet = createLogger({ name: 'test', level: 'silent' });

async function getText(client: S3Client, key: string): Promise<string> {
  const object = await client.send(new GetObjectCommand({ Bucket: 'media', Key: key }));
  return object.Body!.transformToString();
}

function m3u8Files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.m3u8'));
}

describe('ingestFile', () => {
  let env: TestEnv;
  let client: S3Client;
  let clip: string;
  let result: IngestFileResult;
  const events: ProgressEvent[] = [];
  const repositoryWhileUploading: string[][] = [];

  beforeAll(async () => {
    env = await startTestEnv();
    client = createS3Client(env.config);
    clip = join(env.root, 'in', 'lecture.mp4');
    await makeTestClip({ path: clip, seconds: 8, width: 640, height: 360 });
    result = await ingestFile(env.config, { file: clip, course: 'MATH-101', title: 'Limits: "part" 1/2 — été', date: new Date('2026-03-04T08:05:00') }, {
      logger: quiet,
      onProgress: (event) => {
        events.push(event);
        if (event.phase === 'upload') repositoryWhileUploading.push(m3u8Files(env.config.repositoryRoot));
      },
    });
  });
  afterAll(async () => {
    client?.destroy();
    await env?.cleanup();
  });

  it('publishes a valid master: CODECS, RESOLUTION, FRAME-RATE, BANDWIDTH growing with the rung, equal segment counts', async () => {
    const master = await getText(client, result.masterKey);
    expect(result.masterKey).toBe(`lectures/${result.dir}/master.m3u8`);
    const variants = parseMasterVariants(master);
    expect(variants.map((v) => v.uri)).toEqual(['360p/index.m3u8', '240p/index.m3u8']);
    for (const v of variants) {
      expect(v.attributes.CODECS).toMatch(/^avc1\.[0-9a-f]{6},mp4a\.40\.2$/);
      expect(v.attributes.RESOLUTION).toMatch(/^\d+x(360|240)$/);
      expect(Number(v.attributes['FRAME-RATE'])).toBeCloseTo(30, 1);
      expect(Number(v.attributes['AVERAGE-BANDWIDTH'])).toBeLessThanOrEqual(Number(v.attributes.BANDWIDTH));
    }
    expect(Number(variants[0]!.attributes.BANDWIDTH)).toBeGreaterThan(Number(variants[1]!.attributes.BANDWIDTH));
    // One audio rendition, shared: every variant names the group, no variant carries its own AAC.
    expect(master.match(/^#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",.*URI="audio\/index\.m3u8"$/gm)).toHaveLength(1);
    expect(variants.every((v) => v.attributes.AUDIO === 'aud')).toBe(true);
    const video = `${env.s3.endpoint}/media/lectures/${result.dir}/360p/seg_00000.ts`;
    const streams = await execa('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type', '-of', 'csv=p=0', video]);
    expect([...new Set(streams.stdout.split('\n').map((l) => l.trim()).filter(Boolean))]).toEqual(['video']);
    const counts = await Promise.all(
      variants.map(async (v) => parseMediaPlaylist(await getText(client, `lectures/${result.dir}/${v.uri}`)).segments.length),
    );
    expect(counts[0]).toBe(2); // 8 s in 6 s segments
    expect(new Set(counts).size).toBe(1);
  });

  it('ffprobe opens the uploaded master and finds the lecture in it', async () => {
    const url = `${env.s3.endpoint}/media/${result.masterKey}`;
    const probed = await execa('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,height', '-of', 'json', url]);
    const json = JSON.parse(probed.stdout) as { format: { duration: string }; streams: Array<{ codec_type: string; height?: number }> };
    expect(Number(json.format.duration)).toBeGreaterThan(7.5);
    expect(json.streams.filter((s) => s.codec_type === 'video').map((s) => s.height).sort()).toEqual([240, 360]);
    expect(json.streams.some((s) => s.codec_type === 'audio')).toBe(true);
  });

  it('labels every object with its Content-Type and Cache-Control', async () => {
    const expectations: Array<[string, string, RegExp]> = [
      [LAYOUT.master, 'application/vnd.apple.mpegurl', /^public, max-age=60$/],
      ['360p/index.m3u8', 'application/vnd.apple.mpegurl', /^public, max-age=60$/],
      ['360p/seg_00000.ts', 'video/mp2t', /^public, max-age=31536000, immutable$/],
      [LAYOUT.poster, 'image/jpeg', /^public, max-age=31536000, immutable$/],
    ];
    for (const [name, type, cache] of expectations) {
      const head = await client.send(new HeadObjectCommand({ Bucket: 'media', Key: `lectures/${result.dir}/${name}` }));
      expect(head.ContentType, name).toBe(type);
      expect(head.CacheControl, name).toMatch(cache);
    }
  });

  it('writes the repository copy with absolute URIs, only after the upload, and the master last', async () => {
    expect(result.repositoryPath).toBe(join(env.config.repositoryRoot, 'MATH-101', '2026-03-04 08.05 - Limits part 1 2 — été.m3u8'));
    const text = await import('node:fs/promises').then((fs) => fs.readFile(result.repositoryPath, 'utf8'));
    const uris = parseMasterVariants(text).map((v) => v.uri);
    expect(uris).toEqual([360, 240].map((h) => `http://localhost:8787/lectures/${result.dir}/${h}p/index.m3u8`));
    expect(repositoryWhileUploading.length).toBeGreaterThan(0);
    expect(repositoryWhileUploading.every((files) => files.length === 0)).toBe(true);
    const uploads = events.filter((e) => e.phase === 'upload');
    expect(uploads.at(-1)!.phase === 'upload' && uploads.at(-1)!.key).toBe(result.masterKey);
    expect(events.some((e) => e.phase === 'transcode' && e.fraction === 1)).toBe(true);
    // Work files are gone; the source is untouched.
    expect(existsSync(join(env.config.workDir, result.id))).toBe(false);
    expect(statSync(clip).size).toBeGreaterThan(0);
  });

  it('returns the published result for the same file again, and publishes again when the repository copy was removed', async () => {
    const input = { file: clip, course: 'MATH-101', title: 'Limits: "part" 1/2 — été', date: new Date('2026-03-04T08:05:00') };
    const uploads: ProgressEvent[] = [];
    expect(await ingestFile(env.config, input, { logger: quiet, onProgress: (e) => uploads.push(e) })).toEqual(result);
    expect(uploads).toEqual([]);
    rmSync(result.repositoryPath);
    const again = await ingestFile(env.config, input, { logger: quiet, onProgress: (e) => uploads.push(e) });
    expect(again).toEqual(result);
    expect(existsSync(result.repositoryPath)).toBe(true);
    // The same dir: x264 is deterministic, so the rerun finds every segment already in S3.
    const rerun = uploads.filter((e): e is Extract<ProgressEvent, { phase: 'upload' }> => e.phase === 'upload');
    expect(rerun.filter((e) => !e.skipped).map((e) => e.key)).toEqual([]);
  });

  it('publishes fMP4 (CMAF) segments when asked: init sections, .m4s fragments, the right Content-Types, playable', async () => {
    const published = await ingestFile({ ...env.config, segmentFormat: 'fmp4' }, { file: clip, course: 'MATH-101', title: 'As CMAF' }, { logger: quiet });
    const base = `lectures/${published.dir}/`;
    const master = await getText(client, published.masterKey);
    expect(master).toMatch(/^#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",.*URI="audio\/index\.m3u8"$/m);
    const media = await getText(client, `${base}360p/index.m3u8`);
    const init = /#EXT-X-MAP:URI="([^"]+)"/.exec(media)![1]!;
    expect(init).toMatch(/^init_\d+\.mp4$/);
    expect(parseMediaPlaylist(media).segments.map((x) => x.uri)).toEqual(['seg_00000.m4s', 'seg_00001.m4s']);
    for (const [name, type] of [[`360p/${init}`, 'video/mp4'], ['360p/seg_00000.m4s', 'video/iso.segment'], ['audio/seg_00000.m4s', 'video/iso.segment']] as const) {
      const head = await client.send(new HeadObjectCommand({ Bucket: 'media', Key: `${base}${name}` }));
      expect(head.ContentType, name).toBe(type);
    }
    const probed = await execa('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,height', '-of', 'json', `${env.s3.endpoint}/media/${published.masterKey}`]);
    const json = JSON.parse(probed.stdout) as { format: { duration: string }; streams: Array<{ codec_type: string; height?: number }> };
    expect(Number(json.format.duration)).toBeGreaterThan(7.5);
    expect(json.streams.filter((x) => x.codec_type === 'video').map((x) => x.height).sort()).toEqual([240, 360]);
    expect(json.streams.some((x) => x.codec_type === 'audio')).toBe(true);
  });

  it('publishes a silent 60 fps screen capture (no audio stream, converted to 30 fps) from a file with quotes, a colon and unicode in its name', async () => {
    const silent = join(env.root, 'in', `silent 'q' "dq" : ü,[x];.mp4`);
    await makeTestClip({ path: silent, seconds: 3, width: 320, height: 240, fps: 60, audio: false });
    const published = await ingestFile(env.config, { file: silent, course: 'MATH-101', title: 'Silent' }, { logger: quiet });
    const variants = parseMasterVariants(await getText(client, published.masterKey));
    expect(variants.map((v) => v.uri)).toEqual(['240p/index.m3u8']);
    expect(variants[0]!.attributes.CODECS).toMatch(/^avc1\.[0-9a-f]{6}$/);
    // A 60 fps screen capture comes out at the 30 fps cap.
    expect(variants[0]!.attributes['FRAME-RATE']).toBe('30.000');
    const segment = `${env.s3.endpoint}/media/lectures/${published.dir}/240p/seg_00000.ts`;
    const rate = await execa('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=avg_frame_rate', '-of', 'csv=p=0', segment]);
    expect(rate.stdout.split('\n').filter(Boolean)).toContain('30/1');
    expect(rate.stdout).not.toContain('60/1');
  });

  it('fails a corrupt input with a readable error, keeps the source, publishes and uploads nothing', async () => {
    const bad = join(env.root, 'in', 'corrupt.mp4');
    writeFileSync(bad, Buffer.concat([Buffer.from('\x00\x00\x00\x18ftypisom'), Buffer.alloc(5000, 7)]));
    const before = m3u8Files(env.config.repositoryRoot).length;
    await expect(ingestFile(env.config, { file: bad, course: 'MATH-101', title: 'Broken' }, { logger: quiet })).rejects.toThrow(
      /not a readable video/,
    );
    const catalog = new SqliteCatalog(env.config.catalogPath);
    const failed = await catalog.list({ state: 'failed' });
    await catalog.close();
    expect(failed).toHaveLength(1);
    expect(failed[0]!.lastErrorCode).toBe('input_not_video');
    expect(failed[0]!.lastError).toMatch(/corrupt\.mp4 is not a readable video[\s\S]*ffmpeg stderr/);
    expect(failed[0]!.attempts).toBe(1);
    expect(failed[0]!.dir).not.toBeNull();
    expect(statSync(bad).size).toBe(5012);
    expect(m3u8Files(env.config.repositoryRoot).length).toBe(before);
    const listed = await import('./upload.ts').then((u) => u.listRemote(client, 'media', `lectures/${failed[0]!.dir}/`));
    expect(listed.size).toBe(0);
  });

  it('fails a truncated file that ffmpeg decodes "successfully" instead of publishing half a lecture', async () => {
    const whole = join(env.root, 'in', 'whole.mp4');
    await makeTestClip({ path: whole, seconds: 8, width: 320, height: 240 });
    const bytes = await import('node:fs/promises').then((fs) => fs.readFile(whole));
    const cut = join(env.root, 'in', 'cut.mp4');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.4)));
    await expect(ingestFile(env.config, { file: cut, course: 'MATH-101', title: 'Cut' }, { logger: quiet })).rejects.toMatchObject({
      code: 'input_truncated',
      message: expect.stringMatching(/the video stops at \d+\.\d s but the file says it lasts 8\.0 s: is the file truncated or damaged\?[\s\S]*partial file/),
    });
    expect(m3u8Files(join(env.config.repositoryRoot, 'MATH-101')).filter((f) => f.includes('Cut'))).toEqual([]);
  });

  it('refuses an empty file and a missing file clearly', async () => {
    const empty = join(env.root, 'in', 'empty.mp4');
    writeFileSync(empty, '');
    await expect(ingestFile(env.config, { file: empty, course: 'C', title: 'Empty' }, { logger: quiet })).rejects.toThrow(/is empty/);
    await expect(ingestFile(env.config, { file: join(env.root, 'nope.mp4'), course: 'C', title: 'X' }, { logger: quiet })).rejects.toThrow(
      /cannot read .*nope\.mp4/,
    );
    await expect(ingestFile(env.config, { file: empty, course: '../', title: 'X' }, { logger: quiet })).rejects.toThrow(/not a usable folder name/);
  });
});

describe('resuming', () => {
  let env: TestEnv;
  let client: S3Client;
  beforeAll(async () => {
    // Short leases so the rerun after a killed worker waits little; 3 s leaves the heartbeat (every 1 s) slack on a busy machine.
    env = await startTestEnv({ uploadConcurrency: 1, leaseSeconds: 3 });
    client = createS3Client(env.config);
  });
  afterAll(async () => {
    client?.destroy();
    await env?.cleanup();
  });

  it('a publish that fails after the upload leaves nothing in the repository; the rerun uploads nothing', async () => {
    const clip = join(env.root, 'in', 'a.mp4');
    await makeTestClip({ path: clip, seconds: 4, width: 320, height: 240 });
    // A file where the course folder should be: the publish step fails after upload + verify.
    mkdirSync(env.config.repositoryRoot, { recursive: true });
    writeFileSync(join(env.config.repositoryRoot, 'BIO'), 'not a folder');
    const config = { ...env.config, maxAttempts: 2, retryDelay: 100, maxRetryDelay: 100 };
    const first: ProgressEvent[] = [];
    let sawRetry = false;
    // When the first attempt has failed (and before its retry), unblock the repository.
    const logger = createLogger({
      name: 'test',
      level: 'error',
      write: (line) => {
        const record = JSON.parse(line) as { msg: string; code?: string };
        if (record.msg !== 'will retry') return;
        sawRetry = true;
        expect(record.code).toBe('publish_failed');
        expect(m3u8Files(env.config.repositoryRoot)).toEqual([]);
        rmSync(join(env.config.repositoryRoot, 'BIO'));
      },
    });
    const running = ingestFile(config, { file: clip, course: 'BIO', title: 'Cells' }, { logger, onProgress: (e) => first.push(e) });
    const published = await running;
    expect(sawRetry).toBe(true);
    const uploads = first.filter((e): e is Extract<ProgressEvent, { phase: 'upload' }> => e.phase === 'upload');
    const total = uploads[0]!.objectsTotal;
    expect(uploads.filter((e) => !e.skipped)).toHaveLength(total);
    expect(uploads.filter((e) => e.skipped)).toHaveLength(total);
    expect(existsSync(published.repositoryPath)).toBe(true);
  });

  it('cancelled mid-transcode: stops with code aborted, keeps the state, and a later run finishes', async () => {
    const clip = join(env.root, 'in', 'c.mp4');
    await makeTestClip({ path: clip, seconds: 4, width: 320, height: 240 });
    const input = { file: clip, course: 'GEO', title: 'Cancelled' };
    const controller = new AbortController();
    await expect(
      ingestFile(env.config, input, { logger: quiet, signal: controller.signal, onProgress: (e) => e.phase === 'transcode' && controller.abort() }),
    ).rejects.toMatchObject({ code: 'aborted' });
    const catalog = new SqliteCatalog(env.config.catalogPath);
    const [stopped] = (await catalog.list()).filter((r) => r.title === 'Cancelled');
    await catalog.close();
    expect(stopped).toMatchObject({ state: 'transcoding', leaseOwner: null, lastError: null });
    expect(m3u8Files(env.config.repositoryRoot).filter((f) => f.startsWith('GEO'))).toEqual([]);
    const published = await ingestFile(env.config, input, { logger: quiet });
    expect(existsSync(published.repositoryPath)).toBe(true);
    expect(statSync(clip).size).toBeGreaterThan(0);
  });

  it('a worker killed mid-upload: the rerun finishes without re-uploading what was done', async () => {
    const clip = join(env.root, 'in', 'b.mp4');
    await makeTestClip({ path: clip, seconds: 8, width: 320, height: 240 });
    const input = { file: clip, course: 'CHEM', title: 'Killed' };
    const child = execa('node', ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'kill-worker.ts'), JSON.stringify({ config: env.config, input, freezeAfter: 3 })], {
      reject: false,
      cwd: join(import.meta.dirname, '..'),
    });
    const before: string[] = [];
    await new Promise<void>((resolve, reject) => {
      let buffer = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        for (const line of buffer.split('\n').slice(0, -1)) {
          if (line.startsWith('UPLOADED ')) before.push(line.slice(9));
          if (line === 'FROZEN') resolve();
        }
        buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
      });
      void child.then((r) => reject(new Error(`worker ended before freezing: ${r.stderr}`)));
    });
    child.kill('SIGKILL');
    const ended = await child;
    expect(ended.signal).toBe('SIGKILL');
    expect(before).toHaveLength(3);
    expect(m3u8Files(env.config.repositoryRoot).filter((f) => f.startsWith('CHEM'))).toEqual([]);

    const rerun: Array<Extract<ProgressEvent, { phase: 'upload' }>> = [];
    const events: string[] = [];
    const published = await ingestFile(env.config, input, {
      logger: quiet,
      onProgress: (e) => {
        events.push(e.phase);
        if (e.phase === 'upload') rerun.push(e);
      },
    });
    expect(events).not.toContain('transcode'); // the transcode output was kept
    const skipped = rerun.filter((e) => e.skipped).map((e) => e.key);
    const uploaded = rerun.filter((e) => !e.skipped).map((e) => e.key);
    expect(skipped.sort()).toEqual([...before].sort());
    expect(uploaded.length).toBe(rerun[0]!.objectsTotal - before.length);
    expect(uploaded).toContain(published.masterKey);
    expect(existsSync(published.repositoryPath)).toBe(true);
  });
});
