/**
 * A real Moodle for the tests: installed once per set of inputs, restored from a snapshot on every
 * later run.
 *
 *   source (source.ts: the setting, Composer or the cache; one per branch, 405 and 501)
 *       ─► base: Moodle's PHPUnit dependencies from Composer (vendor/), Moodle installed with
 *       admin/cli/install.php on PostgreSQL
 *   base + dist/filter_hlsgate.zip + scenario ─► site: the zip through Moodle's own plugin
 *       installer and admin/cli/upgrade.php, then php/scenario.php (users, courses, repository)
 *   site snapshot ─► run: the cluster and dataroot copied into this checkout's run folder, its own
 *       PostgreSQL and `php -S` on loopback ports, stopped by stop() (or by watchdogs when the
 *       process that started them dies)
 *
 * Everything lives under the cache root (HLSGATE_MOODLE_CACHE, else $XDG_CACHE_HOME/hlsgate-moodle,
 * else /var/tmp/hlsgate-moodle), never in the repository. Base and site folders are built under a
 * temporary name and renamed into place, so two checkouts building the same key at once both end
 * up with a complete one. The Moodle tree of a site is shared by its runs: its config.php reads
 * the run's ports and folders from `$HLSGATE_MOODLE_RUN/config.json`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { processAlive as alive } from '../../common/process.ts';
import { freePort, startPostgres, type Postgres } from '../postgres.ts';
import { BRANCHES, findMoodleSources, sha256File, type Branch, type ComposerOptions, type MoodleSource } from './source.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
export const PHP_DIR = join(HERE, 'php');
export const REPO_ROOT = resolve(HERE, '..', '..');
export const ZIP_PATH = join(REPO_ROOT, 'dist', 'filter_hlsgate.zip');
/** Bump when the install recipe below changes in a way the inputs' hashes do not show (base, then site). */
const BASE_RECIPE = 'moodle-harness-3';
const RECIPE = 'moodle-harness-3';
export const DB_USER = 'hlsgate';
export const ADMIN = { username: 'admin', password: 'Hlsgate-admin-1!' };
export const COMPONENT = 'filter_hlsgate';

export interface Manifest {
  users: Record<string, { id: number; contextid: number; fullname: string; email: string }>;
  password: string;
  courses: Record<string, { id: number; shortname: string; fullname: string; contextid: number }>;
  systemcontextid: number;
  frontpagecontextid: number;
  welcome: { cmid: number; contextid: number };
  repository: { id: number; name: string; folder: string };
}

/** The filter's settings that must match the local stack (README of moodle-filter: Settings). */
export interface FilterSettings {
  authurl: string;
  issuer: string;
  tokenkid: string;
  tokensecret: string;
  mediabaseurls: string;
  tokenlifetime?: number;
  watermark?: string;
}

export interface Timings {
  [step: string]: number;
}

export interface MoodleSite {
  /** `$CFG->wwwroot`, e.g. http://localhost:45174 (use exactly this host: Moodle redirects others). */
  url: string;
  branch: Branch;
  release: string;
  manifest: Manifest;
  /** The Moodle tree's top (config.php, admin/cli, vendor/, phpunit.xml) and its web root ($CFG->dirroot: the top, or public/ from 5.1). */
  root: string;
  dirroot: string;
  /** This run's folder (dataroot, logs). */
  runDir: string;
  dataroot: string;
  /** PHP's error log of the web server and the CLI scripts (warnings, notices, Moodle's debugging()). */
  errorLog: string;
  /** Milliseconds per step of this start; `fresh` says whether a base or site was built. */
  timings: Timings;
  fresh: { base: boolean; site: boolean };
  /** The environment a PHP process of this site needs (config.php reads the run from it). */
  env: Record<string, string>;
  /** Runs `php <script> …args` in the site (a path relative to the tree's top, or absolute). */
  php(script: string, args?: string[], options?: { input?: string }): Promise<string>;
  /** A request to php/helper.php (see there); returns its JSON answer. */
  helper<T = unknown>(request: Record<string, unknown>): Promise<T>;
  /** Sets the filter's settings with admin/cli/cfg.php. */
  configureFilter(settings: FilterSettings): Promise<void>;
  /** Copies the playlists under `repositoryRoot` (ingest's output) into the File system repository's folder. */
  publishPlaylists(repositoryRoot: string): void;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Which Moodle (default 405). */
  branch?: Branch;
  /** Composer's part of the source lookup (false: the setting and the cache only). */
  composer?: ComposerOptions | false;
  /** The Moodle port; default a free one. */
  port?: number;
  env?: Record<string, string | undefined>;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
  /** Build dist/filter_hlsgate.zip first (default true; false uses the zip that is there). */
  buildZip?: boolean;
  /** Start `php -S` (default true; PHPUnit needs only the database). */
  serve?: boolean;
}

export type StartResult = { available: false; reason: string } | { available: true; site: MoodleSite };

export function cacheRoot(env: Record<string, string | undefined> = process.env): string {
  const root = env.HLSGATE_MOODLE_CACHE
    ? resolve(env.HLSGATE_MOODLE_CACHE)
    : env.XDG_CACHE_HOME
      ? join(env.XDG_CACHE_HOME, 'hlsgate-moodle')
      : '/var/tmp/hlsgate-moodle';
  const inside = relative(REPO_ROOT, root);
  if (!inside.startsWith('..') && !isAbsolute(inside)) {
    throw new Error(`HLSGATE_MOODLE_CACHE: ${root} is inside the repository; the Moodle site must live outside it`);
  }
  return root;
}

export const short = (hex: string) => hex.slice(0, 16);
export const hashOf = (...parts: string[]) => createHash('sha256').update(parts.join('\0')).digest('hex');

/** The PHP scripts a site is built with (helper.php only adds to a running site). */
const BUILD_SCRIPTS = ['config.php', 'install-zip.php', 'lib.php', 'scenario.php'];

/** The hash of the scripts a site is built with: a changed scenario is a new site. */
export function scenarioHash(): string {
  const files = BUILD_SCRIPTS;
  return hashOf(RECIPE, ...files.flatMap((name) => [name, readFileSync(join(PHP_DIR, name), 'utf8')]));
}

/** base = the source and the recipe; site = base + the zip + the scenario. */
export function siteKeys(inputs: { sourceHash: string; zipHash: string; scenarioHash: string }): { base: string; site: string } {
  const base = hashOf('base', BASE_RECIPE, inputs.sourceHash, readFileSync(join(PHP_DIR, 'config.php'), 'utf8'));
  return { base, site: hashOf('site', base, inputs.zipHash, inputs.scenarioHash) };
}

/** One run folder per checkout and branch, so two checkouts (and both Moodles) can run at once. */
export function runDirOf(root: string, repoRoot = REPO_ROOT, branch: Branch = '405'): string {
  return join(root, `run-${short(hashOf(resolve(repoRoot)))}-${branch}`);
}

interface RunConfig {
  wwwroot: string;
  dbport: number;
  dbuser: string;
  dataroot: string;
  phpunitdataroot: string;
  errorlog: string;
}

export function writeRunConfig(runDir: string, config: RunConfig): void {
  writeFileSync(join(runDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
}

/** What Moodle's environment check asks of PHP that Debian's php-cli does not set (max_input_vars ≥ 5000). */
export const PHP_INI = ['-d', 'max_input_vars=5000'];

/** OPcache for the web server's workers (php -S forks them after OPcache's shared memory is set up, so they share it). */
const SERVER_OPCACHE = ['-d', 'opcache.enable_cli=1', '-d', 'opcache.memory_consumption=256', '-d', 'opcache.interned_strings_buffer=16',
  '-d', 'opcache.max_accelerated_files=20000', '-d', 'opcache.validate_timestamps=1', '-d', 'opcache.revalidate_freq=0'];

let localePath: string | undefined;

/** The environment of every PHP process of a run (with LOCPATH where en_AU.UTF-8 had to be built: phpunit.ts). */
export function phpEnv(runDir: string, root: string): Record<string, string> {
  return { HLSGATE_MOODLE_RUN: runDir, HLSGATE_MOODLE_ROOT: root, ...(localePath ? { LOCPATH: localePath } : {}) };
}

/**
 * Moodle's PHPUnit bootstrap wants the locale en_AU.UTF-8. Where the system has none, it is built
 * with localedef (Debian's `locales`) into the cache, and PHP finds it through LOCPATH.
 */
export function ensureTestLocale(root: string): void {
  const installed = execFileSync('locale', ['-a'], { encoding: 'utf8' }).split('\n').map((l) => l.trim().toLowerCase());
  if (installed.includes('en_au.utf8') || installed.includes('en_au.utf-8')) return;
  const dir = join(root, 'locale');
  if (!existsSync(join(dir, 'en_AU.UTF-8', 'LC_CTYPE'))) {
    mkdirSync(dir, { recursive: true });
    execFileSync('localedef', ['-i', 'en_AU', '-f', 'UTF-8', join(dir, 'en_AU.UTF-8')], { stdio: 'pipe' });
  }
  localePath = dir;
}

/** The file, beside Moodle's own composer.json, that names only its PHPUnit part (Moodle's stays unmodified). */
export const DEV_COMPOSER_JSON = 'composer.hlsgate-phpunit.json';

/**
 * The part of a Moodle's composer.json that its PHPUnit needs: its own constraints for
 * phpunit/phpunit and mikey179/vfsstream (9.6 on 4.5, 11 on 5.1) and its autoload-dev. The rest of
 * its require-dev is Behat's, which the registry here cannot resolve.
 */
export function phpunitComposerJson(moodleComposerJson: string): Record<string, unknown> {
  const moodle = JSON.parse(moodleComposerJson) as { 'require-dev'?: Record<string, string>; 'autoload-dev'?: unknown; 'minimum-stability'?: string };
  const dev = moodle['require-dev'] ?? {};
  const require: Record<string, string> = {};
  for (const name of ['phpunit/phpunit', 'mikey179/vfsstream']) {
    if (!dev[name]) throw new Error(`Moodle's composer.json has no require-dev ${name}`);
    require[name] = dev[name];
  }
  return {
    name: 'hlsgate/moodle-phpunit',
    description: "Moodle's PHPUnit dependencies (its composer.json's require-dev without Behat's), for testing/moodle/",
    'require-dev': require,
    ...(moodle['autoload-dev'] ? { 'autoload-dev': moodle['autoload-dev'] } : {}),
    'minimum-stability': moodle['minimum-stability'] ?? 'stable',
    'prefer-stable': true,
    config: { 'allow-plugins': false, 'process-timeout': 300 },
  };
}

/** Composer installs Moodle's PHPUnit (and what it needs) into `<root>/vendor`; returns the PHPUnit version. */
async function installPhpunit(root: string, log: (line: string) => void): Promise<string> {
  writeFileSync(join(root, DEV_COMPOSER_JSON), `${JSON.stringify(phpunitComposerJson(readFileSync(join(root, 'composer.json'), 'utf8')), null, 2)}\n`);
  const result = await execa('composer', ['install', '--no-interaction', '--no-progress', '--no-scripts', '--prefer-dist'], {
    cwd: root, env: { COMPOSER: DEV_COMPOSER_JSON, COMPOSER_NO_INTERACTION: '1' }, reject: false, all: true, timeout: 600_000,
  });
  if (result.exitCode !== 0) {
    throw new Error(`composer could not install Moodle's PHPUnit (${DEV_COMPOSER_JSON}): ${String(result.all).split('\n').slice(-12).join('\n')}`);
  }
  const installed = JSON.parse(readFileSync(join(root, 'vendor', 'composer', 'installed.json'), 'utf8')) as { packages: Array<{ name: string; version: string }> };
  const phpunit = installed.packages.find((p) => p.name === 'phpunit/phpunit')?.version ?? 'unknown';
  log(`Composer installed phpunit/phpunit ${phpunit} for this Moodle`);
  return phpunit;
}

export async function runPhp(runDir: string, root: string, script: string, args: string[] = [], input?: string): Promise<string> {
  const path = resolve(root, script);
  const result = await execa('php', [...PHP_INI, path, ...args], {
    cwd: root,
    env: phpEnv(runDir, root),
    reject: false,
    ...(input !== undefined ? { input } : {}),
    all: true,
  });
  if (result.exitCode !== 0) {
    const tail = String(result.all ?? '').split('\n').slice(-25).join('\n');
    throw new Error(`php ${relative(root, path)} ${args.join(' ')} failed (exit ${result.exitCode}):\n${tail}`);
  }
  return String(result.stdout);
}

export async function copyTree(from: string, to: string, hardLinks: boolean): Promise<void> {
  rmSync(to, { recursive: true, force: true });
  if (hardLinks) {
    // Moodle never writes into its code tree at run time, so its files can be shared by links.
    const linked = await execa('cp', ['-al', from, to], { reject: false });
    if (linked.exitCode === 0) return;
    rmSync(to, { recursive: true, force: true });
  }
  await execa('cp', ['-a', from, to]);
}

export async function timed<T>(timings: Timings, step: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await fn();
  } finally {
    timings[step] = Math.round(performance.now() - started);
  }
}

/** Moodle's caches hold paths and URLs: a snapshot restored elsewhere starts without them. */
export function dropCaches(dataroot: string): void {
  for (const name of ['cache', 'localcache', 'temp', 'sessions', 'lock', 'trashdir']) rmSync(join(dataroot, name), { recursive: true, force: true });
}

export interface BuildContext {
  root: string;
  source: MoodleSource;
  log: (line: string) => void;
  timings: Timings;
  port: number;
}

/** The web root inside a Moodle tree copy: '' or 'public' (5.1 and later), as the source has it. */
export const webrootOf = (source: MoodleSource) => relative(source.path, source.webroot);

/**
 * What a complete base or site folder holds; the marker (`base.json`/`site.json`) is written last,
 * inside the build folder, before it is renamed into place. A folder whose marker is there but one
 * of these is missing (a disk filled up, a hand deleted something) is rebuilt, not used.
 */
export function cacheEntryProblem(dir: string, kind: 'base' | 'site'): string | undefined {
  const marker = join(dir, `${kind}.json`);
  if (!existsSync(marker)) return `no ${kind}.json (never finished)`;
  let meta: { key?: string; webroot?: string };
  try {
    meta = JSON.parse(readFileSync(marker, 'utf8')) as typeof meta;
  } catch {
    return `${kind}.json is not JSON`;
  }
  if (!meta.key || meta.webroot === undefined) return `${kind}.json lacks key or webroot`;
  const web = join(dir, 'moodle', meta.webroot);
  const needed = [
    'moodle/config.php', 'moodle/vendor/autoload.php', 'moodle/vendor/bin/phpunit', 'moodle/vendor/phpunit/phpunit/composer.json',
    'pg/data/PG_VERSION', 'pg/data/global/pg_control', 'moodledata',
    ...(kind === 'site' ? ['phpunitdata', 'moodle/phpunit.xml'] : []),
  ].map((path) => join(dir, path));
  needed.push(join(web, 'version.php'), join(web, 'lib', 'setup.php'));
  if (kind === 'site') needed.push(join(web, 'filter', 'hlsgate', 'version.php'));
  const missing = needed.filter((path) => !existsSync(path));
  return missing.length ? `missing ${missing.map((path) => relative(dir, path)).join(', ')}` : undefined;
}

/** The folder of a base or site when it is complete; an incomplete one is removed (and so rebuilt). */
export function usableEntry(dir: string, kind: 'base' | 'site', log: (line: string) => void = () => undefined): boolean {
  if (!existsSync(dir)) return false;
  const problem = cacheEntryProblem(dir, kind);
  if (!problem) return true;
  log(`cached ${kind} ${dir} is incomplete (${problem}): removing it, it is rebuilt`);
  rmSync(dir, { recursive: true, force: true });
  return false;
}

/** Installs Moodle (no plugin) into `<root>/base-<key>`: tree, Composer's vendor/, cluster, dataroot. */
export async function buildBase(ctx: BuildContext, key: string): Promise<string> {
  const target = join(ctx.root, `base-${short(key)}`);
  if (usableEntry(target, 'base', ctx.log)) return target;
  const build = `${target}.${process.pid}.${randomBytes(3).toString('hex')}.tmp`;
  mkdirSync(build, { recursive: true });
  let pg: Postgres | undefined;
  try {
    ctx.log(`installing Moodle ${ctx.source.release} (Composer's PHPUnit, admin/cli/install.php; once per source, one to three minutes)`);
    const tree = join(build, 'moodle');
    await copyTree(ctx.source.path, tree, true);
    rmSync(join(tree, 'config.php'), { force: true });
    const phpunit = await timed(ctx.timings, 'composer', () => installPhpunit(tree, ctx.log));
    pg = await startPostgres({ dir: join(build, 'pg'), user: DB_USER });
    await pg.createDatabase('moodle');
    const dataroot = join(build, 'moodledata');
    const wwwroot = `http://localhost:${ctx.port}`;
    await timed(ctx.timings, 'install', async () => {
      const result = await execa('php', [...PHP_INI, 'admin/cli/install.php', '--non-interactive', '--agree-license', '--lang=en',
        `--wwwroot=${wwwroot}`, `--dataroot=${dataroot}`, '--dbtype=pgsql', '--dbhost=127.0.0.1', `--dbport=${pg!.port}`,
        '--dbname=moodle', `--dbuser=${DB_USER}`, '--dbpass=', '--prefix=mdl_', '--fullname=hlsgate test site',
        '--shortname=hlsgate', `--adminuser=${ADMIN.username}`, `--adminpass=${ADMIN.password}`,
        '--adminemail=admin@example.test', '--supportemail=support@example.test'], { cwd: tree, reject: false, all: true });
      if (result.exitCode !== 0) {
        throw new Error(`admin/cli/install.php failed (exit ${result.exitCode}):\n${String(result.all).split('\n').slice(-25).join('\n')}`);
      }
    });
    // Ours instead of the installer's: it reads ports and folders from the run.
    writeFileSync(join(tree, 'config.php'), readFileSync(join(PHP_DIR, 'config.php')));
    await pg.stop();
    pg = undefined;
    writeFileSync(join(build, 'base.json'), `${JSON.stringify({
      key, branch: ctx.source.branch, release: ctx.source.release, webroot: webrootOf(ctx.source), origin: ctx.source.origin, phpunit, wwwroot,
    }, null, 2)}\n`);
    return publish(build, target);
  } finally {
    await pg?.stop();
    rmSync(build, { recursive: true, force: true });
  }
}

/** Renames a finished build into place; when another process got there first, its copy stays. */
export function publish(build: string, target: string): string {
  try {
    renameSync(build, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
  }
  return target;
}

/** What a site build runs between the base and the scenario (the upgrade test puts an old release first). */
export type SiteStep = (site: { build: string; root: string; php: (script: string, args?: string[]) => Promise<string> }) => Promise<void>;

/** base + the zip (Moodle's plugin installer, then upgrade.php) + the scenario, into `<root>/<name>-<key>`. */
async function buildSite(ctx: BuildContext, base: string, key: string, zip: string, before?: SiteStep): Promise<string> {
  const target = join(ctx.root, `site-${short(key)}`);
  if (usableEntry(target, 'site', ctx.log)) return target;
  const build = `${target}.${process.pid}.${randomBytes(3).toString('hex')}.tmp`;
  mkdirSync(build, { recursive: true });
  let pg: Postgres | undefined;
  try {
    ctx.log(`installing filter_hlsgate and the scenario in Moodle ${ctx.source.release} (once per zip)`);
    const tree = join(build, 'moodle');
    await timed(ctx.timings, 'restoreBase', async () => {
      await copyTree(join(base, 'moodle'), tree, true);
      await copyTree(join(base, 'pg'), join(build, 'pg'), false);
      await copyTree(join(base, 'moodledata'), join(build, 'moodledata'), false);
    });
    dropCaches(join(build, 'moodledata'));
    pg = await startPostgres({ dir: join(build, 'pg'), user: DB_USER });
    const wwwroot = `http://localhost:${ctx.port}`;
    mkdirSync(join(build, 'phpunitdata'), { recursive: true });
    writeRunConfig(build, {
      wwwroot, dbport: pg.port, dbuser: DB_USER, dataroot: join(build, 'moodledata'),
      phpunitdataroot: join(build, 'phpunitdata'), errorlog: join(build, 'php-error.log'),
    });
    const php = (script: string, args: string[] = []) => runPhp(build, tree, script, args);
    if (before) await before({ build, root: tree, php });
    await timed(ctx.timings, 'installZip', () => php(join(PHP_DIR, 'install-zip.php'), [tree, COMPONENT, zip]));
    await timed(ctx.timings, 'upgrade', () => php('admin/cli/upgrade.php', ['--non-interactive']));
    const manifest = await timed(ctx.timings, 'scenario', () => php(join(PHP_DIR, 'scenario.php')));
    // The theme's CSS takes the first page ten seconds or more: built here, it is in the snapshot.
    await timed(ctx.timings, 'themeCss', () => php('admin/cli/build_theme_css.php', ['--themes=boost']));
    // Moodle's PHPUnit test site (phpu_ tables, phpunitdata), in the snapshot too: see phpunit.ts.
    const util = join(webrootOf(ctx.source), 'admin', 'tool', 'phpunit', 'cli', 'util.php');
    await timed(ctx.timings, 'phpunitInit', async () => {
      await php(util, ['--install']);
      await php(util, ['--buildconfig']);
    });
    await pg.stop();
    pg = undefined;
    rmSync(join(build, 'config.json'));
    writeFileSync(join(build, 'site.json'), `${JSON.stringify({
      key, branch: ctx.source.branch, release: ctx.source.release, webroot: webrootOf(ctx.source), wwwroot, manifest: JSON.parse(manifest),
    }, null, 2)}\n`);
    return publish(build, target);
  } finally {
    await pg?.stop();
    rmSync(build, { recursive: true, force: true });
  }
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`php -S exited (code ${child.exitCode}) before ${url} answered`);
    try {
      const response = await fetch(url, { redirect: 'manual' });
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A shell loop that kills `pgid`'s group when `parent` is gone: PHP's forked workers outlive a killed server. */
function watchdog(parent: number, pgid: number): ChildProcess {
  const dog = spawn('sh', ['-c', `while kill -0 ${parent} 2>/dev/null && kill -0 -${pgid} 2>/dev/null; do sleep 1; done; kill -TERM -${pgid} 2>/dev/null`], {
    detached: true,
    stdio: 'ignore',
  });
  dog.unref();
  return dog;
}

/** Kept per Moodle branch: two sites, one base, and (upgrade.ts) one old-release snapshot. */
const KEEP_SITES = 2;
const KEEP_BASES = 1;
export const KEEP_OLD = 1;

/** Build folders of processes that died (`<name>.<pid>.<random>.tmp`): a build killed with -9 is never used, and its space comes back. */
export function removeLeftovers(root: string): void {
  if (!existsSync(root)) return;
  for (const name of readdirSync(root)) {
    const match = /\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name);
    if (match && !alive(Number(match[1]))) rmSync(join(root, name), { recursive: true, force: true });
  }
}

/** Keeps, per branch, the `keep` most recently used `<kind>-*` folders (a use touches their json), and every site a run serves. */
export function prune(root: string, kind: 'site' | 'base' | 'old', keep: number): void {
  const serving = new Set(
    readdirSync(root)
      .filter((name) => name.startsWith('run-') && existsSync(join(root, name, 'state.json')))
      .map((name) => JSON.parse(readFileSync(join(root, name, 'state.json'), 'utf8')) as RunState)
      .filter((state) => alive(state.pid))
      .map((state) => `site-${short(state.siteKey)}`),
  );
  const folders = readdirSync(root)
    .filter((name) => new RegExp(`^${kind}-[0-9a-f]{16}$`).test(name) && !serving.has(name))
    .map((name) => {
      const marker = join(root, name, `${kind}.json`);
      let branch = '';
      try {
        branch = String((JSON.parse(readFileSync(marker, 'utf8')) as { branch?: string }).branch ?? '');
      } catch {
        // no marker or not JSON: an unfinished or broken folder, oldest of its own group
      }
      return { name, branch, used: existsSync(marker) ? statSync(marker).mtimeMs : 0 };
    })
    .sort((a, b) => b.used - a.used);
  const seen = new Map<string, number>();
  for (const { name, branch } of folders) {
    const count = (seen.get(branch) ?? 0) + 1;
    seen.set(branch, count);
    if (count > keep) rmSync(join(root, name), { recursive: true, force: true });
  }
}

/** Stops `php -S` and its forked workers (its process group); a watchdog does it if this process dies first. */
function stopServer(server: ChildProcess): () => Promise<void> {
  const pgid = server.pid!;
  const dog = watchdog(process.pid, pgid);
  return async () => {
    dog.kill();
    if (server.exitCode !== null) return;
    const exited = new Promise((r) => server.once('exit', r));
    try {
      process.kill(-pgid, 'SIGTERM');
    } catch {
      return;
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (server.exitCode === null) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  };
}

interface RunState {
  pid: number;
  url: string;
  siteKey: string;
  branch?: Branch;
  startedAt: string;
}

/** The run of this checkout and branch that is up, if any. */
export function runState(root = cacheRoot(), branch: Branch = '405'): RunState | undefined {
  const file = join(runDirOf(root, REPO_ROOT, branch), 'state.json');
  if (!existsSync(file)) return undefined;
  const state = JSON.parse(readFileSync(file, 'utf8')) as RunState;
  return alive(state.pid) ? state : undefined;
}

/** Builds the zip with `npx tsx moodle-filter/build.ts` (the player bundle included). */
export async function buildZip(log: (line: string) => void): Promise<void> {
  log('building dist/filter_hlsgate.zip (moodle-filter/build.ts)');
  // A fixed time stamp: the same sources give the same zip, so the same site key.
  const result = await execa('npx', ['tsx', 'moodle-filter/build.ts'], {
    cwd: REPO_ROOT, reject: false, all: true, env: { SOURCE_DATE_EPOCH: '315532800' },
  });
  if (result.exitCode !== 0) throw new Error(`moodle-filter/build.ts failed:\n${String(result.all).split('\n').slice(-20).join('\n')}`);
}

/**
 * Brings a site up for this checkout: finds the source (or says why there is none), builds what
 * is missing, restores the site's snapshot and starts PostgreSQL and `php -S`.
 */
export async function startMoodle(options: StartOptions = {}): Promise<StartResult> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const branch = options.branch ?? '405';
  const root = cacheRoot(env);
  mkdirSync(root, { recursive: true });
  removeLeftovers(root);
  removeLeftovers(join(root, 'sources'));
  const [lookup] = findMoodleSources({ env, cache: root, branches: [branch], composer: options.composer ?? {} });
  if (!lookup!.found) return { available: false, reason: lookup!.reason };
  const source = lookup!.source;
  log(`Moodle ${source.release} from ${source.origin}${lookup!.note ? ` (registry: ${lookup!.note})` : ''}`);
  const runDir = runDirOf(root, REPO_ROOT, branch);
  const existing = runState(root, branch);
  if (existing) {
    throw new Error(`this checkout's Moodle ${BRANCHES[branch].name} is already up at ${existing.url} (pid ${existing.pid}): stop it with npm run moodle -- down`);
  }
  const timings: Timings = {};
  const started = performance.now();
  ensureTestLocale(root);
  if (options.buildZip !== false) await timed(timings, 'buildZip', () => buildZip(log));
  if (!existsSync(ZIP_PATH)) throw new Error(`${relative(REPO_ROOT, ZIP_PATH)} is missing: run npx tsx moodle-filter/build.ts`);
  const keys = siteKeys({ sourceHash: source.hash, zipHash: sha256File(ZIP_PATH), scenarioHash: scenarioHash() });
  const port = options.port ?? (await freePort());
  const ctx: BuildContext = { root, source, log, timings, port };
  const baseDir = join(root, `base-${short(keys.base)}`);
  const siteDir = join(root, `site-${short(keys.site)}`);
  const fresh = { base: false, site: !usableEntry(siteDir, 'site', log) };
  if (fresh.site) {
    fresh.base = !usableEntry(baseDir, 'base', log);
    const base = await timed(timings, 'buildBase', () => buildBase(ctx, keys.base));
    utimesSync(join(base, 'base.json'), new Date(), new Date());
    await timed(timings, 'buildSite', () => buildSite(ctx, base, keys.site, ZIP_PATH));
  }
  utimesSync(join(siteDir, 'site.json'), new Date(), new Date());
  prune(root, 'site', KEEP_SITES);
  prune(root, 'base', KEEP_BASES);
  const site = JSON.parse(readFileSync(join(siteDir, 'site.json'), 'utf8')) as { wwwroot: string; webroot: string; manifest: Manifest };
  const tree = join(siteDir, 'moodle');
  const dirroot = join(tree, site.webroot);

  mkdirSync(runDir, { recursive: true });
  const url = `http://localhost:${port}`;
  const dataroot = join(runDir, 'moodledata');
  const errorLog = join(runDir, 'php-error.log');
  await timed(timings, 'restore', async () => {
    await copyTree(join(siteDir, 'pg'), join(runDir, 'pg'), false);
    await copyTree(join(siteDir, 'moodledata'), dataroot, false);
    await copyTree(join(siteDir, 'phpunitdata'), join(runDir, 'phpunitdata'), false);
  });
  writeFileSync(errorLog, '');

  const stoppers: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stoppers.splice(0).reverse()) await stop().catch(() => undefined);
  };
  try {
    const pg = await timed(timings, 'postgres', () => startPostgres({ dir: join(runDir, 'pg'), user: DB_USER }));
    stoppers.push(() => pg.stop());
    writeRunConfig(runDir, {
      wwwroot: url, dbport: pg.port, dbuser: DB_USER, dataroot,
      phpunitdataroot: join(runDir, 'phpunitdata'), errorlog: errorLog,
    });
    // The theme's CSS names the snapshot's wwwroot: another port needs fresh caches.
    if (site.wwwroot !== url) await timed(timings, 'purgeCaches', () => runPhp(runDir, tree, 'admin/cli/purge_caches.php'));

    if (options.serve !== false) {
      const serverLog = openSync(join(runDir, 'php-server.log'), 'w');
      // The web root: the tree, or its public/ from Moodle 5.1 on.
      // OPcache, as a production Moodle runs (Debian's php-cli leaves it off for the CLI SAPIs, and
      // php -S is one). revalidate_freq=0: a file that a test changes (a plugin installed from a
      // zip) is seen at the next request.
      const server = spawn('php', [...PHP_INI, ...SERVER_OPCACHE, '-d', 'log_errors=1', '-d', 'display_errors=0', '-d', `error_log=${errorLog}`,
        '-S', `127.0.0.1:${port}`, '-t', dirroot], {
        cwd: dirroot,
        detached: true,
        stdio: ['ignore', serverLog, serverLog],
        env: { ...process.env, ...phpEnv(runDir, tree), PHP_CLI_SERVER_WORKERS: '4' },
      });
      closeSync(serverLog);
      stoppers.push(stopServer(server));
      await timed(timings, 'webServer', () => waitForHttp(`${url}/login/index.php`, server, 30_000));
    }
    writeFileSync(join(runDir, 'state.json'), `${JSON.stringify({ pid: process.pid, url, siteKey: keys.site, branch, startedAt: new Date().toISOString() } satisfies RunState)}\n`);
    stoppers.push(async () => rmSync(join(runDir, 'state.json'), { force: true }));
    timings.total = Math.round(performance.now() - started);

    const php: MoodleSite['php'] = (script, args = [], opts = {}) => runPhp(runDir, tree, script, args, opts.input);
    let stopping: Promise<void> | undefined;
    return {
      available: true,
      site: {
        url,
        branch,
        release: source.release,
        manifest: site.manifest,
        root: tree,
        dirroot,
        runDir,
        dataroot,
        errorLog,
        timings,
        fresh,
        env: phpEnv(runDir, tree),
        php,
        async helper<T>(request: Record<string, unknown>) {
          return JSON.parse(await php(join(PHP_DIR, 'helper.php'), [JSON.stringify(request)])) as T;
        },
        async configureFilter(settings) {
          for (const [name, value] of Object.entries(settings)) {
            if (value === undefined) continue;
            await php('admin/cli/cfg.php', [`--component=${COMPONENT}`, `--name=${name}`, `--set=${String(value)}`]);
          }
        },
        publishPlaylists(repositoryRoot) {
          const target = join(dataroot, 'repository', site.manifest.repository.folder);
          mkdirSync(target, { recursive: true });
          copyPlaylists(repositoryRoot, target);
        },
        stop: () => (stopping ??= stopAll()),
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** `<root>/<course>/*.m3u8` → `<target>/<course>/*.m3u8` (ingest's layout, as the repository shows it). */
function copyPlaylists(root: string, target: string): void {
  if (!existsSync(root)) throw new Error(`no published playlists: ${root} does not exist (has the stack ingested its lectures?)`);
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const from = join(root, entry.name);
    if (entry.isDirectory()) {
      mkdirSync(join(target, entry.name), { recursive: true });
      copyPlaylists(from, join(target, entry.name));
    } else if (entry.name.endsWith('.m3u8')) {
      writeFileSync(join(target, entry.name), readFileSync(from));
    }
  }
}
