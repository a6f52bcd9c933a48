/**
 * `npm run build:player` → dist/player/:
 * - hlsgate.js (+ types/): ESM, video.js external (a peer dependency);
 * - hlsgate-hlsjs.js: ESM, `attachHlsgate` for hls.js (a peer dependency, not imported at run time);
 * - hlsgate.iife.js: a `<script>` after video.js's, global `hlsgate`;
 * - hlsgate-hlsjs.iife.js: a `<script>` for pages with hls.js, global `hlsgateHlsjs`;
 * - hlsgate.amd.js: an AMD module for Moodle with video.js inside. Its FIRST `define(` is its own
 *   anonymous `define([], factory)` (Moodle's loader names the first one it finds), and inside the
 *   factory `define`, `require`, `module` and `exports` are shadowed, so the UMD wrappers bundled
 *   with video.js cannot register with the page's loader.
 * One Vite build per format (the externals differ), the last two started from this one's closeBundle.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build, defineConfig, type InlineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
// HLSGATE_PLAYER_OUT_DIR: the build test builds into a temporary folder.
const outDir = process.env.HLSGATE_PLAYER_OUT_DIR ?? fileURLToPath(new URL('../dist/player', import.meta.url));
const entry = (name: string) => fileURLToPath(new URL(`./${name}`, import.meta.url));
const videojsVersion = (await import('video.js/package.json', { with: { type: 'json' } })).default.version as string;

export const AMD_GLOBAL = '__hlsgateAmd';

/** Wraps the IIFE output into the anonymous AMD module. */
export function amdWrap(): Plugin {
  return {
    name: 'hlsgate-amd-wrap',
    generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk') continue;
        chunk.code =
          `/*! hlsgate player (AMD) with video.js ${videojsVersion} bundled; video.js: Apache-2.0 */\n` +
          `define([], function () {\n` +
          `var define, require, module, exports;\n` +
          `${chunk.code}\n` +
          `return ${AMD_GLOBAL};\n});\n`;
      }
    },
  };
}

function libConfig(format: 'iife' | 'amd' | 'hlsjs-iife'): InlineConfig {
  return {
    configFile: false,
    root,
    logLevel: 'warn',
    plugins: format === 'amd' ? [amdWrap()] : [],
    build: {
      outDir,
      emptyOutDir: false,
      sourcemap: false,
      minify: true,
      lib:
        format === 'iife'
          ? { entry: entry('iife.ts'), formats: ['iife'], name: 'hlsgate', fileName: () => 'hlsgate.iife.js' }
          : format === 'hlsjs-iife'
            ? { entry: entry('hlsjs-entry.ts'), formats: ['iife'], name: 'hlsgateHlsjs', fileName: () => 'hlsgate-hlsjs.iife.js' }
            : { entry: entry('amd.ts'), formats: ['iife'], name: AMD_GLOBAL, fileName: () => 'hlsgate.amd.js' },
      rollupOptions:
        format === 'iife'
          ? { external: ['video.js'], output: { globals: { 'video.js': 'videojs' } } }
          : {},
    },
  };
}

const moreBuilds: Plugin = {
  name: 'hlsgate-more-builds',
  apply: 'build',
  async closeBundle() {
    await build(libConfig('iife'));
    await build(libConfig('hlsjs-iife'));
    await build(libConfig('amd'));
    // Types for the ESM build, from the same sources.
    const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
    execFileSync(process.execPath, [tsc, '-p', entry('tsconfig.dts.json'), '--outDir', `${outDir}/types`], { stdio: 'inherit' });
  },
};

export default defineConfig({
  root,
  logLevel: 'warn',
  plugins: [moreBuilds],
  build: {
    outDir,
    emptyOutDir: true,
    sourcemap: true,
    minify: true,
    lib: { entry: { hlsgate: entry('index.ts'), 'hlsgate-hlsjs': entry('hlsjs-entry.ts') }, formats: ['es'], fileName: (_format, name) => `${name}.js` },
    rollupOptions: { external: [/^video\.js(\/.*)?$/, /^hls\.js(\/.*)?$/], output: { chunkFileNames: 'hlsgate-core.js' } },
  },
});
