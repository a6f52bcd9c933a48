/**
 * The player's benchmark (`npm run bench`): time to first frame with hlsgate (view token in hand →
 * POST /session → cookies → master → media playlist → segments) against plain video.js on the same
 * lecture served without protection (`/_open/lectures/…`), in Debian's Chromium, a fresh browser
 * context (no cookies, no cache) per run, alternating, median of several runs. Plus the plugin's size
 * alone (IIFE, min+gzip; target ≤ 15 kB) and the AMD bundle's (video.js inside).
 * Prints figures and ratios; writes bench-results/player.json.
 *
 * The token is fetched before the clock starts: in Moodle that round trip is the page's, not the
 * player's. Target: at most one extra round trip, under 100 ms extra on localhost.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';

/** What the bench uses of demo/stack/stack.ts (imported by path: the demo project already depends on this one). */
interface BenchStack {
  urls: { media: string };
  samplesReady: Promise<void>;
  videos(): Promise<{ src: string; res: string }[]>;
  mintToken(res: string, options?: { ttl?: number }): string;
  stop(): Promise<void>;
}
const STACK_MODULE = '../demo/stack/stack.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.env.HLSGATE_BENCH_RUNS ?? 11);
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const kb = (bytes: number) => Math.round(bytes / 102.4) / 10;

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="/video-js.css"></head>
<body><div id="slot" style="width:640px"></div>
<script src="/video.min.js"></script><script src="/hlsgate.iife.js"></script>
<script>
window.firstFrame = (mode, src, token) => new Promise((resolve, reject) => {
  const el = document.createElement('video-js');
  el.className = 'video-js';
  document.getElementById('slot').appendChild(el);
  const t0 = performance.now();
  const player = videojs(el, { controls: true, muted: true, autoplay: 'muted', preload: 'auto',
    html5: { vhs: { overrideNative: true }, nativeAudioTracks: false, nativeVideoTracks: false } });
  const video = el.querySelector('video');
  video.requestVideoFrameCallback(() => resolve(performance.now() - t0));
  player.on('error', () => reject(new Error(player.error() && player.error().message)));
  if (mode === 'plain') player.src({ src, type: 'application/x-mpegURL' });
  else player.hlsgate({ src, getToken: async () => token });
});
</script></body></html>`;

async function main(): Promise<void> {
  // 1. Build the player into a temporary folder, and measure it.
  const out = mkdtempSync(join(tmpdir(), 'hlsgate-bench-'));
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(ROOT, 'player/vite.config.ts')], {
    env: { ...process.env, HLSGATE_PLAYER_OUT_DIR: out },
    stdio: 'pipe',
  });
  const iife = readFileSync(join(out, 'hlsgate.iife.js'));
  const amd = readFileSync(join(out, 'hlsgate.amd.js'));
  const videojsMin = readFileSync(join(ROOT, 'node_modules/video.js/dist/video.min.js'));
  const size = {
    pluginMinBytes: iife.length,
    pluginMinGzipBytes: gzipSync(iife, { level: 9 }).length,
    amdMinBytes: amd.length,
    amdMinGzipBytes: gzipSync(amd, { level: 9 }).length,
    videojsMinGzipBytes: gzipSync(videojsMin, { level: 9 }).length,
  };

  // 2. A static page for both players, on a port the stack then allows as the demo origin.
  const files: Record<string, [Buffer | string, string]> = {
    '/': [PAGE, 'text/html'],
    '/video.min.js': [videojsMin, 'text/javascript'],
    '/video-js.css': [readFileSync(join(ROOT, 'node_modules/video.js/dist/video-js.css')), 'text/css'],
    '/hlsgate.iife.js': [iife, 'text/javascript'],
  };
  const pageServer = createServer((req, res) => {
    const file = files[(req.url ?? '/').split('?')[0]!];
    if (!file) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file[1], 'cache-control': 'no-store' }).end(file[0]);
  });
  await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
  const pagePort = (pageServer.address() as AddressInfo).port;

  const { startStack } = (await import(STACK_MODULE)) as { startStack(options: object): Promise<BenchStack> };
  const stack = await startStack({
    ports: { media: 0, auth: 0, s3: 0, demo: pagePort },
    demoPage: false,
    sampleLectures: true,
    unprotectedPrefix: true,
    cookieTtl: 600,
  });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    await stack.samplesReady;
    const video = (await stack.videos())[0]!;
    const openSrc = video.src.replace(`${stack.urls.media}/lectures/`, `${stack.urls.media}/_open/lectures/`);
    const times: Record<'plain' | 'hlsgate', number[]> = { plain: [], hlsgate: [] };
    const runOnce = async (mode: 'plain' | 'hlsgate') => {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        await page.goto(`http://localhost:${pagePort}/`);
        const token = stack.mintToken(video.res, { ttl: 600 });
        return await page.evaluate(([m, s, t]) => (window as unknown as { firstFrame(a: string, b: string, c: string): Promise<number> }).firstFrame(m, s, t), [
          mode,
          mode === 'plain' ? openSrc : video.src,
          token,
        ] as const);
      } finally {
        await context.close();
      }
    };
    await runOnce('plain'); // warm-up: S3 and the OS cache, not counted
    await runOnce('hlsgate');
    for (let i = 0; i < RUNS; i += 1) {
      for (const mode of i % 2 ? (['hlsgate', 'plain'] as const) : (['plain', 'hlsgate'] as const)) times[mode].push(await runOnce(mode));
    }
    const plain = median(times.plain);
    const hlsgate = median(times.hlsgate);
    const result = {
      runs: RUNS,
      timeToFirstFrameMs: {
        plainVideojs: Math.round(plain),
        hlsgate: Math.round(hlsgate),
        extraMs: Math.round(hlsgate - plain),
        ratio: Math.round((hlsgate / plain) * 100) / 100,
        samples: { plain: times.plain.map(Math.round), hlsgate: times.hlsgate.map(Math.round) },
      },
      size: {
        ...size,
        pluginTargetBytes: 15 * 1024,
        pluginWithinTarget: size.pluginMinGzipBytes <= 15 * 1024,
        amdOverVideojsRatio: Math.round((size.amdMinGzipBytes / size.videojsMinGzipBytes) * 100) / 100,
      },
      chromium: browser.version(),
      date: new Date().toISOString(),
    };
    console.log(`player: time to first frame, median of ${RUNS} fresh contexts (localhost)`);
    console.log(`  plain video.js, unprotected   ${result.timeToFirstFrameMs.plainVideojs} ms`);
    console.log(`  hlsgate (session + cookies)   ${result.timeToFirstFrameMs.hlsgate} ms   (+${result.timeToFirstFrameMs.extraMs} ms, ×${result.timeToFirstFrameMs.ratio}; target < +100 ms)`);
    console.log(`player: sizes (min+gzip -9)`);
    console.log(`  plugin alone (IIFE)           ${kb(size.pluginMinGzipBytes)} kB   (target ≤ 15 kB: ${result.size.pluginWithinTarget ? 'met' : 'MISSED'})`);
    console.log(`  AMD bundle with video.js      ${kb(size.amdMinGzipBytes)} kB   (video.js alone ${kb(size.videojsMinGzipBytes)} kB, ×${result.size.amdOverVideojsRatio})`);
    mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench-results/player.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log('  → bench-results/player.json');
  } finally {
    await browser.close();
    await stack.stop();
    await new Promise<void>((resolve) => pageServer.close(() => resolve()));
    rmSync(out, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
