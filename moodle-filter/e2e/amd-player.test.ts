/**
 * The AMD entry filter_hlsgate/player in Chromium, end to end: a stand-in Moodle (php -S with
 * e2e/fake-moodle.php: the page filtered by the real link matcher, lib/ajax/service.php running the
 * real PHP minter) in front of the real local stack (embedded S3, CloudFront stand-in, auth server)
 * and the real player bundle. Checks that both placeholders of a course page play (a repository
 * copy through its master playlist, a pasted URL), that their first tokens come in one AJAX
 * request, that refusals show Moodle's message, and that video.js's stylesheet is added.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { chromium, type Browser, type Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_TYPES } from '../../common/contracts.ts';
import { createLogger } from '../../common/log.ts';
import { loadOrCreateDevKeys } from '../../demo/stack/keys.ts';
import { BUCKET, PREFIX, startStack, type Stack } from '../../demo/stack/stack.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${url} did not answer`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A 6-second HLS rendition made with ffmpeg, and a master naming it relatively (the S3 copy). */
function makeHls(dir: string): void {
  mkdirSync(join(dir, '360p'), { recursive: true });
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=15', '-f', 'lavfi', '-i',
    'sine=frequency=440', '-t', '6', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '30',
    '-c:a', 'aac', '-b:a', '64k', '-f', 'hls', '-hls_time', '2', '-hls_playlist_type', 'vod',
    '-hls_segment_filename', join(dir, '360p/seg_%03d.ts'), join(dir, '360p/index.m3u8')]);
  writeFileSync(join(dir, 'master.m3u8'),
    '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=320x180,CODECS="avc1.42c00d,mp4a.40.2"\n360p/index.m3u8\n');
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]);
}

describe('filter_hlsgate/player in Chromium against the local stack', () => {
  const work = mkdtempSync(join(tmpdir(), 'hlsgate-moodle-e2e-'));
  const bundle = join(work, 'player/hlsgate.amd.js');
  const videoDir = randomBytes(16).toString('base64url');
  let stack: Stack;
  let php: ChildProcess | undefined;
  let browser: Browser;
  let page: Page;
  let wwwroot = '';
  const serviceCalls: string[] = [];
  const consoleErrors: string[] = [];
  const failedResponses: string[] = [];

  beforeAll(async () => {
    // The player bundle of the current sources, as npm run build:moodle packages it.
    execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'player/vite.config.ts'], {
      cwd: root,
      env: { ...process.env, HLSGATE_PLAYER_OUT_DIR: join(work, 'player') },
      stdio: 'ignore',
    });
    expect(existsSync(bundle)).toBe(true);
    const moodlePort = await freePort();
    wwwroot = `http://localhost:${moodlePort}`;
    const dataDir = join(work, 'stack');
    // The stack lets the "demo" origin use the media host and the auth server: that is our Moodle.
    stack = await startStack({
      dataDir,
      ports: { media: 0, auth: 0, s3: 0, demo: moodlePort },
      logger: createLogger({ name: 'moodle-e2e', level: 'warn' }),
    });
    const media = new URL(stack.mediaBaseUrl).origin;

    const hls = join(work, 'hls');
    makeHls(hls);
    const s3 = new S3Client(stack.s3Config);
    for (const file of listFiles(hls)) {
      await s3.send(new PutObjectCommand({
        Bucket: BUCKET,
        Key: `${PREFIX}/${videoDir}/${file}`,
        Body: readFileSync(join(hls, file)),
        ContentType: CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      }));
    }
    s3.destroy();

    // The Moodle side: the repository copy (absolute variant URIs) and a file that is not HLS.
    const files = join(work, 'files');
    mkdirSync(files);
    writeFileSync(join(files, 'lecture1.m3u8'), readFileSync(join(hls, 'master.m3u8'), 'utf8')
      .replace('360p/index.m3u8', `${stack.mediaBaseUrl}${videoDir}/360p/index.m3u8`));
    writeFileSync(join(files, 'notes.m3u8'), '<!DOCTYPE html><p>Lecture notes</p>');

    const keys = loadOrCreateDevKeys(dataDir);
    php = spawn('php', ['-S', `127.0.0.1:${moodlePort}`, join(here, 'fake-moodle.php')], {
      // One process (no PHP_CLI_SERVER_WORKERS): forked workers outlive a killed parent.
      stdio: ['ignore', 'ignore', 'ignore'],
      env: {
        ...process.env,
        HLSGATE_E2E_WWWROOT: wwwroot,
        HLSGATE_E2E_ISSUER: media,
        HLSGATE_E2E_KID: keys.tokenKid,
        HLSGATE_E2E_SECRET: keys.tokenSecret,
        HLSGATE_E2E_MEDIA_BASE: stack.mediaBaseUrl,
        HLSGATE_E2E_AUTH_URL: `${media}/_auth`,
        HLSGATE_E2E_FILES: files,
        HLSGATE_E2E_BUNDLE: bundle,
        HLSGATE_E2E_VIDEOJS_CSS: join(root, 'node_modules/video.js/dist/video-js.min.css'),
        HLSGATE_E2E_PASTED: `${stack.mediaBaseUrl}${videoDir}/master.m3u8`,
      },
    });
    await waitForHttp(`${wwwroot}/e2e/amd-loader.js`, 20_000);

    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
    });
    page = await browser.newPage();
    page.on('request', (request) => {
      if (request.url().includes('/lib/ajax/service.php')) serviceCalls.push(request.postData() ?? '');
    });
    page.on('response', (response) => {
      if (response.status() >= 400) failedResponses.push(`${response.status()} ${response.url()}`);
    });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    await page.goto(wwwroot);
    await page.waitForFunction(() => (window as unknown as { hlsgateInit?: Promise<void> }).hlsgateInit !== undefined);
    await page.evaluate(() => (window as unknown as { hlsgateInit: Promise<void> }).hlsgateInit);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (php && php.exitCode === null) {
      const exited = new Promise((resolve) => php!.once('exit', resolve));
      php.kill();
      await exited;
    }
    await stack?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('asks for every player’s first token in one request', () => {
    expect(serviceCalls).toHaveLength(1);
    expect(JSON.parse(serviceCalls[0]!)).toHaveLength(4);
  });

  it('builds a player for the repository copy and one for the pasted URL, and both play', async () => {
    const states = await page.$$eval('span.filter_hlsgate', (spans) => spans.map((s) => s.getAttribute('data-hlsgate-ready')));
    expect(states).toEqual(['1', '1', 'failed', 'failed']);
    await page.$$eval('span.filter_hlsgate[data-hlsgate-ready="1"] video', (videos) => {
      for (const video of videos as HTMLVideoElement[]) {
        video.muted = true;
        void video.play();
      }
    });
    await page.waitForFunction(() => {
      const videos = [...document.querySelectorAll('span.filter_hlsgate[data-hlsgate-ready="1"] video')] as HTMLVideoElement[];
      return videos.length === 2 && videos.every((v) => v.currentTime > 1.5);
    }, undefined, { timeout: 45_000, polling: 250 });
    // The title bar shows the link text; the watermark the token's wm.
    expect(await page.textContent('span.filter_hlsgate >> nth=0')).toContain('Lecture 1');
    // Both players carry the viewer's watermark, the second one too although it shares the first one's session.
    expect(await page.$$eval('span.filter_hlsgate .vjs-hlsgate-watermark', (els) => els.map((el) => el.textContent)))
      .toEqual(['Student One · student1@example.test', 'Student One · student1@example.test']);
  });

  it('shows Moodle’s message when the file is not HLS or the user has no access', async () => {
    const messages = await page.$$eval('span.filter_hlsgate .filter_hlsgate_message', (els) =>
      els.map((el) => ((el as HTMLElement).hidden ? '' : el.textContent)));
    expect(messages).toEqual(['', '', 'This file is not an HLS video playlist.', 'Course or activity not accessible. (Not enrolled)']);
  });

  it('adds video.js’s stylesheet when the page has none, and logs no error', async () => {
    expect(await page.$$eval('link[href$="/filter/hlsgate/videojs/video-js.min.css"]', (l) => l.length)).toBe(1);
    expect(failedResponses).toEqual([]);
    expect(consoleErrors.filter((e) => !e.includes('filter_hlsgate: '))).toEqual([]);
  });
});
