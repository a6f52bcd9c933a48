/**
 * The built files (npm run build:player, into a temporary folder): the AMD module's first `define(`
 * is its own anonymous one and nothing bundled can reach the page's loader; the ESM and IIFE builds
 * leave video.js to the page.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let out: string;
const read = (name: string) => readFileSync(join(out, name), 'utf8');

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'hlsgate-player-build-'));
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'player/vite.config.ts'], {
    env: { ...process.env, HLSGATE_PLAYER_OUT_DIR: out },
    stdio: 'pipe',
  });
}, 120_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('AMD module for Moodle', () => {
  it('its first define( is its own anonymous define([], factory)', () => {
    const code = read('hlsgate.amd.js');
    const first = code.indexOf('define(');
    expect(first).toBeGreaterThan(-1);
    expect(code.slice(first, first + 'define([], function () {'.length)).toBe('define([], function () {');
    // Only a comment precedes it.
    expect(code.slice(0, first).replace(/\/\*[\s\S]*?\*\//g, '').trim()).toBe('');
  });

  it('shadows define, require, module and exports before any bundled code runs', () => {
    const code = read('hlsgate.amd.js');
    const body = code.slice(code.indexOf('function () {') + 'function () {'.length).trimStart();
    expect(body.startsWith('var define, require, module, exports;')).toBe(true);
    expect(code.trimEnd().endsWith('return __hlsgateAmd;\n});')).toBe(true);
  });

  it('registers exactly one anonymous module with a loader, and bundles video.js', () => {
    const code = read('hlsgate.amd.js');
    const calls: unknown[][] = [];
    const define = Object.assign((...args: unknown[]) => calls.push(args), { amd: {} });
    runInNewContext(code, { define });
    expect(calls).toHaveLength(1);
    expect(calls[0]![0]).toEqual([]);
    expect(typeof calls[0]![1]).toBe('function');
    expect(code).toContain('videojs-http-streaming');
  });
});

describe('ESM and IIFE builds', () => {
  it('the ESM build leaves video.js to the page (registerHlsgate(videojs)), and ships types', () => {
    const code = read('hlsgate.js');
    expect(code).toContain('registerHlsgate');
    expect(code).not.toContain('videojs-http-streaming');
    expect(code.length).toBeLessThan(80_000);
    const types = readFileSync(join(out, 'types/player/index.d.ts'), 'utf8');
    expect(types).toContain('registerHlsgate');
  });

  it('the hls.js builds leave hls.js to the page and define attachHlsgate (ESM) and the global hlsgateHlsjs (IIFE)', () => {
    const esm = read('hlsgate-hlsjs.js');
    expect(esm).toContain('attachHlsgate');
    const iife = read('hlsgate-hlsjs.iife.js');
    for (const code of [esm, iife]) {
      expect(code).not.toContain('hlsFragLoading'); // an hls.js event name: no hls.js inside
      expect(code).not.toContain('videojs-http-streaming');
    }
    // The adapter with its bar, the transcript panel and the chapters is ~63 kB; hls.js itself (even
    // its light build, 389 kB) could not hide under this bound.
    expect(iife.length).toBeLessThan(80_000);
    const context: Record<string, unknown> = {};
    runInNewContext(iife, context);
    expect(typeof (context.hlsgateHlsjs as { attachHlsgate: unknown }).attachHlsgate).toBe('function');
    expect(readFileSync(join(out, 'types/player/hlsjs-entry.d.ts'), 'utf8')).toContain('attachHlsgate');
  });

  it('the IIFE build reads the global videojs and defines the global hlsgate', () => {
    const code = read('hlsgate.iife.js');
    expect(code).not.toContain('videojs-http-streaming');
    let registered: unknown;
    const videojs = {
      getPlugin: (name: string) => (name === 'plugin' ? class {} : undefined),
      getComponent: () => class {},
      registerComponent: () => undefined,
      registerPlugin: (name: string, plugin: unknown) => (registered = [name, plugin]),
    };
    const context: Record<string, unknown> = { videojs };
    runInNewContext(code, context);
    expect((context.hlsgate as { VERSION: string }).VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    expect((registered as unknown[])[0]).toBe('hlsgate');
  });
});
