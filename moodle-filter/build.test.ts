import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkAmdBundle, isPackaged, PLUGIN_DIR, pluginFiles, TOP_FOLDER, zipEntries } from './build.ts';
import { buildMatchesSources } from '../testing/plugin-checks/moodle-js.ts';
import { createZip } from './zip.ts';

const work = mkdtempSync(join(tmpdir(), 'hlsgate-build-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const fakeBundle = '/*! x */\ndefine([], function () {\nvar define;\nreturn { VERSION: "0", videojs: null, create: function () {} };\n});\n';

describe('build:moodle packaging', () => {
  it('accepts only a bundle whose first define is anonymous', () => {
    expect(() => checkAmdBundle(fakeBundle)).not.toThrow();
    expect(() => checkAmdBundle('console.log(1)')).toThrow(/no define/);
    expect(() => checkAmdBundle('define("named", [], function () { return { create: 1 }; })')).toThrow(/anonymous/);
    expect(() => checkAmdBundle('define([], function () { return {}; })')).toThrow(/create/);
  });

  it('packages the plugin and leaves development files out', () => {
    for (const path of ['version.php', 'settings.php', 'styles.css', 'lang/en/filter_hlsgate.php', 'classes/local/markup.php',
      'db/install.php', 'amd/src/player.js', 'tests/text_filter_test.php',
      'tests/external/get_playback_test.php', 'README.md', 'thirdpartylibs.xml', 'lib.php', 'report.php', 'db/install.xml',
      'db/upgrade.php', 'tests/privacy/provider_test.php', 'tests/generator/lib.php']) {
      expect(isPackaged(path), path).toBe(true);
    }
    for (const path of ['build.ts', 'zip.ts', 'build.test.ts', 'phpunit.xml', 'tsconfig.json', 'tests/run.sh',
      'tests/core/LinkMatcherTest.php', 'tests/core/bootstrap.php', 'tests/fixtures/token-vectors.json',
      'tests/token-vectors.test.ts', 'bench/filter_bench.php', '.gitignore', 'tests/fixtures/watched-ranges.json',
      'db/other.xml']) {
      expect(isPackaged(path), path).toBe(false);
    }
  });

  it('writes a zip whose top folder is hlsgate with the committed AMD modules where Moodle loads them', () => {
    const files = pluginFiles(PLUGIN_DIR);
    for (const name of ['player', 'hlsgate-lazy']) {
      expect(files.get(`amd/src/${name}.js`)).toEqual(readFileSync(join(PLUGIN_DIR, `amd/src/${name}.js`)));
      expect(files.get(`amd/build/${name}.min.js`)).toEqual(readFileSync(join(PLUGIN_DIR, `amd/build/${name}.min.js`)));
    }
    // amd/build is grunt's, never the source copied: Moodle's babel names the module in its define().
    expect(files.get('amd/build/player.min.js')?.toString()).toContain('define("filter_hlsgate/player",');
    expect(files.get('amd/build/hlsgate-lazy.min.js')?.toString()).toContain('define("filter_hlsgate/hlsgate-lazy",');
    // Each build was made from the source next to it (its source map carries that source).
    expect(buildMatchesSources(PLUGIN_DIR)).toEqual([]);
    const file = join(work, 'filter_hlsgate.zip');
    writeFileSync(file, createZip(zipEntries(files)));
    const names = JSON.parse(
      execFileSync('python3', ['-c', 'import sys, zipfile, json; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; '
        + 'print(json.dumps(z.namelist()))', file], { encoding: 'utf8' }),
    ) as string[];
    expect(new Set(names.map((name) => name.split('/')[0]))).toEqual(new Set([TOP_FOLDER]));
    for (const required of ['version.php', 'classes/text_filter.php', 'db/services.php', 'amd/build/player.min.js',
      'amd/build/hlsgate-lazy.min.js', 'videojs/video-js.min.css']) {
      expect(names).toContain(`${TOP_FOLDER}/${required}`);
    }
    expect(names.some((name) => name.includes('/tests/core/'))).toBe(false);
  });
});
