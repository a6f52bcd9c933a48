/**
 * `npm run moodle -- up|down|status|phpunit`: the test harness's Moodle by hand.
 *
 *   up        installs (or restores) the site and runs it until Ctrl-C; prints its URL and users
 *   down      stops this checkout's running site
 *   status    says whether it runs, and what is cached
 *   phpunit   Moodle's own PHPUnit for filter_hlsgate inside the site (see phpunit.ts)
 *
 * Settings: HLSGATE_MOODLE_SOURCE (tarball or tree), HLSGATE_MOODLE_PORT, HLSGATE_MOODLE_CACHE.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN, cacheRoot, runState, startMoodle } from './site.ts';

const out = (line = '') => process.stdout.write(`${line}\n`);

function port(): number | undefined {
  const value = process.env.HLSGATE_MOODLE_PORT;
  if (!value) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`HLSGATE_MOODLE_PORT: "${value}" is not a port number`);
  return n;
}

async function up(): Promise<void> {
  const result = await startMoodle({ port: port(), log: (line) => out(`moodle: ${line}`) });
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

function down(): void {
  const state = runState();
  if (!state) {
    out('moodle: not running');
    return;
  }
  process.kill(state.pid, 'SIGTERM');
  out(`moodle: stopping ${state.url} (pid ${state.pid})`);
}

function status(): void {
  const root = cacheRoot();
  const state = runState(root);
  out(state ? `moodle: up at ${state.url} (pid ${state.pid}, since ${state.startedAt})` : 'moodle: not running');
  if (existsSync(root)) {
    const cached = readdirSync(root).filter((name) => /^(source|base|site)-[0-9a-f]+$/.test(name));
    out(`  cache ${root}: ${cached.join(', ') || 'empty'}`);
  }
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  switch (command) {
    case 'up':
      return up();
    case 'down':
      return down();
    case 'status':
      return status();
    case 'phpunit': {
      const { runPhpunit } = await import('./phpunit.ts');
      process.exitCode = await runPhpunit(rest, { port: port(), log: (line) => out(`moodle: ${line}`) });
      return;
    }
    default:
      out('usage: npm run moodle -- up|down|status|phpunit [phpunit arguments]');
      process.exitCode = command ? 2 : 0;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`moodle: ${(error as Error).message}\n`);
  process.exit(1);
});
