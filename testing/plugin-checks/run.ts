/**
 * The plugins directory's checks (what moodle-plugin-ci runs) over moodle-filter/, in `npm test`:
 *
 *   phplint     php-parallel-lint (Composer, testing/plugin-checks/composer.lock) on every PHP file
 *   mustache    where there are templates (the plugin has none)
 *   validate    validate.php: moodle-plugin-ci's requirements for a filter, our own implementation
 *   savepoints  savepoints.php: the upgrade blocks and their savepoints, our own implementation
 *   vendored player bundle  amd/src/hlsgate-lazy.js is what player/ builds now (npm run build:player)
 *   amd         Moodle's own `grunt amd` (its npm toolchain, cached): amd/build must be exactly what it
 *               makes from amd/src, and ESLint with Moodle's rules must find nothing (0 errors, 0 warnings)
 *               (and stylelint on styles.css, which moodle-plugin-ci's grunt runs as well)
 *   phpcs, phpdoc  cannot run here: Composer's registry does not serve moodle-cs or local_moodlecheck
 *
 * Usage: npx tsx testing/plugin-checks/run.ts [--write-amd]
 *   --write-amd  write grunt's amd/build into moodle-filter/ (after changing amd/src), then check.
 * Needs a Moodle tree only for `amd` (HLSGATE_MOODLE_SOURCE, as testing/moodle/): without one it
 * says so in one line and the other checks run. Caches live under <Moodle cache>/checks/.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheRoot } from '../moodle/site.ts';
import { findMoodleSources } from '../moodle/source.ts';
import { compareBuild, gruntAmd, moodleToolchain, writeBuild } from './moodle-js.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
export const PLUGIN_DIR = join(ROOT, 'moodle-filter');
const COMPONENT = 'filter_hlsgate';

type Outcome = 'pass' | 'fail' | 'skip' | 'cannot run';
interface Result {
  check: string;
  outcome: Outcome;
  detail: string;
  seconds: number;
}

const results: Result[] = [];
const log = (line: string) => console.log(`  ${line}`);

async function check(name: string, body: () => Promise<{ outcome: Outcome; detail: string }> | { outcome: Outcome; detail: string }) {
  const started = Date.now();
  console.log(`-- ${name}`);
  let outcome: Outcome;
  let detail: string;
  try {
    ({ outcome, detail } = await body());
  } catch (error) {
    outcome = 'fail';
    detail = (error as Error).message;
  }
  const seconds = (Date.now() - started) / 1000;
  results.push({ check: name, outcome, detail, seconds });
  console.log(`   ${outcome}: ${detail.split('\n')[0]} (${seconds.toFixed(1)} s)`);
  for (const line of detail.split('\n').slice(1)) console.log(`     ${line}`);
}

function pluginFiles(dir: string, pattern: RegExp, base = dir): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...pluginFiles(full, pattern, base));
    else if (pattern.test(name)) out.push(relative(base, full));
  }
  return out;
}

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** php-parallel-lint from Composer (the lock of this folder), installed once into the cache. */
function composerTools(cache: string): string {
  const lock = readFileSync(join(HERE, 'composer.lock'));
  const dir = join(cache, `composer-${sha(Buffer.concat([readFileSync(join(HERE, 'composer.json')), lock])).slice(0, 16)}`);
  const binary = join(dir, 'vendor', 'bin', 'parallel-lint');
  if (existsSync(join(dir, '.complete'))) return binary;
  const temp = `${dir}.tmp-${process.pid}`;
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp, { recursive: true });
  try {
    cpSync(join(HERE, 'composer.json'), join(temp, 'composer.json'));
    cpSync(join(HERE, 'composer.lock'), join(temp, 'composer.lock'));
    log(`composer install (php-parallel-lint) into ${dir}`);
    const run = spawnSync('composer', ['install', '--no-interaction', '--no-progress', '--no-dev'], {
      cwd: temp, encoding: 'utf8', timeout: 180_000, env: { ...process.env, COMPOSER_NO_INTERACTION: '1' },
    });
    if (run.error || run.status !== 0) {
      const why = run.error ? run.error.message : `${run.stdout}\n${run.stderr}`.trim().split('\n').filter(Boolean).slice(-2).join(' / ');
      throw new Error(`composer install failed: ${why}`);
    }
    writeFileSync(join(temp, '.complete'), new Date().toISOString());
    rmSync(dir, { recursive: true, force: true });
    renameSync(temp, dir);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  return binary;
}

/** phplint: every PHP file; a file whose exact bytes passed before under this PHP is not linted again. */
function phplint(cache: string): { outcome: Outcome; detail: string } {
  const files = pluginFiles(PLUGIN_DIR, /\.php$/);
  const phpVersion = spawnSync('php', ['-r', 'echo PHP_VERSION;'], { encoding: 'utf8' }).stdout.trim();
  if (!phpVersion) return { outcome: 'fail', detail: 'php is missing (Debian: apt-get install php-cli)' };
  const passedFile = join(cache, 'phplint-passed.json');
  const passed = new Set<string>(existsSync(passedFile) ? (JSON.parse(readFileSync(passedFile, 'utf8')) as string[]) : []);
  const keyOf = (file: string) => sha(`${phpVersion}\0${readFileSync(join(PLUGIN_DIR, file), 'latin1')}`);
  const todo = files.filter((file) => !passed.has(keyOf(file)));
  let tool = 'php-parallel-lint 1.3.2';
  if (todo.length > 0) {
    let command: string[];
    try {
      command = [composerTools(cache), '--no-colors', '--no-progress', '-j', '2', ...todo];
    } catch (error) {
      log(`phplint: ${(error as Error).message.split('\n')[0]}; php -l instead`);
      tool = 'php -l (php-parallel-lint not installable)';
      command = [];
    }
    if (command.length > 0) {
      const run = spawnSync('php', command, { cwd: PLUGIN_DIR, encoding: 'utf8' });
      if (run.status !== 0) return { outcome: 'fail', detail: `${tool}: syntax errors\n${`${run.stdout}${run.stderr}`.trim()}` };
    } else {
      for (const file of todo) {
        const run = spawnSync('php', ['-l', file], { cwd: PLUGIN_DIR, encoding: 'utf8' });
        if (run.status !== 0) return { outcome: 'fail', detail: `php -l ${file}:\n${`${run.stdout}${run.stderr}`.trim()}` };
      }
    }
    for (const file of todo) passed.add(keyOf(file));
    mkdirSync(cache, { recursive: true });
    writeFileSync(passedFile, JSON.stringify([...passed].slice(-5000)));
  }
  return {
    outcome: 'pass',
    detail: `${files.length} PHP files, no syntax errors (${todo.length} linted now with ${tool} under PHP ${phpVersion}, ` +
      `${files.length - todo.length} unchanged since they passed)`,
  };
}

function phpScript(script: string): { outcome: Outcome; detail: string } {
  const run = spawnSync('php', [join(HERE, script), PLUGIN_DIR, COMPONENT], { encoding: 'utf8' });
  const lines = `${run.stdout}${run.stderr}`.trim().split('\n');
  const summary = lines.at(-1) ?? '';
  const findings = lines.filter((line) => /^\s*(FAIL|note)/.test(line)).map((line) => line.trim());
  return { outcome: run.status === 0 ? 'pass' : 'fail', detail: [summary, ...findings].join('\n') };
}

/**
 * amd/src/hlsgate-lazy.js and videojs/video-js.min.css are what the player's sources make now
 * (`npm run build:player`, built into a temporary folder) and video.js's stylesheet: a player change
 * that was never built into the plugin fails here, not later in the Moodle tests.
 */
function vendoredBundle(): { outcome: Outcome; detail: string } {
  const out = mkdtempSync(join(tmpdir(), 'hlsgate-checks-player-'));
  try {
    const run = spawnSync('npx', ['vite', 'build', '--config', 'player/vite.config.ts'], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, HLSGATE_PLAYER_OUT_DIR: out },
    });
    if (run.status !== 0) return { outcome: 'fail', detail: `npm run build:player failed:\n${`${run.stdout}${run.stderr}`.trim().split('\n').slice(-10).join('\n')}` };
    const stale: string[] = [];
    if (!readFileSync(join(out, 'hlsgate.amd.js')).equals(readFileSync(join(PLUGIN_DIR, 'amd/src/hlsgate-lazy.js')))) {
      stale.push('amd/src/hlsgate-lazy.js differs from the bundle player/ makes now');
    }
    if (!readFileSync(join(ROOT, 'node_modules/video.js/dist/video-js.min.css')).equals(readFileSync(join(PLUGIN_DIR, 'videojs/video-js.min.css')))) {
      stale.push("videojs/video-js.min.css differs from video.js's");
    }
    if (stale.length > 0) return { outcome: 'fail', detail: `${stale.join('; ')}: run npm run build:moodle and commit amd/ and videojs/` };
    return { outcome: 'pass', detail: "amd/src/hlsgate-lazy.js = the bundle player/ makes now; videojs/ = video.js's stylesheet" };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const writeAmd = process.argv.includes('--write-amd');
  const cache = join(cacheRoot(), 'checks');
  const started = Date.now();

  await check('phplint', () => phplint(cache));

  await check('mustache', () => {
    const templates = pluginFiles(PLUGIN_DIR, /\.mustache$/);
    if (templates.length === 0) return { outcome: 'skip', detail: 'no templates/*.mustache in the plugin: nothing to lint' };
    return {
      outcome: 'cannot run',
      detail: `${templates.length} templates, not linted: moodle-local_ci's mustache_lint (with vnu.jar) is not served by Composer's registry here`,
    };
  });

  await check('validate', () => phpScript('validate.php'));
  await check('savepoints', () => phpScript('savepoints.php'));

  await check('vendored player bundle', () => vendoredBundle());

  await check('amd (grunt amd: build + ESLint; stylelint)', () => {
    // Moodle 4.5's grunt and ESLint rules (the oldest supported branch: its rules are the ones the plugin must meet everywhere).
    const lookup = findMoodleSources({ cache: cacheRoot(), branches: ['405'] })[0]!;
    if (!lookup.found) return { outcome: 'skip', detail: `needs a Moodle tree for its grunt and ESLint rules: ${lookup.reason}` };
    const tree = lookup.source.path;
    const toolchain = moodleToolchain(tree, cache, log);
    const amd = gruntAmd(toolchain, PLUGIN_DIR, cache);
    if (writeAmd) {
      writeBuild(PLUGIN_DIR, amd.build);
      log(`wrote grunt's amd/build into ${relative(ROOT, PLUGIN_DIR)}/amd/build (${amd.build.size} files)`);
    }
    const problems = [...compareBuild(PLUGIN_DIR, amd.build), ...amd.lint.map((finding) => `ESLint: ${finding}`)];
    const how = `Moodle ${toolchain.release}'s grunt under Node ${spawnSync(toolchain.node, ['-v'], { encoding: 'utf8' }).stdout.trim()}` +
      (amd.ran ? `, ran now (${amd.seconds.toFixed(0)} s)` : ', result of these exact sources from the cache');
    if (problems.length > 0) {
      return {
        outcome: 'fail',
        detail: `${problems.length} finding(s) (${how}); after changing amd/src: npx tsx testing/plugin-checks/run.ts --write-amd\n${problems.join('\n')}`,
      };
    }
    return {
      outcome: 'pass',
      detail: `amd/build = grunt's output for all ${amd.build.size} files; ESLint: 0 errors, 0 warnings; stylelint (styles.css): 0 (${how})`,
    };
  });

  await check('phpcs (moodle-cs)', () => ({
    outcome: 'cannot run',
    detail: "Composer's registry here serves squizlabs/php_codesniffer but not moodlehq/moodle-cs (nor phpcsstandards/phpcsutils, " +
      'phpcsextra): the Moodle standard cannot be installed; a run by hand: testing/plugin-checks/FINDINGS.md',
  }));
  await check('phpdoc (local_moodlecheck)', () => ({
    outcome: 'cannot run',
    detail: "Composer's registry here does not serve moodlehq/moodle-local_moodlecheck (and it runs inside a Moodle site); " +
      'see testing/plugin-checks/FINDINGS.md',
  }));

  console.log('\nplugin checks:');
  for (const result of results) console.log(`  ${result.check.padEnd(44)} ${result.outcome.padEnd(10)} ${result.seconds.toFixed(1).padStart(6)} s`);
  console.log(`  ${'total'.padEnd(44)} ${''.padEnd(10)} ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s`);
  if (results.some((result) => result.outcome === 'fail')) process.exit(1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    console.error(`plugin checks: ${(error as Error).message}`);
    process.exit(1);
  });
}
