/**
 * Benchmark of `POST /session` (issue 2 §5), run by `npm run bench`:
 *   npx tsx server/session.bench.ts
 *
 * Each server runs in its own child process (Node + tsx, @hono/node-server on 127.0.0.1, port 0)
 * and autocannon drives it from this process, so load generator and server do not share an event
 * loop (they do share the machine's cores). The session server is the real app with its real
 * middleware, rate limiters (set high enough never to refuse) and one JSON log line per request
 * (built, then discarded: writing it to a terminal would measure the terminal).
 *
 * Runs, each 50 connections for HLSGATE_BENCH_SECONDS (default 10) after a 1 s warm-up:
 *   bare      a bare Hono route answering 200 (baseline: the HTTP stack alone)
 *   cached    the session endpoint over 50 videos (tokens of 1,000 viewers)
 *   uncached  the same with the signature cache off (one RSA signature per request)
 *   rate      the cached endpoint at a fixed 2,000 req/s (p99)
 *   rss       RSS of the session server before/after HLSGATE_BENCH_RSS_REQUESTS (default 100,000)
 *             requests with random tokens (a new viewer and a new video each), after a GC
 * Targets: cached ≥ 10× uncached, cached ≥ 50 % of bare, p99 < 20 ms at 2,000 req/s, RSS growth
 * < 20 MB. Figures and ratios are printed and written to bench-results/server.json.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createLogger } from '../common/log.ts';
import { SERVER_DEFAULTS, type ServerConfig } from './config.ts';
import { startServer } from './node.ts';
import { makeTestServer } from './test-config.ts';

type Mode = 'bare' | 'session';
interface ServerStats {
  rss: number;
  heapUsed: number;
  /** CPU time of the server process so far, microseconds (user + system). */
  cpuMicros: number;
}
type ChildMessage = { type: 'ready'; url: string } | ({ type: 'stats' } & ServerStats);

// ---------------------------------------------------------------------------------------------
// Child: one server.
if (process.argv[2] === '--serve') {
  const mode = process.argv[3] as Mode;
  const send = (message: ChildMessage) => process.send!(message);
  let url: string;
  if (mode === 'bare') {
    const app = new Hono();
    app.post('*', (c) => c.text('ok'));
    url = await new Promise<string>((resolve) => {
      serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => resolve(`http://127.0.0.1:${info.port}`));
    });
  } else {
    const config = JSON.parse(process.env.HLSGATE_BENCH_CONFIG!) as ServerConfig;
    const logger = createLogger({
      name: 'hlsgate-server',
      level: 'info',
      // Every request line is built as in production; only warnings and errors are shown.
      write: (line) => {
        if (!line.includes('"level":"info"')) process.stderr.write(line + '\n');
      },
    });
    url = (await startServer(config, { logger })).url;
  }
  process.on('message', (message: { type: string }) => {
    if (message.type === 'stats' || message.type === 'stats-after-gc') {
      if (message.type === 'stats-after-gc') (globalThis as { gc?: () => void }).gc?.();
      const { rss, heapUsed } = process.memoryUsage();
      const { user, system } = process.cpuUsage();
      send({ type: 'stats', rss, heapUsed, cpuMicros: user + system });
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', url });
} else {
  await main();
}

// ---------------------------------------------------------------------------------------------
// Parent: load generator and report.

interface Histogram {
  average: number;
  p50: number;
  p99: number;
  max: number;
}
interface AutocannonResult {
  requests: Histogram & { total: number };
  latency: Histogram;
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
}
interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  setupRequest?: (request: AutocannonRequest) => AutocannonRequest;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;

interface Figures {
  reqPerSec: number;
  /** Server CPU time per request (user + system), µs: steadier than req/s on a shared machine. */
  serverCpuMicrosPerRequest?: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  requests: number;
  non2xx: number;
  errors: number;
}

async function main(): Promise<void> {
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  const seconds = Number(process.env.HLSGATE_BENCH_SECONDS ?? 10);
  const rssRequests = Number(process.env.HLSGATE_BENCH_RSS_REQUESTS ?? 100_000);
  const connections = 50;
  const videos = 50;

  const test = makeTestServer({
    // High enough never to refuse the load generator (all of it comes from 127.0.0.1), so the
    // limiters run on every request without changing the answers.
    // The production bounds on memory (maxEntries, the signature cache) stay at their defaults.
    rateLimit: { perAddressPerMinute: 100_000_000, perSubPerMinute: 100_000_000, maxEntries: SERVER_DEFAULTS.rateLimitEntries },
  });
  const dirs = Array.from({ length: videos }, () => randomBytes(16).toString('base64url'));
  const now = Math.floor(Date.now() / 1000);
  const tokens = Array.from({ length: 1000 }, (_, i) =>
    test.mint(test.res(dirs[i % videos]!), { sub: `viewer-${i}`, iat: now, exp: now + 7200 }, now),
  );

  const startChild = async (mode: Mode, config?: ServerConfig) => {
    const child = fork(fileURLToPath(import.meta.url), ['--serve', mode], {
      execArgv: ['--expose-gc', '--import', 'tsx'],
      env: { ...process.env, HLSGATE_BENCH_CONFIG: config ? JSON.stringify(config) : '' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      child.once('message', (m: ChildMessage) => (m.type === 'ready' ? resolve(m.url) : reject(new Error('unexpected message'))));
      child.once('exit', (code) => reject(new Error(`bench server (${mode}) exited with ${code}`)));
    });
    return { child, url };
  };
  const stopChild = (child: ChildProcess) =>
    new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.disconnect();
    });
  const statsOf = (child: ChildProcess, gc = false) =>
    new Promise<ServerStats>((resolve) => {
      child.once('message', (m: ChildMessage) => m.type === 'stats' && resolve(m));
      child.send({ type: gc ? 'stats-after-gc' : 'stats' });
    });
  const measured = async (child: ChildProcess, url: string, options: Record<string, unknown>, list = tokens) => {
    const before = await statsOf(child);
    const figures = await load(url, options, list);
    const after = await statsOf(child);
    figures.serverCpuMicrosPerRequest = Math.round(((after.cpuMicros - before.cpuMicros) / figures.requests) * 10) / 10;
    return figures;
  };

  const cycling = (list: string[]): AutocannonRequest[] => {
    let i = 0;
    return [
      {
        method: 'POST',
        path: '/_auth/session',
        setupRequest: (request) => ({ ...request, headers: { authorization: `Bearer ${list[i++ % list.length]}` } }),
      },
    ];
  };

  const load = async (url: string, options: Record<string, unknown>, list = tokens): Promise<Figures> => {
    const result = await autocannon({ url, connections, requests: cycling(list), ...options });
    return {
      reqPerSec: Math.round(result.requests.total / result.duration),
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      maxMs: result.latency.max,
      requests: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors,
    };
  };

  const measure = async (name: string, mode: Mode, config?: ServerConfig): Promise<Figures> => {
    const { child, url } = await startChild(mode, config);
    try {
      await load(url, { duration: 1 });
      const figures = await measured(child, url, { duration: seconds });
      report(name, figures);
      return figures;
    } finally {
      await stopChild(child);
    }
  };

  const report = (name: string, f: Figures) =>
    console.log(
      `${name.padEnd(30)} ${String(f.reqPerSec).padStart(6)} req/s  p50 ${f.p50Ms} ms  p99 ${f.p99Ms} ms  max ${f.maxMs} ms` +
        `  server CPU ${f.serverCpuMicrosPerRequest} µs/req` +
        `  (${f.requests} requests${f.non2xx || f.errors ? `, ${f.non2xx} non-2xx, ${f.errors} errors` : ''})`,
    );

  const loadBefore = loadavg()[0]!;
  console.log(`POST /session, ${connections} connections, ${seconds} s per run, ${videos} videos; ${cpus().length} cores (${cpus()[0]?.model ?? '?'})`);
  const bare = await measure('bare Hono route (200)', 'bare');
  const cached = await measure('session, signature cache on', 'session', test.config);
  const uncached = await measure('session, signature cache off', 'session', { ...test.config, signatureCacheSize: 0 });

  // Fixed rate: latency when the server is not saturated.
  const rate = 2000;
  let fixed: Figures;
  {
    const { child, url } = await startChild('session', test.config);
    try {
      await load(url, { duration: 1 });
      fixed = await measured(child, url, { duration: seconds, overallRate: rate });
      report(`session at a fixed ${rate} req/s`, fixed);
    } finally {
      await stopChild(child);
    }
  }

  // Memory: random tokens, each a new viewer and a new video (the worst case for every cache).
  let memory: { requests: number; beforeMb: number; afterMb: number; growthMb: number; heapBeforeMb: number; heapAfterMb: number; non2xx: number; seconds: number };
  {
    const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
    const randomTokens = (count: number) =>
      Array.from({ length: count }, () =>
        test.mint(test.res(randomBytes(16).toString('base64url')), { sub: randomBytes(9).toString('base64url'), iat: now, exp: now + 7200 }, now),
      );
    const { child, url } = await startChild('session', test.config);
    try {
      await load(url, { amount: 5000 }, randomTokens(5000));
      const before = await statsOf(child, true);
      const started = performance.now();
      const figures = await load(url, { amount: rssRequests }, randomTokens(rssRequests));
      const after = await statsOf(child, true);
      memory = {
        requests: figures.requests,
        beforeMb: mb(before.rss),
        afterMb: mb(after.rss),
        growthMb: mb(after.rss - before.rss),
        heapBeforeMb: mb(before.heapUsed),
        heapAfterMb: mb(after.heapUsed),
        non2xx: figures.non2xx,
        seconds: Math.round((performance.now() - started) / 100) / 10,
      };
      console.log(
        `RSS over ${memory.requests} random-token requests: ${memory.beforeMb} → ${memory.afterMb} MB (growth ${memory.growthMb} MB; ` +
          `heap ${memory.heapBeforeMb} → ${memory.heapAfterMb} MB; ${figures.reqPerSec} req/s, ${memory.seconds} s)`,
      );
    } finally {
      await stopChild(child);
    }
  }

  const ratios = {
    cachedVsUncached: Math.round((cached.reqPerSec / uncached.reqPerSec) * 100) / 100,
    cachedVsBare: Math.round((cached.reqPerSec / bare.reqPerSec) * 1000) / 1000,
    // The same comparisons by server CPU per request (how many requests a core would serve).
    cpuCachedVsUncached: Math.round((uncached.serverCpuMicrosPerRequest! / cached.serverCpuMicrosPerRequest!) * 100) / 100,
    cpuCachedVsBare: Math.round((bare.serverCpuMicrosPerRequest! / cached.serverCpuMicrosPerRequest!) * 1000) / 1000,
  };
  const loadAfter = loadavg()[0]!;
  const targets = {
    cachedAtLeast10xUncached: ratios.cachedVsUncached >= 10,
    cachedAtLeastHalfOfBare: ratios.cachedVsBare >= 0.5,
    p99Under20msAt2000: fixed.p99Ms < 20 && fixed.non2xx === 0,
    rssGrowthUnder20Mb: memory.growthMb < 20,
    everyAnswer2xx: [bare, cached, uncached, fixed].every((f) => f.non2xx === 0 && f.errors === 0) && memory.non2xx === 0,
  };
  console.log(`ratio cached / uncached: ${ratios.cachedVsUncached}× (target ≥ 10×)`);
  console.log(`ratio cached / bare:     ${(ratios.cachedVsBare * 100).toFixed(1)} % (target ≥ 50 %)`);
  console.log(
    `by server CPU per request: cached ${ratios.cpuCachedVsUncached}× cheaper than uncached, ` +
      `${(ratios.cpuCachedVsBare * 100).toFixed(1)} % of the bare route's rate`,
  );
  console.log(`load average (1 min): ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after, on ${cpus().length} cores`);
  if (Math.max(loadBefore, loadAfter) > cpus().length) {
    console.log('  note: the machine was busy with other work; req/s and latencies are lower than on an idle machine');
  }
  console.log(`p99 at ${rate} req/s:      ${fixed.p99Ms} ms (target < 20 ms)`);
  console.log(`RSS growth:              ${memory.growthMb} MB (target < 20 MB)`);
  for (const [name, met] of Object.entries(targets)) console.log(`  ${met ? 'met    ' : 'NOT MET'} ${name}`);

  const out = fileURLToPath(new URL('../bench-results/', import.meta.url));
  mkdirSync(out, { recursive: true });
  writeFileSync(
    `${out}server.json`,
    JSON.stringify(
      {
        benchmark: 'server/session.bench.ts',
        date: new Date().toISOString(),
        node: process.version,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model,
        loadAverage: { before: loadBefore, after: loadAfter },
        setup: { connections, secondsPerRun: seconds, videos, viewers: tokens.length, serverProcess: 'child process (fork), autocannon in the parent' },
        runs: { bare, cached, uncached, fixedRate: { rate, ...fixed } },
        ratios,
        memory,
        targets,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`written ${out}server.json`);
}
