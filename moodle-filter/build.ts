/**
 * `npm run build:moodle`: builds the player bundle (`npm run build:player`), puts it where Moodle
 * loads AMD modules (amd/src/hlsgate-lazy.js and amd/build/hlsgate-lazy.min.js: "-lazy" keeps the
 * 700 KB bundle out of the all-modules file Moodle sends to every page), copies video.js's
 * stylesheet for sites without Moodle's own Video.js player, and writes dist/filter_hlsgate.zip
 * whose top folder is `hlsgate`, for Site administration › Plugins › Install plugins.
 *
 * Options: --skip-player-build (use the dist/player/hlsgate.amd.js that is there).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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
    // Moodle's own tests (advanced_testcase); the Moodle-free ones (tests/core/*Test.php) stay out.
    /^tests\/([a-z0-9_]+\/)?[a-z0-9_]+_test\.php$/.test(path) ||
    path === 'tests/generator/lib.php'
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

export interface PackageInput {
  /** moodle-filter/ (the plugin's sources). */
  pluginDir: string;
  /** The AMD player bundle (dist/player/hlsgate.amd.js). */
  bundle: string;
  /** video.js's stylesheet. */
  videojsCss: Buffer;
}

/**
 * The files of the plugin as Moodle installs them: the packaged sources, the bundle as
 * amd/src/hlsgate-lazy.js and amd/build/hlsgate-lazy.min.js, the AMD entry's build copy, and
 * videojs/video-js.min.css. Returns path → contents, '/'-separated paths inside the plugin.
 */
export function pluginFiles(input: PackageInput): Map<string, Buffer> {
  checkAmdBundle(input.bundle);
  const files = new Map<string, Buffer>();
  for (const path of walk(input.pluginDir)) {
    if (isPackaged(path) && !path.includes(BUNDLE_MODULE)) files.set(path, readFileSync(join(input.pluginDir, path)));
  }
  const bundle = Buffer.from(input.bundle, 'utf8');
  files.set(`amd/src/${BUNDLE_MODULE}.js`, bundle);
  files.set(`amd/build/${BUNDLE_MODULE}.min.js`, bundle);
  // The entry is written as a plain AMD module: its build copy is the source itself.
  files.set('amd/build/player.min.js', readFileSync(join(input.pluginDir, 'amd/src/player.js')));
  files.set('videojs/video-js.min.css', input.videojsCss);
  for (const required of ['version.php', 'classes/text_filter.php', 'lang/en/filter_hlsgate.php', 'db/services.php']) {
    if (!files.has(required)) throw new Error(`plugin: ${required} is missing`);
  }
  return new Map([...files.entries()].sort(([a], [b]) => a.localeCompare(b)));
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
  const files = pluginFiles({
    pluginDir: PLUGIN_DIR,
    bundle: readFileSync(bundlePath, 'utf8'),
    videojsCss: readFileSync(join(ROOT, 'node_modules/video.js/dist/video-js.min.css')),
  });
  // The same files in the source folder, so it can be linked into a Moodle checkout as filter/hlsgate.
  for (const path of [`amd/src/${BUNDLE_MODULE}.js`, `amd/build/${BUNDLE_MODULE}.min.js`, 'amd/build/player.min.js',
    'videojs/video-js.min.css']) {
    mkdirSync(dirname(join(PLUGIN_DIR, path)), { recursive: true });
    writeFileSync(join(PLUGIN_DIR, path), files.get(path)!);
  }
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
