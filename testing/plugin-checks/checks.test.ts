/**
 * The plugin checks' own PHP checks (validate.php, savepoints.php) and the AMD comparison find what
 * they are there to find: each case breaks one thing in a copy of the real plugin.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildMatchesSources, compareBuild, lintFindings } from './moodle-js.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const PLUGIN = join(HERE, '..', '..', 'moodle-filter');
const work = mkdtempSync(join(tmpdir(), 'hlsgate-checks-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let copies = 0;
/** A copy of the plugin's checked files with one file changed. */
function pluginWith(file: string, change: (text: string) => string): string {
  const dir = join(work, `plugin-${(copies += 1)}`);
  for (const part of ['version.php', 'db', 'lang', 'classes/text_filter.php', 'amd']) {
    cpSync(join(PLUGIN, part), join(dir, part), { recursive: true });
  }
  const path = join(dir, file);
  writeFileSync(path, change(readFileSync(path, 'utf8')));
  return dir;
}

function php(script: string, dir: string): { status: number | null; output: string } {
  const run = spawnSync('php', [join(HERE, script), dir, 'filter_hlsgate'], { encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('savepoints.php', () => {
  it('passes the plugin as it is', () => {
    expect(php('savepoints.php', PLUGIN)).toMatchObject({ status: 0 });
  });
  it.each([
    ['a savepoint with another version', (t: string) => t.replace("upgrade_plugin_savepoint(true, 2026120101, 'filter'", "upgrade_plugin_savepoint(true, 2026120100, 'filter'"), /wrong|expected upgrade_plugin_savepoint\(true, 2026120101/],
    ['a block without its savepoint', (t: string) => t.replace("upgrade_plugin_savepoint(true, 2026120101, 'filter', 'hlsgate');", ''), /0 savepoint calls/],
    ["another plugin's name", (t: string) => t.replace("2026120100, 'filter', 'hlsgate'", "2026120100, 'filter', 'other'"), /expected upgrade_plugin_savepoint/],
    ['blocks out of order', (t: string) => t.replace('$oldversion < 2026120100', '$oldversion < 2026120102').replace('true, 2026120100,', 'true, 2026120102,'), /not above|above version\.php/],
    ['no return true', (t: string) => t.replace(/return true;\s*\}\s*$/, '}\n'), /return true/],
  ])('finds %s', (_name, change, message) => {
    const result = php('savepoints.php', pluginWith('db/upgrade.php', change));
    expect(result.status).toBe(1);
    expect(result.output).toMatch(message);
  });
});

describe('validate.php', () => {
  it('passes the plugin as it is', () => {
    expect(php('validate.php', PLUGIN)).toMatchObject({ status: 0 });
  });
  it.each([
    ['a missing filtername string', 'lang/en/filter_hlsgate.php', (t: string) => t.replace("$string['filtername']", "$string['filtername_gone']"), /FAIL .*filtername/],
    ['a wrong component', 'version.php', (t: string) => t.replace("'filter_hlsgate'", "'filter_other'"), /FAIL version\.php: \$plugin->component/],
    ['a table without the prefix', 'db/install.xml', (t: string) => t.replace('TABLE NAME="filter_hlsgate_progress"', 'TABLE NAME="progress"'), /FAIL db\/install\.xml: table progress/],
    ['the text_filter class renamed', 'classes/text_filter.php', (t: string) => t.replace(/class text_filter\b/, 'class text_filter_old'), /FAIL classes\/text_filter\.php/],
    ['no upgrade function', 'db/upgrade.php', (t: string) => t.replace('function xmldb_filter_hlsgate_upgrade', 'function xmldb_filter_other_upgrade'), /FAIL db\/upgrade\.php declares/],
  ])('finds %s', (_name, file, change, message) => {
    const result = php('validate.php', pluginWith(file, change));
    expect(result.status).toBe(1);
    expect(result.output).toMatch(message);
  });
});

describe('the AMD comparison', () => {
  const committed = new Map([
    ['player.min.js', readFileSync(join(PLUGIN, 'amd/build/player.min.js'))],
    ['player.min.js.map', readFileSync(join(PLUGIN, 'amd/build/player.min.js.map'))],
    ['hlsgate-lazy.min.js', readFileSync(join(PLUGIN, 'amd/build/hlsgate-lazy.min.js'))],
    ['hlsgate-lazy.min.js.map', readFileSync(join(PLUGIN, 'amd/build/hlsgate-lazy.min.js.map'))],
  ]);
  it('accepts the committed build as grunt made it, and names a stale, a missing and an extra file', () => {
    expect(compareBuild(PLUGIN, committed)).toEqual([]);
    const other = new Map(committed);
    other.set('player.min.js', Buffer.from('define("filter_hlsgate/player",[],function(){});'));
    other.delete('hlsgate-lazy.min.js.map');
    other.set('extra.min.js', Buffer.from(''));
    expect(compareBuild(PLUGIN, other).sort()).toEqual([
      'amd/build/extra.min.js: grunt makes it, it is not committed',
      'amd/build/hlsgate-lazy.min.js.map: grunt does not make it (delete it)',
      "amd/build/player.min.js: differs from grunt's (stale: rebuild)",
    ]);
  });
  it('knows a build made from another source by its source map', () => {
    expect(buildMatchesSources(PLUGIN)).toEqual([]);
    const dir = pluginWith('amd/src/player.js', (t) => `${t}// one line more\n`);
    expect(buildMatchesSources(dir)).toEqual(['player.js']);
  });
  it("reads ESLint's findings from grunt's output, leaving out the notices for ignored third-party files", () => {
    const output = [
      'Running "eslint:amd" (eslint) task',
      '',
      '/x/filter/hlsgate/amd/src/hlsgate-lazy.js',
      '  0:0  warning  File ignored because of a matching ignore pattern. Use "--no-ignore" to override',
      '',
      '/x/filter/hlsgate/amd/src/player.js',
      '  201:23  warning  Each then() should return a value or throw  promise/always-return',
      '  12:5    error    Unexpected console statement  no-console',
      '',
      '✖ 3 problems (1 error, 2 warnings)',
    ].join('\n');
    expect(lintFindings(output)).toEqual([
      'amd/src/player.js:201:23 warning Each then() should return a value or throw  promise/always-return',
      'amd/src/player.js:12:5 error Unexpected console statement  no-console',
    ]);
  });
});
