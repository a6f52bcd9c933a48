/**
 * Where each Moodle the tests run comes from. The harness runs one Moodle per branch in BRANCHES
 * (405 = the newest 4.5.x, 501 = the newest 5.1.x); for each it looks, in this order:
 *
 *  1. `HLSGATE_MOODLE_SOURCE`: one or more `:`-separated trees or tarballs, each taken for the
 *     branch its version.php names (`$branch`);
 *  2. Composer's registry: the newest `moodle/moodle` version of the branch (`composer show`, then
 *     `composer create-project --no-install`), each with a timeout;
 *  3. a tree of the branch that an earlier run put into `<cache>/sources/`.
 *
 * Every source used is kept in `<cache>/sources/<version>/` (a tarball unpacked there, a tree
 * hard-linked there) with `origin.json` saying where it came from, so a later run on the same
 * machine without the setting still finds it. A branch with no source is skipped with one line
 * that says how to give one.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SOURCE_SETTING = 'HLSGATE_MOODLE_SOURCE';

/** The Moodle branches the plugin is tested on, and the Composer constraint of each. */
export const BRANCHES = {
  '405': { name: '4.5', constraint: '4.5.*' },
  '501': { name: '5.1', constraint: '5.1.*' },
} as const;
export type Branch = keyof typeof BRANCHES;
export const ALL_BRANCHES = Object.keys(BRANCHES) as Branch[];

export function isBranch(value: string): value is Branch {
  return Object.hasOwn(BRANCHES, value);
}

export interface MoodleSource {
  branch: Branch;
  /** `$release`'s version, e.g. "4.5.6". */
  version: string;
  /** `$release`, e.g. "4.5.6 (Build: 20250811)". */
  release: string;
  /** The tree in the cache (`<cache>/sources/<version>/moodle`): config.php and admin/cli at its top. */
  path: string;
  /** The web root: the tree, or its `public/` (5.1 and later). */
  webroot: string;
  /** sha256 of the tree's version.php (with its path inside the tree): the base's key. */
  hash: string;
  /** Where it came from, in words (for the log line). */
  origin: string;
}

export type SourceLookup = { branch: Branch; found: true; source: MoodleSource; note?: string } | { branch: Branch; found: false; reason: string };

interface Origin {
  from: 'HLSGATE_MOODLE_SOURCE' | 'composer';
  /** The tree or tarball named, or the Composer package and version. */
  what: string;
  release: string;
  branch: string;
  /** sha256 of the source's version.php, to notice a named tree of the same version that changed. */
  versionHash: string;
  at: string;
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The version.php of a Moodle tree: at its top (≤ 5.0) or under public/ (5.1 and later). */
export function versionFile(tree: string): string | undefined {
  for (const candidate of [join(tree, 'public', 'version.php'), join(tree, 'version.php')]) {
    if (existsSync(candidate) && existsSync(join(tree, 'lib', 'setup.php'))) return candidate;
  }
  return undefined;
}

export interface TreeVersion {
  branch: string;
  release: string;
  version: string;
  webroot: string;
}

/** `$branch` and `$release` of a tree's version.php. */
export function treeVersion(tree: string): TreeVersion | undefined {
  const file = versionFile(tree);
  if (!file) return undefined;
  const text = readFileSync(file, 'utf8');
  const branch = /\$branch\s*=\s*'(\d+)'/.exec(text)?.[1];
  const release = /\$release\s*=\s*'([^']+)'/.exec(text)?.[1];
  if (!branch || !release) return undefined;
  return { branch, release, version: release.split(' ')[0]!, webroot: file === join(tree, 'version.php') ? tree : join(tree, 'public') };
}

/** `$release` of a tree's version.php, e.g. "4.5.6 (Build: 20250811)". */
export function moodleRelease(tree: string): string {
  return treeVersion(tree)?.release ?? 'unknown';
}

const sourcesDir = (cache: string) => join(cache, 'sources');
const tmpName = (target: string) => `${target}.${process.pid}.${Math.random().toString(16).slice(2, 8)}.tmp`;

function cachedSource(dir: string, origin: Origin): MoodleSource | undefined {
  const tree = join(dir, 'moodle');
  const version = treeVersion(tree);
  if (!version || !isBranch(version.branch)) return undefined;
  const hash = createHash('sha256').update(sha256File(versionFile(tree)!)).update(version.webroot === tree ? '' : 'public').digest('hex');
  const what = origin.from === 'composer' ? `Composer's registry (${origin.what})` : `${SOURCE_SETTING} (${origin.what})`;
  return { branch: version.branch, version: version.version, release: version.release, path: tree, webroot: version.webroot, hash, origin: what };
}

function readOrigin(dir: string): Origin | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'origin.json'), 'utf8')) as Origin;
  } catch {
    return undefined;
  }
}

/** The cached sources, newest version first per branch. */
export function cachedSources(cache: string): MoodleSource[] {
  const dir = sourcesDir(cache);
  if (!existsSync(dir)) return [];
  const found: MoodleSource[] = [];
  for (const name of readdirSync(dir)) {
    if (!/^\d+\.\d+\.\d+/.test(name) || name.endsWith('.tmp')) continue;
    const origin = readOrigin(join(dir, name));
    const source = origin && cachedSource(join(dir, name), origin);
    if (source) found.push(source);
  }
  return found.sort((a, b) => b.version.localeCompare(a.version, 'en', { numeric: true }));
}

/**
 * Puts `fill(tmp)`'s tree (which must end up as `<tmp>/moodle`) into `<cache>/sources/<version>/`
 * with origin.json, under a temporary name renamed into place: a killed copy is never used.
 */
function keep(cache: string, fill: (tmp: string) => void, origin: Omit<Origin, 'release' | 'branch' | 'versionHash' | 'at'>): MoodleSource {
  mkdirSync(sourcesDir(cache), { recursive: true });
  const tmp = tmpName(join(sourcesDir(cache), 'incoming'));
  mkdirSync(tmp);
  try {
    fill(tmp);
    const version = treeVersion(join(tmp, 'moodle'));
    if (!version) throw new Error(`${origin.what} is not a Moodle tree (no version.php with $branch and lib/setup.php)`);
    const full: Origin = { ...origin, release: version.release, branch: version.branch, versionHash: sha256File(versionFile(join(tmp, 'moodle'))!), at: new Date().toISOString() };
    writeFileSync(join(tmp, 'origin.json'), `${JSON.stringify(full, null, 2)}\n`);
    const target = join(sourcesDir(cache), version.version);
    const old = `${tmpName(target)}`;
    if (existsSync(target)) renameSync(target, old);
    renameSync(tmp, target);
    rmSync(old, { recursive: true, force: true });
    return cachedSource(target, full)!;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** A named tree or tarball, kept in the cache (again only when it changed). */
function fromSetting(entry: string, cache: string): MoodleSource {
  const path = resolve(entry);
  if (!existsSync(path)) throw new Error(`${SOURCE_SETTING}: ${path} does not exist`);
  if (statSync(path).isDirectory()) {
    const version = treeVersion(path);
    if (!version) throw new Error(`${SOURCE_SETTING}: ${path} is not a Moodle tree (no version.php and lib/setup.php)`);
    const dir = join(sourcesDir(cache), version.version);
    const origin = readOrigin(dir);
    const cached = origin && cachedSource(dir, origin);
    if (cached && origin.what === path && origin.versionHash === sha256File(versionFile(path)!)) return cached;
    return keep(cache, (tmp) => {
      // Hard links where the cache is on the same file system (Moodle's code is never written to).
      const linked = spawnSync('cp', ['-al', path, join(tmp, 'moodle')]);
      if (linked.status !== 0) {
        rmSync(join(tmp, 'moodle'), { recursive: true, force: true });
        execFileSync('cp', ['-a', path, join(tmp, 'moodle')]);
      }
    }, { from: SOURCE_SETTING, what: path });
  }
  if (!/\.tar(\.xz|\.gz|\.bz2)?$|\.tgz$/.test(path)) throw new Error(`${SOURCE_SETTING}: ${path} is neither a folder nor a .tar(.xz|.gz) file`);
  const hash = sha256File(path);
  const known = cachedSources(cache).find((s) => readOrigin(resolve(s.path, '..'))?.what === `${path} sha256:${hash}`);
  if (known) return known;
  return keep(cache, (tmp) => {
    const unpack = join(tmp, 'unpack');
    mkdirSync(unpack);
    execFileSync('tar', ['-xf', path, '-C', unpack], { stdio: ['ignore', 'ignore', 'pipe'] });
    const entries = readdirSync(unpack);
    const top = entries.length === 1 ? join(unpack, entries[0]!) : unpack;
    renameSync(top, join(tmp, 'moodle'));
    rmSync(unpack, { recursive: true, force: true });
  }, { from: SOURCE_SETTING, what: `${path} sha256:${hash}` });
}

export interface ComposerOptions {
  /** The composer command (default `composer`). */
  command?: string;
  /** Per call (default 60 s for `show`, 600 s for `create-project`). */
  showTimeoutMs?: number;
  createTimeoutMs?: number;
}

type RegistryAnswer = { ok: true; versions: string[] } | { ok: false; reason: string };

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim().slice(0, 240);

/** The versions of moodle/moodle the registry serves (`composer show -a`), or why it could not say. */
export function registryVersions(options: ComposerOptions = {}): RegistryAnswer {
  const run = spawnSync(options.command ?? 'composer', ['show', '--all', '--no-interaction', '--format=json', 'moodle/moodle'], {
    cwd: '/', encoding: 'utf8', timeout: options.showTimeoutMs ?? 60_000, env: { ...process.env, COMPOSER_NO_INTERACTION: '1' },
  });
  if (run.error) {
    const code = (run.error as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === 'ETIMEDOUT' ? `composer show did not answer in ${(options.showTimeoutMs ?? 60_000) / 1000} s` : `composer: ${run.error.message}` };
  }
  if (run.status !== 0) {
    // Composer's message, without its banner and usage: the line that says what is wrong.
    const said = `${run.stderr}\n${run.stdout}`.split('\n').map((l) => l.trim()).find((l) => /not found|could not|failed|error/i.test(l) && !/^In \w+\.php/.test(l));
    return { ok: false, reason: `the registry does not serve moodle/moodle (composer show: ${said ? oneLine(said) : `exit ${run.status}`})` };
  }
  try {
    const versions = (JSON.parse(run.stdout) as { versions?: string[] }).versions ?? [];
    return { ok: true, versions: versions.map((v) => v.replace(/^v/, '')) };
  } catch {
    return { ok: false, reason: `composer show gave no JSON: ${oneLine(run.stdout)}` };
  }
}

/** The newest stable version of `branch` in `versions` ("4.5.6" for 405), if any. */
export function newestOfBranch(versions: string[], branch: Branch): string | undefined {
  const prefix = `${BRANCHES[branch].name}.`;
  return versions
    .filter((v) => v.startsWith(prefix) && /^\d+\.\d+\.\d+$/.test(v))
    .sort((a, b) => b.localeCompare(a, 'en', { numeric: true }))[0];
}

function fromComposer(version: string, cache: string, options: ComposerOptions): MoodleSource {
  const cached = cachedSources(cache).find((s) => s.version === version);
  if (cached) return cached;
  return keep(cache, (tmp) => {
    const run = spawnSync(options.command ?? 'composer', ['create-project', '--no-install', '--no-scripts', '--no-plugins', '--no-interaction',
      'moodle/moodle', join(tmp, 'moodle'), version], { encoding: 'utf8', timeout: options.createTimeoutMs ?? 600_000 });
    if (run.error || run.status !== 0) throw new Error(`composer create-project moodle/moodle ${version} failed: ${oneLine(run.error?.message ?? run.stderr ?? '')}`);
  }, { from: 'composer', what: `moodle/moodle ${version}` });
}

export interface LookupOptions {
  env?: Record<string, string | undefined>;
  cache: string;
  branches?: Branch[];
  /** false: no registry call (the cache and the setting only). */
  composer?: ComposerOptions | false;
}

/**
 * Finds the source of each branch. Throws only when HLSGATE_MOODLE_SOURCE names something that is
 * not a Moodle source; a registry that fails is one line in the lookup's note or reason.
 */
export function findMoodleSources(options: LookupOptions): SourceLookup[] {
  const env = options.env ?? process.env;
  const branches = options.branches ?? ALL_BRANCHES;
  const named = new Map<string, MoodleSource>();
  for (const entry of (env[SOURCE_SETTING] ?? '').split(':').filter(Boolean)) {
    const source = fromSetting(entry, options.cache);
    named.set(source.branch, source);
  }
  let registry: RegistryAnswer | undefined;
  return branches.map((branch): SourceLookup => {
    const mine = named.get(branch);
    if (mine) return { branch, found: true, source: mine };
    let registryNote = 'registry not asked';
    if (options.composer !== false) {
      registry ??= registryVersions(options.composer ?? {});
      if (registry.ok) {
        const version = newestOfBranch(registry.versions, branch);
        if (version) {
          try {
            return { branch, found: true, source: fromComposer(version, options.cache, options.composer ?? {}) };
          } catch (error) {
            registryNote = (error as Error).message;
          }
        } else {
          registryNote = `the registry serves no moodle/moodle ${BRANCHES[branch].constraint}`;
        }
      } else {
        registryNote = registry.reason;
      }
    }
    const cached = cachedSources(options.cache).find((s) => s.branch === branch);
    if (cached) return { branch, found: true, source: cached, note: registryNote };
    return {
      branch,
      found: false,
      reason: `no Moodle ${BRANCHES[branch].name} source: ${registryNote}; set ${SOURCE_SETTING} to a Moodle ${BRANCHES[branch].name} tree or tarball (several: separated by ':'); it is kept in ${sourcesDir(options.cache)} for later runs`,
    };
  });
}
