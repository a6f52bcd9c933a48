/**
 * `npm run moodle -- up|down|status|phpunit|upgrade [--moodle 405|501]`: the test harness's Moodle by hand.
 *
 *   up        installs (or restores) the site and runs it until Ctrl-C; prints its URL and users
 *   down      stops this checkout's running site
 *   status    says whether it runs, and what is cached
 *   phpunit   Moodle's own PHPUnit for filter_hlsgate inside the site (see phpunit.ts)
 *   upgrade   the previous release of the plugin, then the built zip over it: is everything kept (upgrade.ts)
 *
 * `--moodle 405|501` picks the Moodle branch (up, down: default 405; phpunit, upgrade: default every
 * branch with a source). Settings: HLSGATE_MOODLE_SOURCE (trees or tarballs, ':'-separated),
 * HLSGATE_MOODLE_PORT, HLSGATE_MOODLE_CACHE.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN, cacheRoot, runState, startMoodle } from './site.ts';
import { ALL_BRANCHES, BRANCHES, isBranch, type Branch } from './source.ts';

const out = (line = '') => process.stdout.write(`${line}\n`);

function port(): number | undefined {
  const value = process.env.HLSGATE_MOODLE_PORT;
  if (!value) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`HLSGATE_MOODLE_PORT: "${value}" is not a port number`);
  return n;
}

/** `--moodle 405|501` (repeatable) out of the arguments. */
function takeBranches(args: string[]): Branch[] {
  const branches: Branch[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const match = /^--moodle(?:=(.*))?$/.exec(args[i]!);
    if (!match) continue;
    const value = match[1] ?? args[i + 1];
    if (!value || !isBranch(value)) throw new Error(`--moodle: "${value ?? ''}" is not one of ${ALL_BRANCHES.join(', ')}`);
    args.splice(i, match[1] === undefined ? 2 : 1);
    i -= 1;
    branches.push(value);
  }
  return branches;
}

async function up(branch: Branch): Promise<void> {
  const result = await startMoodle({ branch, ...(port() ? { port: port() } : {}), log: (line) => out(`moodle: ${line}`) });
  if (!result.available) {
    out(`moodle: ${result.reason}`);
    process.exitCode = 1;
    return;
  }
  const { site } = result;
  out(`Moodle ${site.release} at ${site.url}   (admin: ${ADMIN.username} / ${ADMIN.password})`);
  out(`  users (password ${site.manifest.password}): ${Object.keys(site.manifest.users).filter((u) => u !== 'guest').join(', ')}`);
  out(`  run folder ${site.runDir}   PHP errors: ${site.errorLog}`);
  out(`  timings (ms): ${JSON.stringify(site.timings)}   fresh: ${JSON.stringify(site.fresh)}`);
  out('Ctrl-C stops it.');
  const stop = () => {
    site.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await new Promise(() => undefined);
}

function down(branch: Branch): void {
  const state = runState(cacheRoot(), branch);
  if (!state) {
    out('moodle: not running');
    return;
  }
  process.kill(state.pid, 'SIGTERM');
  out(`moodle: stopping ${state.url} (pid ${state.pid})`);
}

function status(): void {
  const root = cacheRoot();
  for (const branch of ALL_BRANCHES) {
    const state = runState(root, branch);
    out(`moodle ${BRANCHES[branch].name}: ${state ? `up at ${state.url} (pid ${state.pid}, since ${state.startedAt})` : 'not running'}`);
  }
  if (existsSync(root)) {
    const cached = readdirSync(root).filter((name) => /^(base|site|old)-[0-9a-f]+$/.test(name));
    const sources = existsSync(join(root, 'sources')) ? readdirSync(join(root, 'sources')).filter((n) => !n.endsWith('.tmp')) : [];
    out(`  cache ${root}: sources ${sources.join(', ') || 'none'}; ${cached.join(', ') || 'nothing built'}`);
  }
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const branches = takeBranches(rest);
  const log = (line: string) => out(`moodle: ${line}`);
  switch (command) {
    case 'up':
      return up(branches[0] ?? '405');
    case 'down':
      return down(branches[0] ?? '405');
    case 'status':
      return status();
    case 'phpunit': {
      const { runPhpunit } = await import('./phpunit.ts');
      const results = await runPhpunit(rest, { branches: branches.length ? branches : ALL_BRANCHES, ...(port() ? { port: port() } : {}), log });
      for (const r of results) {
        if ('skipped' in r.outcome) {
          out(`moodle: PHPUnit on Moodle ${BRANCHES[r.branch].name}: skipped (no source)`);
          continue;
        }
        const what = r.outcome.exitCode === 0 ? 'passed' : `FAILED (exit ${r.outcome.exitCode})`;
        out(`moodle: PHPUnit on Moodle ${BRANCHES[r.branch].name}: ${what}; site ready in ${(r.startMs / 1000).toFixed(1)} s, tests ${(r.testsMs / 1000).toFixed(1)} s`);
      }
      process.exitCode = results.some((r) => 'exitCode' in r.outcome && r.outcome.exitCode !== 0) ? 1 : 0;
      return;
    }
    case 'upgrade': {
      const { runUpgradeTests } = await import('./upgrade.ts');
      process.exitCode = await runUpgradeTests({ branches: branches.length ? branches : ALL_BRANCHES, log });
      return;
    }
    default:
      out('usage: npm run moodle -- up|down|status|phpunit|upgrade [--moodle 405|501] [phpunit arguments]');
      process.exitCode = command ? 2 : 0;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`moodle: ${(error as Error).message}\n`);
  process.exit(1);
});
