/**
 * What a per-viewer signed playlist costs the auth server (issue 18), run by `npm run bench`:
 *   npx tsx server/signed-playlist.bench.ts
 *
 * In-process, one core:
 *   rewrite   `rewriteMedia` of a media playlist of N segments (resolve each URI against the
 *             unsigned URL, check it stays in the video, append the signed query): µs per playlist
 *             and per segment, N = 100, 1,000 (≈ 1 h 40 min of 6-s segments), 10,000
 *   signature one RSA-SHA1 signature of a policy (what a cache miss adds; playlists of one video in
 *             one expiry minute share it)
 *   route     `GET /playlist/<dir>/<rendition>/index.m3u8?cap=…` through the real app (capability
 *             check, rate limits, log line, read from a loopback origin over HTTP, rewrite), N = 1,000
 * Figures are printed and written to bench-results/signed-playlist.json. No targets: the figure is
 * for judging whether the server may serve native-HLS viewers (one master + one media playlist per
 * viewer and rendition switch, against one POST /session per refresh in the other modes).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../common/log.ts';
import { createApp } from './app.ts';
import { buildPolicy, signPolicy, signedQueryString } from './policy.ts';
import { rewriteMedia } from './signed-playlist.ts';
import { makeTestServer } from './test-config.ts';

const DIR = 'BenchDir0123456789abcd';

function mediaPlaylist(segments: number): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:6', '#EXT-X-PLAYLIST-TYPE:VOD'];
  for (let i = 1; i <= segments; i++) lines.push('#EXTINF:6.000,', `seg_${String(i).padStart(5, '0')}.ts`);
  lines.push('#EXT-X-ENDLIST', '');
  return lines.join('\n');
}

function timeIt(fn: () => void, minMs = 1500): { perCallUs: number; calls: number } {
  for (let i = 0; i < 5; i++) fn();
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    fn();
    calls++;
    elapsed = performance.now() - start;
  }
  return { perCallUs: Math.round((elapsed * 1000) / calls * 10) / 10, calls };
}

async function timeAsync(fn: () => Promise<void>, minMs = 3000): Promise<{ perCallUs: number; calls: number }> {
  for (let i = 0; i < 20; i++) await fn();
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    await fn();
    calls++;
    elapsed = performance.now() - start;
  }
  return { perCallUs: Math.round((elapsed * 1000) / calls), calls };
}

async function main() {
  const loadBefore = loadavg()[0]!;
  const server = makeTestServer();
  const res = server.res(DIR);
  const values = signPolicy(buildPolicy(res, Math.floor(Date.now() / 1000) + 3600), server.config.keyPairs[0]!);
  const query = signedQueryString(values);

  const rewrite: Record<string, { segments: number; bytesIn: number; bytesOut: number; perPlaylistUs: number; perSegmentUs: number }> = {};
  for (const n of [100, 1000, 10_000]) {
    const text = mediaPlaylist(n);
    const base = `${res}720p/index.m3u8`;
    let out = '';
    const t = timeIt(() => {
      out = rewriteMedia(text, { base, res, query });
    });
    rewrite[String(n)] = { segments: n, bytesIn: text.length, bytesOut: out.length, perPlaylistUs: t.perCallUs, perSegmentUs: Math.round((t.perCallUs / n) * 100) / 100 };
    console.log(`rewrite ${String(n).padStart(6)} segments: ${t.perCallUs} µs per playlist, ${rewrite[String(n)]!.perSegmentUs} µs per segment (${text.length} → ${out.length} bytes)`);
  }

  let k = 0;
  const signature = timeIt(() => {
    signPolicy(buildPolicy(res, 2_000_000_000 + k++), server.config.keyPairs[0]!);
  });
  console.log(`one RSA signature (cache miss): ${signature.perCallUs} µs`);

  // The route end to end, against a loopback origin that serves the playlist (no signature check here:
  // the check is CloudFront's cost, not the auth server's).
  const body = mediaPlaylist(1000);
  const origin = createServer((_req, answer) => {
    answer.writeHead(200, { 'Content-Type': 'application/vnd.apple.mpegurl', 'Content-Length': String(Buffer.byteLength(body)) }).end(body);
  });
  await new Promise<void>((done) => origin.listen(0, '127.0.0.1', done));
  const base = `http://127.0.0.1:${(origin.address() as AddressInfo).port}/lectures/`;
  const routeServer = makeTestServer({}, base);
  const config = {
    ...routeServer.config,
    rateLimit: { ...routeServer.config.rateLimit, perAddressPerMinute: 0, perSubPerMinute: 0 },
    signedPlaylists: { enabled: true, marginSeconds: 1800, maxLifetimeSeconds: 21_600 },
  };
  const app = createApp(config, { logger: createLogger({ name: 'bench', level: 'warn', write: () => undefined }) });
  const session = await app.request('/_auth/session', {
    method: 'POST',
    headers: { Authorization: `Bearer ${routeServer.mint(routeServer.res(DIR))}` },
    body: '{"mode":"playlist"}',
  });
  const { playlist } = (await session.json()) as { playlist: string };
  // The master is not on this origin: make a media capability the way the master would, through the app.
  const masterBody = `#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000000\n720p/index.m3u8\n`;
  origin.removeAllListeners('request');
  origin.on('request', (req, answer) => {
    const text = req.url!.includes('master.m3u8') ? masterBody : body;
    answer.writeHead(200, { 'Content-Type': 'application/vnd.apple.mpegurl', 'Content-Length': String(Buffer.byteLength(text)) }).end(text);
  });
  const master = await (await app.request(new URL(playlist).pathname + new URL(playlist).search)).text();
  const variant = new URL(master.split('\n').find((l) => l.includes('/_auth/playlist/'))!);
  const masterRoute = await timeAsync(async () => {
    const answer = await app.request(new URL(playlist).pathname + new URL(playlist).search);
    if (answer.status !== 200) throw new Error(`master: ${answer.status}`);
    await answer.text();
  });
  const mediaRoute = await timeAsync(async () => {
    const answer = await app.request(variant.pathname + variant.search);
    if (answer.status !== 200) throw new Error(`media: ${answer.status}`);
    await answer.text();
  });
  origin.close();
  console.log(`GET media playlist of 1,000 segments through the app (origin read over loopback HTTP included): ${mediaRoute.perCallUs} µs`);
  console.log(`GET master (two origin reads: the master and the first variant for the duration): ${masterRoute.perCallUs} µs`);
  const loadAfter = loadavg()[0]!;
  console.log(`load average (1 min): ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after, on ${cpus().length} cores`);

  const out = fileURLToPath(new URL('../bench-results/', import.meta.url));
  mkdirSync(out, { recursive: true });
  writeFileSync(
    `${out}signed-playlist.json`,
    JSON.stringify(
      {
        benchmark: 'server/signed-playlist.bench.ts',
        date: new Date().toISOString(),
        node: process.version,
        cpus: cpus().length,
        loadAverage: { before: loadBefore, after: loadAfter },
        rewrite,
        rsaSignatureUs: signature.perCallUs,
        route: { mediaPlaylist1000Us: mediaRoute.perCallUs, masterUs: masterRoute.perCallUs },
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`written ${out}signed-playlist.json`);
}

await main();
