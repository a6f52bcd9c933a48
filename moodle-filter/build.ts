/**
 * `npm run build:moodle`: builds the player bundle (`npm run build:player`) and keeps the plugin's
 * vendored copies current — amd/src/hlsgate-lazy.js (the bundle: "-lazy" keeps its 700 KB out of
 * the all-modules file Moodle sends to every page) and videojs/video-js.min.css (video.js's
 * stylesheet for sites without Moodle's own Video.js player) — then writes dist/filter_hlsgate.zip
 * whose top folder is `hlsgate`, for Site administration › Plugins › Install plugins.
 *
 * amd/build is committed, and is exactly what Moodle's own `grunt amd` makes from amd/src (checked
 * by testing/plugin-checks/run.ts in npm test). When an amd/src file changed (its build's source
 * map carries another source), this runs that grunt (Moodle's toolchain, cached; needs a Moodle
 * tree: HLSGATE_MOODLE_SOURCE) and writes amd/build; without a Moodle tree it stops and says so.
 *
 * Options: --skip-player-build (use the dist/player/hlsgate.amd.js that is there).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cacheRoot } from '../testing/moodle/site.ts';
import { findMoodleSources } from '../testing/moodle/source.ts';
import { buildMatchesSources, gruntAmd, moodleToolchain, writeBuild } from '../testing/plugin-checks/moodle-js.ts';
import { createZip, type ZipEntry } from './zip.ts';

export const PLUGIN_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = join(PLUGIN_DIR, '..');
export const BUNDLE_MODULE = 'hlsgate-lazy';
/** The plugin's folder name in Moodle (filter/hlsgate) and so the zip's top folder. */
export const TOP_FOLDER = 'hlsgate';

/** What goes into the zip, by path inside moodle-filter/ ('/'-separated). Development files stay out. */
export function isPackaged(path: string): boolean {
  return (
    /^(version|settings|lib|report)\.php$/.test(path) ||
    path === 'db/install.xml' ||
    /^(styles\.css|thirdpartylibs\.xml|README\.md|CHANGES\.md)$/.test(path) ||
    /^(lang|classes|db)\/.+\.php$/.test(path) ||
    /^amd\/(src|build)\/[a-z0-9_-]+(\.min)?\.js(\.map)?$/.test(path) ||
    /^videojs\/video-js\.min\.css$/.test(path) ||
    // The JavaScript the Moodle App runs at start-up (classes/output/mobile.php hands it out).
    /^mobile\/[a-z0-9_-]+\.js$/.test(path) ||
    // Moodle's own tests (advanced_testcase); the Moodle-free ones (tests/core/*Test.php) stay out.
    /^tests\/([a-z0-9_]+\/)?[a-z0-9_]+_test\.php$/.test(path) ||
    path === 'tests/generator/lib.php' ||
    // Fixtures those tests share with the benchmarks (tests/fixtures/app_texts.php).
    /^tests\/fixtures\/[a-z0-9_]+\.php$/.test(path)
  );
}

/**
 * Checks the player bundle is what Moodle's loader can name: its first `define(` must be an
 * anonymous `define([` (lib/requirejs.php names the first define it finds, if anonymous).
 */
export function checkAmdBundle(code: string): void {
  const first = code.indexOf('define(');
  if (first === -1) throw new Error('player bundle: no define( found; not an AMD module');
  if (!/^define\(\s*\[/.test(code.slice(first))) {
    throw new Error('player bundle: its first define( is not an anonymous define([...], factory)');
  }
  if (!/\bcreate\b/.test(code)) throw new Error('player bundle: it does not mention create(); not the hlsgate bundle?');
}

function walk(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) continue;
    if (statSync(full).isDirectory()) out.push(...walk(full, base));
    else out.push(relative(base, full).split(sep).join('/'));
  }
  return out;
}

/**
 * The files of the plugin as Moodle installs them: the packaged sources as they are in the plugin
 * folder (amd/src, the committed amd/build, videojs/). Returns path → contents, '/'-separated paths
 * inside the plugin.
 */
export function pluginFiles(pluginDir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const path of walk(pluginDir)) {
    if (isPackaged(path)) files.set(path, readFileSync(join(pluginDir, path)));
  }
  checkAmdBundle(files.get(`amd/src/${BUNDLE_MODULE}.js`)?.toString('utf8') ?? '');
  for (const required of ['version.php', 'classes/text_filter.php', 'lang/en/filter_hlsgate.php', 'db/services.php',
    'amd/build/player.min.js', `amd/build/${BUNDLE_MODULE}.min.js`, 'videojs/video-js.min.css']) {
    if (!files.has(required)) throw new Error(`plugin: ${required} is missing`);
  }
  return new Map([...files.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

/** Writes a file only when its contents change (keeps mtimes, and git status, quiet). */
function writeIfChanged(path: string, data: Buffer): boolean {
  if (existsSync(path) && readFileSync(path).equals(data)) return false;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
  return true;
}

/** Rebuilds amd/build with Moodle's grunt when an amd/src file is newer than its build. */
function ensureAmdBuild(): void {
  const stale = buildMatchesSources(PLUGIN_DIR);
  if (stale.length === 0) return;
  // Moodle 4.5's grunt (the oldest supported branch).
  const lookup = findMoodleSources({ cache: cacheRoot(), branches: ['405'] })[0]!;
  if (!lookup.found) {
    throw new Error(`amd/build is stale for ${stale.join(', ')} and Moodle's grunt needs a Moodle tree: ${lookup.reason}`);
  }
  const cache = join(cacheRoot(), 'checks');
  const log = (line: string) => console.log(`build:moodle: ${line}`);
  log(`amd/build is stale for ${stale.join(', ')}: running Moodle's grunt amd`);
  const toolchain = moodleToolchain(lookup.source.path, cache, log);
  const amd = gruntAmd(toolchain, PLUGIN_DIR, cache);
  if (amd.lint.length > 0) log(`ESLint (Moodle's rules) found ${amd.lint.length} problem(s):\n  ${amd.lint.join('\n  ')}`);
  writeBuild(PLUGIN_DIR, amd.build);
  log(`wrote amd/build (${amd.build.size} files, grunt ${amd.ran ? `${amd.seconds.toFixed(0)} s` : 'cached'}): commit it`);
}

/** Zip entries under the top folder, with a directory entry for every folder. */
export function zipEntries(files: Map<string, Buffer>): ZipEntry[] {
  const entries: ZipEntry[] = [];
  const folders = new Set<string>();
  for (const [path, data] of files) {
    const parts = `${TOP_FOLDER}/${path}`.split('/');
    for (let i = 1; i < parts.length; i += 1) {
      const folder = `${parts.slice(0, i).join('/')}/`;
      if (!folders.has(folder)) {
        folders.add(folder);
        entries.push({ name: folder });
      }
    }
    entries.push({ name: `${TOP_FOLDER}/${path}`, data });
  }
  return entries;
}

function main(): void {
  const skipPlayerBuild = process.argv.includes('--skip-player-build');
  if (!skipPlayerBuild) {
    const run = spawnSync('npm', ['run', 'build:player'], { cwd: ROOT, stdio: 'inherit' });
    if (run.status !== 0) throw new Error(`npm run build:player failed (exit ${run.status ?? run.signal})`);
  }
  const bundlePath = join(ROOT, 'dist/player/hlsgate.amd.js');
  if (!existsSync(bundlePath)) throw new Error(`${relative(ROOT, bundlePath)} is missing: run npm run build:player`);
  const bundle = readFileSync(bundlePath);
  checkAmdBundle(bundle.toString('utf8'));
  // The vendored copies in the source folder (it can be linked into a Moodle checkout as filter/hlsgate).
  if (writeIfChanged(join(PLUGIN_DIR, `amd/src/${BUNDLE_MODULE}.js`), bundle)) {
    console.log(`build:moodle: amd/src/${BUNDLE_MODULE}.js changed (a new player bundle): commit it`);
  }
  writeIfChanged(join(PLUGIN_DIR, 'videojs/video-js.min.css'), readFileSync(join(ROOT, 'node_modules/video.js/dist/video-js.min.css')));
  ensureAmdBuild();
  const files = pluginFiles(PLUGIN_DIR);
  const zip = createZip(zipEntries(files), {
    mtime: process.env.SOURCE_DATE_EPOCH ? new Date(Number(process.env.SOURCE_DATE_EPOCH) * 1000) : new Date(),
  });
  const zipPath = join(ROOT, 'dist/filter_hlsgate.zip');
  mkdirSync(dirname(zipPath), { recursive: true });
  writeFileSync(zipPath, zip);
  const bundleSize = files.get(`amd/build/${BUNDLE_MODULE}.min.js`)!.length;
  console.log(
    `moodle-filter: ${relative(ROOT, zipPath)} (${(zip.length / 1024).toFixed(0)} KiB, ${files.size} files under ${TOP_FOLDER}/; ` +
      `player bundle ${(bundleSize / 1024).toFixed(0)} KiB)`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main();
  } catch (error) {
    console.error(`build:moodle: ${(error as Error).message}`);
    process.exit(1);
  }
}
