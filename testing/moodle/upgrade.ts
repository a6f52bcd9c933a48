/**
 * `npm run moodle -- upgrade`: on each Moodle branch, the previous release of the plugin (built
 * from git at PREVIOUS_RELEASE with that commit's own build script), a site's worth of its data
 * (php/upgrade-data.php seed: every setting, the embed grant key, progress rows, a log entry of the
 * plugin's own event), then the built dist/filter_hlsgate.zip through Moodle's plugin installer
 * (php/install-zip.php --upgrade) and admin/cli/upgrade.php. Every setting, the key, every progress
 * row and the log entry must still be there, unchanged, and the version must be the new zip's.
 *
 * The old release's zip (`<cache>/plugin-<commit>.zip`) and the site with it and its data
 * (`<cache>/old-<key>/`) are cached; a warm run restores that snapshot and runs the upgrade.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { startPostgres, freePort, type Postgres } from '../postgres.ts';
import {
  buildBase, buildZip, cacheRoot, KEEP_OLD, COMPONENT, copyTree, DB_USER, dropCaches, hashOf, PHP_DIR, prune, publish, REPO_ROOT, removeLeftovers,
  runPhp, short, siteKeys, timed, usableEntry, webrootOf, writeRunConfig, ZIP_PATH, type BuildContext, type Timings,
} from './site.ts';
import { BRANCHES, findMoodleSources, sha256File, type Branch } from './source.ts';

/** The last landed release of the plugin (moodle-filter/ as released). */
export const PREVIOUS_RELEASE = '833b5cd';

export interface PluginData {
  version: number;
  config: Record<string, string>;
  progress: Array<Record<string, string | number | null>>;
  log: Array<Record<string, string | number | null>>;
}

/** What of `before` is not in `after` unchanged (settings, key, progress rows, log rows), in words; [] when all is kept. */
export function lostInUpgrade(before: PluginData, after: PluginData): string[] {
  const lost: string[] = [];
  for (const [name, value] of Object.entries(before.config)) {
    if (name === 'version') continue;
    if (!(name in after.config)) lost.push(`setting ${name} is gone`);
    else if (after.config[name] !== value) lost.push(`setting ${name} changed from ${JSON.stringify(value)} to ${JSON.stringify(after.config[name])}`);
  }
  const rows = (kind: 'progress' | 'log') => {
    const byId = new Map(after[kind].map((row) => [String(row.id), row]));
    for (const row of before[kind]) {
      const now = byId.get(String(row.id));
      if (!now) {
        lost.push(`${kind} row ${row.id} is gone`);
        continue;
      }
      for (const [field, value] of Object.entries(row)) {
        if (String(now[field]) !== String(value)) lost.push(`${kind} row ${row.id}: ${field} changed from ${JSON.stringify(value)} to ${JSON.stringify(now[field])}`);
      }
    }
  };
  rows('progress');
  rows('log');
  if (before.progress.length === 0 || before.log.length === 0 || !before.config.embedkey) lost.push('the seed made no progress rows, log entry or embed key: nothing was tested');
  return lost;
}

/** The zip of the plugin as released at `commit`, built by that commit's own build script (cached per commit). */
export async function previousReleaseZip(root: string, commit: string, log: (line: string) => void): Promise<string> {
  let full: string;
  try {
    full = execFileSync('git', ['rev-parse', '--verify', '--quiet', `${commit}^{commit}`], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`the previous release ${commit} is not in this clone (a shallow clone?): git fetch --unshallow, or fetch that commit`);
  }
  const zip = join(root, `plugin-${full.slice(0, 12)}.zip`);
  if (existsSync(zip)) return zip;
  log(`building the previous release's zip from git ${full.slice(0, 12)} (its moodle-filter/build.ts)`);
  const work = mkdtempSync(join(tmpdir(), 'hlsgate-previous-'));
  try {
    execFileSync('sh', ['-c', `git archive ${full} | tar -x -C "${work}"`], { cwd: REPO_ROOT });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(work, 'node_modules'));
    const built = await execa('npx', ['tsx', 'moodle-filter/build.ts'], { cwd: work, reject: false, all: true, env: { SOURCE_DATE_EPOCH: '315532800' } });
    if (built.exitCode !== 0) throw new Error(`the previous release's build failed:\n${String(built.all).split('\n').slice(-15).join('\n')}`);
    const tmp = `${zip}.${process.pid}.${randomBytes(3).toString('hex')}.tmp`;
    copyFileSync(join(work, 'dist', 'filter_hlsgate.zip'), tmp);
    execFileSync('mv', [tmp, zip]);
    return zip;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const parseData = (json: string) => JSON.parse(json) as PluginData;

/** base + the old release + its data, into `<root>/old-<key>/` (old.json holds the data as seeded). */
async function buildOld(ctx: BuildContext, base: string, key: string, oldZip: string): Promise<string> {
  const target = join(ctx.root, `old-${short(key)}`);
  if (existsSync(join(target, 'old.json')) && existsSync(join(target, 'pg', 'data', 'PG_VERSION')) && existsSync(join(target, 'moodle', 'config.php'))) return target;
  rmSync(target, { recursive: true, force: true });
  const build = `${target}.${process.pid}.${randomBytes(3).toString('hex')}.tmp`;
  mkdirSync(build, { recursive: true });
  let pg: Postgres | undefined;
  try {
    const tree = join(build, 'moodle');
    await copyTree(join(base, 'moodle'), tree, true);
    await copyTree(join(base, 'pg'), join(build, 'pg'), false);
    await copyTree(join(base, 'moodledata'), join(build, 'moodledata'), false);
    dropCaches(join(build, 'moodledata'));
    pg = await startPostgres({ dir: join(build, 'pg'), user: DB_USER });
    writeRunConfig(build, { wwwroot: `http://localhost:${ctx.port}`, dbport: pg.port, dbuser: DB_USER, dataroot: join(build, 'moodledata'), phpunitdataroot: join(build, 'phpunitdata'), errorlog: join(build, 'php-error.log') });
    await timed(ctx.timings, 'oldInstall', async () => {
      await runPhp(build, tree, join(PHP_DIR, 'install-zip.php'), [tree, COMPONENT, oldZip]);
      await runPhp(build, tree, 'admin/cli/upgrade.php', ['--non-interactive']);
    });
    const seeded = await runPhp(build, tree, join(PHP_DIR, 'upgrade-data.php'), ['seed']);
    await pg.stop();
    pg = undefined;
    rmSync(join(build, 'config.json'));
    writeFileSync(join(build, 'old.json'), `${JSON.stringify({ key, branch: ctx.source.branch, seeded: parseData(seeded) }, null, 2)}\n`);
    return publish(build, target);
  } finally {
    await pg?.stop();
    rmSync(build, { recursive: true, force: true });
  }
}

/** Runs the upgrade test on each branch with a source; returns the exit code (0: all kept, or skipped with a line). */
export async function runUpgradeTests(options: { branches: Branch[]; log: (line: string) => void }): Promise<number> {
  const root = cacheRoot();
  mkdirSync(root, { recursive: true });
  removeLeftovers(root);
  const { log } = options;
  const sources = findMoodleSources({ cache: root, branches: options.branches });
  for (const lookup of sources) if (!lookup.found) log(`Moodle ${BRANCHES[lookup.branch].name} upgrade test skipped: ${lookup.reason}`);
  const found = sources.flatMap((lookup) => (lookup.found ? [lookup.source] : []));
  if (found.length === 0) return 0;
  await buildZip(log);
  const newZip = ZIP_PATH;
  const oldZip = await previousReleaseZip(root, PREVIOUS_RELEASE, log);
  // The Moodles one at a time took about 30 s each, PHP and PostgreSQL on one core: both at once
  // use both cores (issue 15 §4). Every line says which Moodle it is about.
  const upgradeOne = async (source: (typeof found)[number]): Promise<number> => {
    let failed = 0;
    const branch = source.branch;
    const name = `Moodle ${BRANCHES[branch].name}`;
    const timings: Timings = {};
    const t0 = performance.now();
    const ctx: BuildContext = { root, source, log: (line) => log(`[${BRANCHES[branch].name}] ${line}`), timings, port: await freePort() };
    const keys = siteKeys({ sourceHash: source.hash, zipHash: sha256File(oldZip), scenarioHash: readFileSync(join(PHP_DIR, 'upgrade-data.php'), 'utf8') });
    const baseDir = join(root, `base-${short(keys.base)}`);
    const base = usableEntry(baseDir, 'base', ctx.log) ? baseDir : await timed(timings, 'buildBase', () => buildBase(ctx, keys.base));
    const old = await timed(timings, 'oldSite', () => buildOld(ctx, base, hashOf('old', keys.site, sha256File(join(PHP_DIR, 'install-zip.php'))), oldZip));
    utimesSync(join(old, 'old.json'), new Date(), new Date());
    prune(root, 'old', KEEP_OLD);
    const seeded = (JSON.parse(readFileSync(join(old, 'old.json'), 'utf8')) as { seeded: PluginData }).seeded;

    // A throw-away copy of the old site: the new zip over it, then upgrade.php.
    const run = join(root, `upgrade-run.${process.pid}.${randomBytes(3).toString('hex')}.tmp`);
    let pg: Postgres | undefined;
    try {
      const tree = join(run, 'moodle');
      mkdirSync(run, { recursive: true });
      await timed(timings, 'restore', async () => {
        // Links are safe: the installer deletes the old plugin's files and writes new ones, it never writes into a file.
        await copyTree(join(old, 'moodle'), tree, true);
        await copyTree(join(old, 'pg'), join(run, 'pg'), false);
        await copyTree(join(old, 'moodledata'), join(run, 'moodledata'), false);
      });
      pg = await startPostgres({ dir: join(run, 'pg'), user: DB_USER });
      writeRunConfig(run, { wwwroot: `http://localhost:${ctx.port}`, dbport: pg.port, dbuser: DB_USER, dataroot: join(run, 'moodledata'), phpunitdataroot: join(run, 'phpunitdata'), errorlog: join(run, 'php-error.log') });
      await timed(timings, 'installZip', () => runPhp(run, tree, join(PHP_DIR, 'install-zip.php'), [tree, COMPONENT, newZip, '--upgrade']));
      await timed(timings, 'upgrade', () => runPhp(run, tree, 'admin/cli/upgrade.php', ['--non-interactive']));
      const after = parseData(await runPhp(run, tree, join(PHP_DIR, 'upgrade-data.php'), ['dump']));
      const newVersion = Number(/\$plugin->version\s*=\s*(\d+)/.exec(readFileSync(join(tree, webrootOf(source), 'filter', 'hlsgate', 'version.php'), 'utf8'))?.[1]);
      const lost = lostInUpgrade(seeded, after);
      if (after.version !== newVersion) lost.push(`the installed version is ${after.version}, the zip's is ${newVersion}`);
      const seconds = ((performance.now() - t0) / 1000).toFixed(1);
      if (lost.length) {
        failed = 1;
        log(`${name} (${source.release}): upgrade ${seeded.version} → ${after.version} FAILED in ${seconds} s:\n  ${lost.join('\n  ')}`);
      } else {
        log(`${name} (${source.release}): upgrade ${seeded.version} → ${after.version} kept ${Object.keys(seeded.config).length - 1} settings (embed key included), ${seeded.progress.length} progress rows, ${seeded.log.length} log entry; ${seconds} s ${JSON.stringify(timings)}`);
      }
    } catch (error) {
      failed = 1;
      log(`${name} (${source.release}): upgrade test FAILED: ${(error as Error).message}`);
    } finally {
      await pg?.stop();
      rmSync(run, { recursive: true, force: true });
    }
    return failed;
  };
  return (await Promise.all(found.map(upgradeOne))).some((code) => code !== 0) ? 1 : 0;
}
