/**
 * The auth function's cold start, measured locally (`npx tsx deploy/cold-start.bench.ts`, part of
 * `npm run bench`): the esbuild bundle's size, and a fresh `node` that loads the bundle and answers
 * one Lambda function URL event (the OAC-signed fixture), median of HLSGATE_BENCH_RUNS (default 10).
 * Baseline in the same run: a fresh `node` loading an empty script. Two configurations:
 *   - env:     every setting in the environment (the private key too), no AWS SDK loaded;
 *   - secrets: as deployed, the token secrets and the private key named by ARN and read through the
 *              AWS SDK from a local endpoint speaking Secrets Manager's protocol (loopback, so the
 *              figure holds the SDK's load and two requests, not the network to AWS).
 * Goals: bundle ≤ 250 kB, cold init ≤ 150 ms (the time above the baseline), printed for wall time
 * and for CPU time (user + system of the child): on a busy machine wall time mostly measures the
 * wait for a core, while Lambda's cold start is CPU-bound. Writes bench-results/deploy.json.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOKEN_AUDIENCE } from '../common/contracts.ts';
import { SECRET_ARN_SETTINGS } from '../server/secrets.ts';
import { signViewToken } from '../server/token.ts';
import { ROOT, bundleLambda } from './bundle.ts';

const RUNS = Number(process.env.HLSGATE_BENCH_RUNS ?? 10);
const GOALS = { bundleKB: 250, coldInitMs: 150 };
const DIR = 'AbCdEfGhIjKlMnOpQrStUv';
const ARN = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}`;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const round = (n: number) => Math.round(n * 10) / 10;

const work = mkdtempSync(join(tmpdir(), 'hlsgate-cold-'));
// The bundle's bare imports (the Secrets Manager client) resolve as they would in the runtime: from node_modules above it.
const bundleDir = join(ROOT, 'dist', 'bench-lambda');
try {
  const bundle = bundleLambda(bundleDir);

  const privateKeyPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const secret = randomBytes(32).toString('base64url');
  const iat = Math.floor(Date.now() / 1000);
  const token = signViewToken(
    { iss: 'https://moodle.example.edu', aud: TOKEN_AUDIENCE, sub: '42', iat, exp: iat + 3600, res: `https://media.example.edu/lectures/${DIR}/` },
    { kid: 'moodle1', secret },
  );
  const event = readFileSync(join(ROOT, 'server', 'fixtures', 'function-url-oac-event.json'), 'utf8').replaceAll('{{TOKEN}}', token);
  const eventFile = join(work, 'event.json');
  writeFileSync(eventFile, event);

  const driver = join(work, 'driver.mjs');
  writeFileSync(
    driver,
    `const started = performance.now();
const { handler } = await import(${JSON.stringify(bundle.file)});
const loaded = performance.now();
const event = JSON.parse((await import('node:fs')).readFileSync(process.argv[2], 'utf8'));
const result = await handler(event);
const answered = performance.now();
if (result.statusCode !== 200 || (result.cookies ?? []).length !== 3) {
  process.stderr.write('unexpected answer: ' + JSON.stringify(result) + '\\n');
  process.exit(1);
}
const { userCPUTime, systemCPUTime } = process.resourceUsage();
process.stdout.write(JSON.stringify({ sinceProcessStart: answered, load: loaded - started, answer: answered - loaded, cpuMs: (userCPUTime + systemCPUTime) / 1000 }));
`,
  );
  // "Empty" but for reporting its own CPU time, so both sides are measured alike.
  const empty = join(work, 'empty.mjs');
  writeFileSync(empty, `const { userCPUTime, systemCPUTime } = process.resourceUsage();\nprocess.stdout.write(JSON.stringify({ cpuMs: (userCPUTime + systemCPUTime) / 1000 }));\n`);

  const baseEnv = {
    PATH: process.env.PATH ?? '',
    HLSGATE_LOG_LEVEL: 'warn',
    HLSGATE_TOKEN_ISSUERS: 'https://moodle.example.edu',
    HLSGATE_MEDIA_BASE_URLS: 'https://media.example.edu/lectures/',
    HLSGATE_ALLOWED_ORIGINS: 'https://moodle.example.edu',
    HLSGATE_CLIENT_ADDRESS_HEADER: 'cloudfront-viewer-address',
    HLSGATE_CLOUDFRONT_KEY_PAIR_ID: 'K2JCJMDEHXQW5F',
  };
  const envConfig = { ...baseEnv, HLSGATE_TOKEN_SECRETS: `moodle1:${secret}`, HLSGATE_CLOUDFRONT_PRIVATE_KEY: privateKeyPem };

  // Secrets Manager's JSON protocol on loopback, in this process (the child reaches it by endpoint).
  const secrets: Record<string, string> = { [ARN('tokens')]: JSON.stringify({ moodle1: secret }), [ARN('key')]: privateKeyPem };
  let secretRequests = 0;
  const endpoint = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      secretRequests++;
      const { SecretId } = JSON.parse(Buffer.concat(chunks).toString()) as { SecretId: string };
      res.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ ARN: SecretId, Name: SecretId, SecretString: secrets[SecretId], VersionId: 'v1' }));
    });
  });
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  const secretsConfig = {
    ...baseEnv,
    [SECRET_ARN_SETTINGS.tokenSecrets]: ARN('tokens'),
    [SECRET_ARN_SETTINGS.privateKey]: ARN('key'),
    AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}`,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'bench',
  };

  // spawnSync would block this process, and with it the loopback endpoint: run the children async.
  const runOnce = (script: string, env: Record<string, string>, args: string[] = []) =>
    new Promise<{ wallMs: number; inside: { sinceProcessStart: number; load: number; answer: number; cpuMs: number } }>((resolve, reject) => {
      const started = performance.now();
      const child = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d));
      child.stderr.on('data', (d: Buffer) => (err += d));
      child.on('close', (code) => {
        const wallMs = performance.now() - started;
        if (code !== 0) return reject(new Error(`${script} exited ${code}: ${err}`));
        resolve({ wallMs, inside: JSON.parse(out) as { sinceProcessStart: number; load: number; answer: number; cpuMs: number } });
      });
    });

  const series = async (script: string, env: Record<string, string>, args: string[] = []) => {
    await runOnce(script, env, args); // warm the file cache, not measured
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await runOnce(script, env, args));
    return runs;
  };

  const baseline = await series(empty, { PATH: baseEnv.PATH });
  const fromEnv = await series(driver, envConfig, [eventFile]);
  secretRequests = 0;
  const fromSecrets = await series(driver, secretsConfig, [eventFile]);
  endpoint.close();
  if (secretRequests !== 2 * (RUNS + 1)) throw new Error(`expected two GetSecretValue per cold start, saw ${secretRequests} in ${RUNS + 1}`);

  const baselineMs = median(baseline.map((r) => r.wallMs));
  const baselineCpuMs = median(baseline.map((r) => r.inside.cpuMs));
  const summary = (runs: typeof fromEnv) => {
    const wall = median(runs.map((r) => r.wallMs));
    return {
      wallMs: round(wall),
      coldInitMs: round(wall - baselineMs),
      loadMs: round(median(runs.map((r) => r.inside.load))),
      firstAnswerMs: round(median(runs.map((r) => r.inside.answer))),
      // CPU time holds up better than wall time on a busy machine; Lambda's cold start is CPU-bound.
      cpuMs: round(median(runs.map((r) => r.inside.cpuMs))),
      coldInitCpuMs: round(median(runs.map((r) => r.inside.cpuMs)) - baselineCpuMs),
      ratioToBaseline: round(wall / baselineMs),
    };
  };
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    runs: RUNS,
    loadAverage: loadavg().map((n) => round(n)),
    bundle: { bytes: bundle.bytes, kB: round(bundle.bytes / 1000), goalKB: GOALS.bundleKB, met: bundle.bytes / 1000 <= GOALS.bundleKB },
    baseline: { what: 'fresh node, empty script', wallMs: round(baselineMs), cpuMs: round(baselineCpuMs) },
    env: summary(fromEnv),
    secrets: summary(fromSecrets),
    goalColdInitMs: GOALS.coldInitMs,
  };
  const met = (ms: number) => (ms <= GOALS.coldInitMs ? 'met' : 'NOT met');
  process.stdout.write(
    `auth Lambda bundle: ${results.bundle.kB} kB (goal ≤ ${GOALS.bundleKB} kB: ${results.bundle.met ? 'met' : 'NOT met'})\n` +
      `cold start, median of ${RUNS} fresh node processes (${process.version}, load average ${results.loadAverage.join(' ')}):\n` +
      `  baseline (empty script)             wall ${results.baseline.wallMs} ms, CPU ${results.baseline.cpuMs} ms\n` +
      (
        [
          ['settings in env', results.env],
          ['secrets via SDK', results.secrets],
        ] as const
      )
        .map(
          ([what, r]) =>
            `  bundle + one event, ${what}: wall ${r.wallMs} ms → cold init ${r.coldInitMs} ms above baseline (${met(r.coldInitMs)}), ` +
            `CPU ${r.coldInitCpuMs} ms above baseline (${met(r.coldInitCpuMs)}); import ${r.loadMs} ms, first answer ${r.firstAnswerMs} ms; ${r.ratioToBaseline}× baseline\n`,
        )
        .join(''),
  );
  mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench-results', 'deploy.json'), `${JSON.stringify(results, null, 2)}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
  rmSync(bundleDir, { recursive: true, force: true });
}
