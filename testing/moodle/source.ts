/**
 * Where the Moodle source comes from: `HLSGATE_MOODLE_SOURCE` (a tarball or an unpacked tree), else
 * the newest `../shared/moodle/moodle-*.tar.xz` beside the repository (or beside the main checkout,
 * for a git worktree). No registry carries Moodle; a machine without that folder has no Moodle
 * tests, and says so in one line.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

export type MoodleSource =
  | { kind: 'tarball'; path: string; hash: string }
  | { kind: 'tree'; path: string; hash: string };

export type SourceLookup = { found: true; source: MoodleSource } | { found: false; reason: string };

export const SOURCE_SETTING = 'HLSGATE_MOODLE_SOURCE';

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The folders that may hold `moodle/moodle-*.tar.xz`: `<repo>/../shared`, and the main checkout's for a worktree. */
export function sharedFolders(repoRoot: string): string[] {
  const folders = [resolve(repoRoot, '..', 'shared')];
  try {
    const common = execFileSync('git', ['rev-parse', '--git-common-dir'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const mainCheckout = dirname(isAbsolute(common) ? common : resolve(repoRoot, common));
    folders.push(resolve(mainCheckout, '..', 'shared'));
  } catch {
    // not a git checkout: the first folder is the only candidate
  }
  return [...new Set(folders)];
}

/** Numeric-aware order so that moodle-4.10 sorts after moodle-4.9. */
const byVersion = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

function treeHash(path: string): string {
  // A tree is hashed by where it is and its version.php: hashing 29,000 files each run costs more than a reinstall saves.
  return createHash('sha256').update(resolve(path)).update('\0').update(readFileSync(join(path, 'version.php'))).digest('hex');
}

/** Finds the source; throws only when HLSGATE_MOODLE_SOURCE names something that is not a Moodle source. */
export function findMoodleSource(repoRoot: string, env: Record<string, string | undefined> = process.env): SourceLookup {
  const named = env[SOURCE_SETTING];
  if (named) {
    const path = resolve(named);
    if (!existsSync(path)) throw new Error(`${SOURCE_SETTING}: ${path} does not exist`);
    if (statSync(path).isDirectory()) {
      if (!existsSync(join(path, 'version.php')) || !existsSync(join(path, 'lib', 'setup.php'))) {
        throw new Error(`${SOURCE_SETTING}: ${path} is not a Moodle tree (no version.php and lib/setup.php)`);
      }
      return { found: true, source: { kind: 'tree', path, hash: treeHash(path) } };
    }
    if (!/\.tar(\.xz|\.gz|\.bz2)?$|\.tgz$/.test(path)) throw new Error(`${SOURCE_SETTING}: ${path} is neither a folder nor a .tar(.xz|.gz) file`);
    return { found: true, source: { kind: 'tarball', path, hash: sha256File(path) } };
  }
  const folders = sharedFolders(repoRoot);
  for (const folder of folders) {
    const dir = join(folder, 'moodle');
    if (!existsSync(dir)) continue;
    const tarballs = readdirSync(dir).filter((name) => /^moodle-.+\.tar\.xz$/.test(name)).sort(byVersion);
    const newest = tarballs.at(-1);
    if (newest) {
      const path = join(dir, newest);
      return { found: true, source: { kind: 'tarball', path, hash: sha256File(path) } };
    }
  }
  return {
    found: false,
    reason: `no Moodle source: set ${SOURCE_SETTING} to a Moodle tarball or tree, or put moodle-*.tar.xz in ${join(folders[0]!, 'moodle')}`,
  };
}

/**
 * The unpacked tree of a tarball under `cacheRoot` (unpacked once, into a temporary folder renamed
 * into place, so a crash never leaves half a tree); a tree source is used where it is.
 */
export function unpackedTree(source: MoodleSource, cacheRoot: string): string {
  if (source.kind === 'tree') return source.path;
  const target = join(cacheRoot, `source-${source.hash.slice(0, 16)}`);
  if (existsSync(join(target, 'version.php'))) return target;
  mkdirSync(cacheRoot, { recursive: true });
  const temp = `${target}.${process.pid}.tmp`;
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp);
  try {
    execFileSync('tar', ['-xf', source.path, '-C', temp], { stdio: ['ignore', 'ignore', 'pipe'] });
    const entries = readdirSync(temp);
    const top = entries.length === 1 ? join(temp, entries[0]!) : temp;
    if (!existsSync(join(top, 'version.php'))) throw new Error(`${source.path} does not unpack to a Moodle tree (no version.php)`);
    rmSync(target, { recursive: true, force: true });
    renameSync(top, target);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  return target;
}

/** `$release` of a tree's version.php, e.g. "4.5.6 (Build: 20250811)". */
export function moodleRelease(tree: string): string {
  const match = /\$release\s*=\s*'([^']+)'/.exec(readFileSync(join(tree, 'version.php'), 'utf8'));
  return match?.[1] ?? 'unknown';
}
