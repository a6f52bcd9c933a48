/**
 * The player's benchmark (`npm run bench`): time to first frame with hlsgate on both engines (view
 * token in hand → POST /session → cookies → master → media playlist → segments) against plain
 * video.js and plain hls.js on the same lecture served without protection (`/_open/lectures/…`), in
 * Debian's Chromium, a fresh browser context (no cookies, no cache) per run, alternating, median of
 * several runs — from load (autoplay) and from play() on a ready player (lean until play). Plus the
 * sizes: the video.js plugin and the hls.js adapter alone (IIFE, min+gzip; target ≤ 15 kB) and the
 * AMD bundle (video.js inside).
 * On a real Moodle page too (the harness of testing/moodle/, as the Moodle browser tests bring it
 * up; skipped in one line without a Moodle source): a student's page with one player, fresh
 * context each run, time from the click on the big play button of the ready player to its first
 * frame, against plain video.js from play() on the unprotected stream, and the bytes the player
 * fetched from the media host before the click.
 * Query signing against cookie signing in the same run: time to first frame and the bytes exchanged
 * with the media host (request line and headers — the cookies or the signed query — and answers)
 * up to the first frame, per engine.
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
  dataDir: string;
  samplesReady: Promise<void>;
  videos(): Promise<{ src: string; res: string }[]>;
  mintToken(res: string, options?: { ttl?: number }): string;
  stop(): Promise<void>;
}
const STACK_MODULE = '../demo/stack/stack.ts';
/** What the bench uses of the Moodle harness (testing/moodle/site.ts) and the dev keys (demo/stack/keys.ts), also by path. */
interface BenchMoodle {
  url: string;
  helper<T>(request: Record<string, unknown>): Promise<T>;
  configureFilter(settings: object): Promise<void>;
  publishPlaylists(repositoryRoot: string): void;
  stop(): Promise<void>;
  manifest: { password: string };
}
const MOODLE_MODULE: string = '../testing/moodle/site.ts';
const KEYS_MODULE: string = '../demo/stack/keys.ts';

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
// engine: videojs | hlsjs; mode: plain (unprotected stream) | hlsgate (cookies) | query (signed query); fromPlay: the clock starts at
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
      player.hlsgate({ src, getToken: async () => token, signing: mode === 'query' ? 'query' : 'cookie' });
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
      hlsgateHlsjs.attachHlsgate(hls, video, { src, getToken: async () => token, signing: mode === 'query' ? 'query' : 'cookie' });
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

  // The Moodle's port first: the stack lets its origin in.
  const moodlePort = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
  const { startStack, moodleFilterSettings } = (await import(STACK_MODULE)) as {
    startStack(options: object): Promise<BenchStack>;
    moodleFilterSettings(o: { mediaUrl: string; moodleUrl: string; keys: object }): object;
  };
  const stack = await startStack({
    moodleUrl: `http://localhost:${moodlePort}`,
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
    type Case = { engine: 'videojs' | 'hlsjs'; mode: 'plain' | 'hlsgate' | 'query'; fromPlay: boolean };
    /** Time to first frame, and the bytes exchanged with the media host until then. */
    const measure = async ({ engine, mode, fromPlay }: Case): Promise<{ ms: number; bytes: number }> => {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        await page.goto(`http://localhost:${pagePort}/`);
        const sizes: Promise<number>[] = [];
        let counting = true;
        page.on('requestfinished', (request) => {
          if (counting && request.url().startsWith(stack.urls.media)) {
            sizes.push(request.sizes().then((z) => z.requestHeadersSize + z.requestBodySize + z.responseHeadersSize + z.responseBodySize, () => 0));
          }
        });
        const token = stack.mintToken(video.res, { ttl: 600 });
        const args = [engine, mode, mode === 'plain' ? openSrc : video.src, token, fromPlay] as const;
        type FirstFrame = (...a: typeof args) => Promise<number>;
        const ms = await page.evaluate((a) => (window as unknown as { firstFrame: FirstFrame }).firstFrame(...a), args);
        counting = false;
        const bytes = (await Promise.all(sizes)).reduce((a, b) => a + b, 0);
        return { ms, bytes };
      } finally {
        await context.close();
      }
    };
    const runOnce = async (c: Case) => (await measure(c)).ms;
    const cases: Case[] = [];
    for (const fromPlay of [false, true]) for (const engine of ['videojs', 'hlsjs'] as const) for (const mode of ['plain', 'hlsgate', 'query'] as const) cases.push({ engine, mode, fromPlay });
    const key = (c: Case) => `${c.engine}.${c.mode}.${c.fromPlay ? 'fromPlay' : 'fromLoad'}`;
    const times: Record<string, number[]> = Object.fromEntries(cases.map((c) => [key(c), []]));
    const bytesOf: Record<string, number[]> = Object.fromEntries(cases.map((c) => [key(c), []]));
    for (const c of cases.slice(0, 6)) await runOnce(c); // warm-up: S3 and the OS cache, not counted
    for (let i = 0; i < RUNS; i += 1) {
      // Alternating order, so a slow spell of the machine spreads over every case.
      for (const c of i % 2 ? [...cases].reverse() : cases) {
        const { ms, bytes } = await measure(c);
        times[key(c)]!.push(ms);
        bytesOf[key(c)]!.push(bytes);
      }
    }
    const med = (k: string) => Math.round(median(times[k]!));
    const row = (engine: string, fromPlay: boolean) => {
      const suffix = fromPlay ? 'fromPlay' : 'fromLoad';
      const plain = med(`${engine}.plain.${suffix}`);
      const hlsgate = med(`${engine}.hlsgate.${suffix}`);
      return { plain, hlsgate, extraMs: hlsgate - plain, ratio: Math.round((hlsgate / plain) * 100) / 100 };
    };
    /** Query signing against cookie signing, same run: time to first frame and bytes up to it (medians). */
    const signingRow = (engine: string, fromPlay: boolean) => {
      const suffix = fromPlay ? 'fromPlay' : 'fromLoad';
      const cookie = med(`${engine}.hlsgate.${suffix}`);
      const query = med(`${engine}.query.${suffix}`);
      const cookieBytes = median(bytesOf[`${engine}.hlsgate.${suffix}`]!);
      const queryBytes = median(bytesOf[`${engine}.query.${suffix}`]!);
      return { cookieMs: cookie, queryMs: query, extraMs: query - cookie, cookieBytes, queryBytes, extraBytes: queryBytes - cookieBytes };
    };
    const result = {
      runs: RUNS,
      querySigning: {
        fromLoad: { videojs: signingRow('videojs', false), hlsjs: signingRow('hlsjs', false) },
        fromPlay: { videojs: signingRow('videojs', true), hlsjs: signingRow('hlsjs', true) },
        bytes: Object.fromEntries(Object.entries(bytesOf).filter(([k]) => !k.includes('.plain.'))),
      },
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
        console.log(`    ${engine === 'videojs' ? 'video.js' : 'hls.js  '}  plain ${r.plain} ms   hlsgate ${r.hlsgate} ms   (${r.extraMs >= 0 ? '+' : ''}${r.extraMs} ms, ×${r.ratio})`);
      }
    }
    console.log(`player: query signing against cookie signing, same run (medians; bytes = request lines, headers and answers to the media host up to the first frame)`);
    for (const [label, part] of [
      ['from load', result.querySigning.fromLoad],
      ['from play()', result.querySigning.fromPlay],
    ] as const) {
      console.log(`  ${label}`);
      for (const engine of ['videojs', 'hlsjs'] as const) {
        const r = part[engine];
        const sign = (n: number) => `${n >= 0 ? '+' : ''}${n}`;
        console.log(`    ${engine === 'videojs' ? 'video.js' : 'hls.js  '}  cookie ${r.cookieMs} ms ${r.cookieBytes} B   query ${r.queryMs} ms ${r.queryBytes} B   (${sign(r.extraMs)} ms, ${sign(r.extraBytes)} B)`);
      }
    }
    console.log(`player: sizes (min+gzip -9)`);
    console.log(`  video.js plugin alone (IIFE)  ${kb(size.pluginMinGzipBytes)} kB   (target ≤ 15 kB: ${size.pluginMinGzipBytes <= 15 * 1024 ? 'met' : 'MISSED'})`);
    console.log(`  hls.js adapter alone (IIFE)   ${kb(size.hlsjsAdapterMinGzipBytes)} kB   (with its control bar; hls.js alone ${kb(size.hlsjsMinGzipBytes)} kB)`);
    console.log(`  AMD bundle with video.js      ${kb(size.amdMinGzipBytes)} kB   (video.js alone ${kb(size.videojsMinGzipBytes)} kB, ×${result.size.amdOverVideojsRatio})`);
    // 4. A real Moodle page: click → first frame, against plain video.js from play() in the same run.
    const moodleResult = await benchMoodle({ port: moodlePort, stack, video, settings: moodleFilterSettings, plain: () => runOnce({ engine: 'videojs', mode: 'plain', fromPlay: true }) });
    (result as Record<string, unknown>).moodle = moodleResult;
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

/** Time from the click on a ready player of a real Moodle page to its first frame, and its bytes before play. */
async function benchMoodle(o: {
  port: number;
  stack: BenchStack;
  video: { src: string };
  settings: (o: { mediaUrl: string; moodleUrl: string; keys: object }) => object;
  plain: () => Promise<number>;
}): Promise<object> {
  const { startMoodle } = (await import(MOODLE_MODULE)) as {
    startMoodle(options: object): Promise<{ available: false; reason: string } | { available: true; site: BenchMoodle }>;
  };
  const started = await startMoodle({ port: o.port });
  if (!started.available) {
    console.log(`player: Moodle page skipped: ${started.reason}`);
    return { skipped: started.reason };
  }
  const site = started.site;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const { loadOrCreateDevKeys } = (await import(KEYS_MODULE)) as { loadOrCreateDevKeys(dataDir: string): object };
    await site.configureFilter(o.settings({ mediaUrl: o.stack.urls.media, moodleUrl: site.url, keys: loadOrCreateDevKeys(o.stack.dataDir) }));
    site.publishPlaylists(join(o.stack.dataDir, 'repository'));
    const { url } = await site.helper<{ url: string }>({ command: 'page', course: 'HLSA', name: 'Bench lecture', html: `<p><a href="${o.video.src}">Lecture</a></p>` });
    // The student's Moodle session, reused by every fresh context (no media cookies, no cache).
    const login = await browser.newContext();
    const loginPage = await login.newPage();
    await loginPage.goto(`${site.url}/login/index.php`);
    await loginPage.locator('#username').fill('student1');
    await loginPage.locator('#password').fill(site.manifest.password);
    await loginPage.locator('#loginbtn').click();
    await loginPage.waitForURL((u) => !u.pathname.startsWith('/login/'));
    const storageState = await login.storageState();
    await login.close();
    const runOnce = async () => {
      const context = await browser.newContext({ storageState });
      try {
        const page = await context.newPage();
        let bytes = 0;
        let counting = true;
        page.on('requestfinished', (request) => {
          if (!counting || !request.url().startsWith(o.stack.urls.media)) return;
          void request.sizes().then((sz) => { if (counting) bytes += sz.responseBodySize + sz.responseHeadersSize; }, () => undefined);
        });
        const session = page.waitForResponse((r) => r.url().endsWith('/_auth/session') && r.request().method() === 'POST', { timeout: 60_000 });
        await page.goto(url);
        await page.locator('span.filter_hlsgate[data-hlsgate-ready="1"] .vjs-big-play-button').waitFor({ timeout: 60_000 });
        await session;
        await page.waitForTimeout(1_000); // whatever a ready player still fetches before play
        counting = false;
        const ms = await page.evaluate(() => new Promise<number>((resolve) => {
          const video = document.querySelector<HTMLVideoElement>('span.filter_hlsgate video')!;
          video.muted = true;
          const t0 = performance.now();
          video.requestVideoFrameCallback(() => resolve(performance.now() - t0));
          document.querySelector<HTMLElement>('span.filter_hlsgate .vjs-big-play-button')!.click();
        }));
        return { ms, bytes };
      } finally {
        await context.close();
      }
    };
    await runOnce(); // warm-up: Moodle's caches (JS, theme), not counted
    const moodle: number[] = [];
    const plain: number[] = [];
    const bytes: number[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      const m = i % 2 ? await runOnce() : undefined;
      plain.push(await o.plain());
      const n = m ?? (await runOnce());
      moodle.push(n.ms);
      bytes.push(n.bytes);
    }
    const plainMs = Math.round(median(plain));
    const moodleMs = Math.round(median(moodle));
    const r = {
      runs: RUNS,
      timeToFirstFrameFromClickMs: { plainVideojs: plainMs, moodle: moodleMs, extraMs: moodleMs - plainMs, ratio: Math.round((moodleMs / plainMs) * 100) / 100 },
      bytesBeforePlayPerPlayer: { median: median(bytes), max: Math.max(...bytes) },
      samples: { plain: plain.map(Math.round), moodle: moodle.map(Math.round), bytes },
    };
    console.log(`player: a real Moodle page (${site.url}), one player, median of ${RUNS} fresh contexts`);
    console.log(`  click on the ready player → first frame  plain video.js ${plainMs} ms   Moodle ${moodleMs} ms   (${r.timeToFirstFrameFromClickMs.extraMs >= 0 ? '+' : ''}${r.timeToFirstFrameFromClickMs.extraMs} ms, ×${r.timeToFirstFrameFromClickMs.ratio})`);
    console.log(`  bytes from the media host before play, per player  median ${r.bytesBeforePlayPerPlayer.median}   max ${r.bytesBeforePlayPerPlayer.max}`);
    return r;
  } finally {
    await browser.close();
    await site.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
