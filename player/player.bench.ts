/**
 * The player's benchmark (`npm run bench`): time to first frame with hlsgate on both engines (view
 * token in hand → POST /session → cookies → master → media playlist → segments) against plain
 * video.js and plain hls.js on the same lecture served without protection (`/_open/lectures/…`), in
 * Debian's Chromium, a fresh browser context (no cookies, no cache) per run, alternating, median of
 * several runs — from load (autoplay) and from play() on a ready player (lean until play). Plus the
 * sizes: the video.js plugin and the hls.js adapter alone (IIFE, min+gzip; target ≤ 15 kB) and the
 * AMD bundle (video.js inside).
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
<script src="/hls.min.js"></script><script src="/hlsgate-hlsjs.iife.js"></script>
<script>
// engine: videojs | hlsjs; mode: plain (unprotected stream) | hlsgate; fromPlay: the clock starts at
// play() on a player that is ready (lean: session done, nothing buffered), else at creation (autoplay).
window.firstFrame = (engine, mode, src, token, fromPlay) => new Promise((resolve, reject) => {
  const slot = document.getElementById('slot');
  let t0 = performance.now();
  let video;
  const frame = () => video.requestVideoFrameCallback(() => resolve(performance.now() - t0));
  const go = (play) => { t0 = performance.now(); frame(); play(); };
  if (engine === 'videojs') {
    const el = document.createElement('video-js');
    el.className = 'video-js';
    slot.appendChild(el);
    const player = videojs(el, { controls: true, muted: true, autoplay: fromPlay ? false : 'muted', preload: fromPlay ? 'none' : 'auto',
      html5: { vhs: { overrideNative: true }, nativeAudioTracks: false, nativeVideoTracks: false } });
    video = el.querySelector('video');
    player.on('error', () => reject(new Error(player.error() && player.error().message)));
    const play = () => player.play();
    if (mode === 'plain') { player.src({ src, type: 'application/x-mpegURL' }); if (fromPlay) setTimeout(() => go(play), 50); }
    else {
      player.hlsgate({ src, getToken: async () => token });
      if (fromPlay) player.one('hlsgate:session', () => setTimeout(() => go(play), 50));
    }
    if (!fromPlay) frame();
  } else {
    video = document.createElement('video');
    video.muted = true;
    video.autoplay = !fromPlay;
    slot.appendChild(video);
    const hls = new Hls(mode === 'plain' && fromPlay ? { autoStartLoad: false } : {});
    hls.on(Hls.Events.ERROR, (e, data) => data.fatal && reject(new Error(data.details)));
    if (mode === 'plain') {
      hls.loadSource(src);
      hls.attachMedia(video);
      if (fromPlay) hls.once(Hls.Events.MANIFEST_PARSED, () => go(() => { hls.startLoad(-1); video.play(); }));
    } else {
      hlsgateHlsjs.attachHlsgate(hls, video, { src, getToken: async () => token });
      if (fromPlay) hls.once(Hls.Events.MANIFEST_PARSED, () => go(() => video.play()));
    }
    if (!fromPlay) frame();
  }
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
  const hlsjsIife = readFileSync(join(out, 'hlsgate-hlsjs.iife.js'));
  const amd = readFileSync(join(out, 'hlsgate.amd.js'));
  const videojsMin = readFileSync(join(ROOT, 'node_modules/video.js/dist/video.min.js'));
  const hlsMin = readFileSync(join(ROOT, 'node_modules/hls.js/dist/hls.min.js'));
  const gz = (b: Buffer) => gzipSync(b, { level: 9 }).length;
  const size = {
    pluginMinBytes: iife.length,
    pluginMinGzipBytes: gz(iife),
    hlsjsAdapterMinBytes: hlsjsIife.length,
    hlsjsAdapterMinGzipBytes: gz(hlsjsIife),
    amdMinBytes: amd.length,
    amdMinGzipBytes: gz(amd),
    videojsMinGzipBytes: gz(videojsMin),
    hlsjsMinGzipBytes: gz(hlsMin),
  };

  // 2. A static page for both players, on a port the stack then allows as the demo origin.
  const files: Record<string, [Buffer | string, string]> = {
    '/': [PAGE, 'text/html'],
    '/video.min.js': [videojsMin, 'text/javascript'],
    '/video-js.css': [readFileSync(join(ROOT, 'node_modules/video.js/dist/video-js.css')), 'text/css'],
    '/hlsgate.iife.js': [iife, 'text/javascript'],
    '/hls.min.js': [hlsMin, 'text/javascript'],
    '/hlsgate-hlsjs.iife.js': [hlsjsIife, 'text/javascript'],
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
    type Case = { engine: 'videojs' | 'hlsjs'; mode: 'plain' | 'hlsgate'; fromPlay: boolean };
    const runOnce = async ({ engine, mode, fromPlay }: Case) => {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        await page.goto(`http://localhost:${pagePort}/`);
        const token = stack.mintToken(video.res, { ttl: 600 });
        const args = [engine, mode, mode === 'plain' ? openSrc : video.src, token, fromPlay] as const;
        type FirstFrame = (...a: typeof args) => Promise<number>;
        return await page.evaluate((a) => (window as unknown as { firstFrame: FirstFrame }).firstFrame(...a), args);
      } finally {
        await context.close();
      }
    };
    const cases: Case[] = [];
    for (const fromPlay of [false, true]) for (const engine of ['videojs', 'hlsjs'] as const) for (const mode of ['plain', 'hlsgate'] as const) cases.push({ engine, mode, fromPlay });
    const key = (c: Case) => `${c.engine}.${c.mode}.${c.fromPlay ? 'fromPlay' : 'fromLoad'}`;
    const times: Record<string, number[]> = Object.fromEntries(cases.map((c) => [key(c), []]));
    for (const c of cases.slice(0, 4)) await runOnce(c); // warm-up: S3 and the OS cache, not counted
    for (let i = 0; i < RUNS; i += 1) {
      // Alternating order, so a slow spell of the machine spreads over every case.
      for (const c of i % 2 ? [...cases].reverse() : cases) times[key(c)]!.push(await runOnce(c));
    }
    const med = (k: string) => Math.round(median(times[k]!));
    const row = (engine: string, fromPlay: boolean) => {
      const suffix = fromPlay ? 'fromPlay' : 'fromLoad';
      const plain = med(`${engine}.plain.${suffix}`);
      const hlsgate = med(`${engine}.hlsgate.${suffix}`);
      return { plain, hlsgate, extraMs: hlsgate - plain, ratio: Math.round((hlsgate / plain) * 100) / 100 };
    };
    const result = {
      runs: RUNS,
      timeToFirstFrameMs: {
        fromLoad: { videojs: row('videojs', false), hlsjs: row('hlsjs', false) },
        fromPlay: { videojs: row('videojs', true), hlsjs: row('hlsjs', true) },
        samples: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, v.map(Math.round)])),
      },
      size: {
        ...size,
        pluginTargetBytes: 15 * 1024,
        pluginWithinTarget: size.pluginMinGzipBytes <= 15 * 1024 && size.hlsjsAdapterMinGzipBytes <= 15 * 1024,
        amdOverVideojsRatio: Math.round((size.amdMinGzipBytes / size.videojsMinGzipBytes) * 100) / 100,
      },
      chromium: browser.version(),
      date: new Date().toISOString(),
    };
    const t = result.timeToFirstFrameMs;
    console.log(`player: time to first frame, median of ${RUNS} fresh contexts (localhost); plain = the engine alone on the unprotected stream`);
    for (const [label, part] of [
      ['from load (autoplay; hlsgate: token in hand → session → media)', t.fromLoad],
      ['from play() on a ready player (hlsgate lean: session done, nothing buffered; plain: playlists only)', t.fromPlay],
    ] as const) {
      console.log(`  ${label}`);
      for (const engine of ['videojs', 'hlsjs'] as const) {
        const r = part[engine];
        console.log(`    ${engine === 'videojs' ? 'video.js' : 'hls.js  '}  plain ${r.plain} ms   hlsgate ${r.hlsgate} ms   (+${r.extraMs} ms, ×${r.ratio})`);
      }
    }
    console.log(`player: sizes (min+gzip -9)`);
    console.log(`  video.js plugin alone (IIFE)  ${kb(size.pluginMinGzipBytes)} kB   (target ≤ 15 kB: ${size.pluginMinGzipBytes <= 15 * 1024 ? 'met' : 'MISSED'})`);
    console.log(`  hls.js adapter alone (IIFE)   ${kb(size.hlsjsAdapterMinGzipBytes)} kB   (with its control bar; hls.js alone ${kb(size.hlsjsMinGzipBytes)} kB)`);
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
