import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheEntryProblem, cacheRoot, phpunitComposerJson, prune, REPO_ROOT, removeLeftovers, runDirOf, siteKeys, usableEntry } from './site.ts';
import { findMoodleSources, moodleRelease, newestOfBranch, treeVersion } from './source.ts';
import { lostInUpgrade, type PluginData } from './upgrade.ts';
import { startPostgres } from '../postgres.ts';

const work = mkdtempSync(join(tmpdir(), 'hlsgate-moodle-source-'));
// PostgreSQL runs as its own user (testing/postgres.ts): it must reach the cluster's folder.
chmodSync(work, 0o755);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A registry that answers "not found", as Composer's here does for moodle/moodle. */
const failing = join(work, 'composer-404');
writeFileSync(failing, '#!/bin/sh\necho \'Package "moodle/moodle" not found\' >&2\nexit 1\n');
chmodSync(failing, 0o755);
/** A registry that never answers. */
const hanging = join(work, 'composer-hang');
writeFileSync(hanging, '#!/bin/sh\nexec sleep 30\n');
chmodSync(hanging, 0o755);

/** A Moodle tree's skeleton: version.php (with $branch) at the top (4.5) or under public/ (5.1). */
function fakeTree(dir: string, release: string, branch: string, publicRoot: boolean): string {
  const web = publicRoot ? join(dir, 'public') : dir;
  mkdirSync(join(web, 'lib'), { recursive: true });
  mkdirSync(join(dir, 'lib'), { recursive: true });
  writeFileSync(join(web, 'version.php'), `<?php\n$version  = 1;\n$release  = '${release}';\n$branch   = '${branch}';\n`);
  writeFileSync(join(dir, 'lib', 'setup.php'), '<?php\n');
  return dir;
}

describe('findMoodleSources', () => {
  it('without a source: one line per branch that says how to give one, and what the registry said', () => {
    const cache = join(work, 'empty-cache');
    const lookups = findMoodleSources({ env: {}, cache, composer: { command: failing } });
    expect(lookups.map((l) => l.branch)).toEqual(['405', '501']);
    for (const lookup of lookups) {
      expect(lookup.found).toBe(false);
      if (lookup.found) continue;
      expect(lookup.reason).toContain('HLSGATE_MOODLE_SOURCE');
      expect(lookup.reason).toContain('the registry does not serve moodle/moodle');
      expect(lookup.reason).toContain(join(cache, 'sources'));
      expect(lookup.reason).not.toContain('\n');
    }
  });

  it('a registry that does not answer is a line after the timeout, not a hang', () => {
    const started = Date.now();
    const [lookup] = findMoodleSources({ env: {}, cache: join(work, 'empty-cache'), branches: ['405'], composer: { command: hanging, showTimeoutMs: 500 } });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(lookup!.found).toBe(false);
    expect(!lookup!.found && lookup!.reason).toContain('did not answer in 0.5 s');
  });

  it('takes several trees from HLSGATE_MOODLE_SOURCE by their $branch, both layouts, and keeps them for a run without it', () => {
    const cache = join(work, 'cache-trees');
    const t45 = fakeTree(join(work, 'm45'), '4.5.6 (Build: 20250811)', '405', false);
    const t51 = fakeTree(join(work, 'm51'), '5.1.6 (Build: 20260810)', '501', true);
    const named = findMoodleSources({ env: { HLSGATE_MOODLE_SOURCE: `${t51}:${t45}` }, cache, composer: { command: failing } });
    const [l45, l51] = named;
    expect(l45!.found && l45!.source.version).toBe('4.5.6');
    expect(l51!.found && l51!.source.version).toBe('5.1.6');
    expect(l45!.found && l45!.source.webroot).toBe(join(cache, 'sources', '4.5.6', 'moodle'));
    expect(l51!.found && l51!.source.webroot).toBe(join(cache, 'sources', '5.1.6', 'moodle', 'public'));
    expect(JSON.parse(readFileSync(join(cache, 'sources', '5.1.6', 'origin.json'), 'utf8'))).toMatchObject({ from: 'HLSGATE_MOODLE_SOURCE', what: t51, branch: '501' });

    // Later, without the setting and with a registry that lacks Moodle: the cache has both, and says so.
    const later = findMoodleSources({ env: {}, cache, composer: { command: failing } });
    for (const lookup of later) {
      expect(lookup.found).toBe(true);
      if (!lookup.found) continue;
      expect(lookup.source.origin).toContain('HLSGATE_MOODLE_SOURCE');
      expect(lookup.note).toContain('does not serve moodle/moodle');
    }
    expect(later.map((l) => l.found && l.source.hash)).toEqual(named.map((l) => l.found && l.source.hash));
  });

  it('unpacks a tarball into the cache, and names the setting when it is wrong', () => {
    const cache = join(work, 'cache-tar');
    fakeTree(join(work, 'tar', 'moodle'), '4.5.7 (Build: 20251006)', '405', false);
    execFileSync('tar', ['-czf', join(work, 'moodle.tgz'), '-C', join(work, 'tar'), 'moodle']);
    const [lookup] = findMoodleSources({ env: { HLSGATE_MOODLE_SOURCE: join(work, 'moodle.tgz') }, cache, branches: ['405'], composer: false });
    expect(lookup!.found && lookup!.source.release).toBe('4.5.7 (Build: 20251006)');
    expect(moodleRelease(join(cache, 'sources', '4.5.7', 'moodle'))).toBe('4.5.7 (Build: 20251006)');
    expect(() => findMoodleSources({ env: { HLSGATE_MOODLE_SOURCE: join(work, 'missing') }, cache, composer: false })).toThrow(/^HLSGATE_MOODLE_SOURCE: .* does not exist/);
    expect(() => findMoodleSources({ env: { HLSGATE_MOODLE_SOURCE: join(work, 'tar') }, cache, composer: false })).toThrow(/HLSGATE_MOODLE_SOURCE: .* is not a Moodle tree/);
    writeFileSync(join(work, 'x.zip'), 'x');
    expect(() => findMoodleSources({ env: { HLSGATE_MOODLE_SOURCE: join(work, 'x.zip') }, cache, composer: false })).toThrow(/neither a folder nor a \.tar/);
  });

  it('picks the newest stable version of each branch the registry lists', () => {
    const versions = ['5.1.10', '5.1.9', '5.1.0-beta', '4.5.6', '4.5.10', '4.4.9', '5.10.1', 'dev-main'];
    expect(newestOfBranch(versions, '405')).toBe('4.5.10');
    expect(newestOfBranch(versions, '501')).toBe('5.1.10');
    expect(newestOfBranch(['4.4.1'], '405')).toBeUndefined();
    expect(treeVersion(join(work, 'nothing'))).toBeUndefined();
  });
});

describe('Composer: Moodle’s PHPUnit part of its require-dev', () => {
  it('keeps Moodle’s own phpunit and vfsstream constraints and autoload-dev, not Behat', () => {
    const json = phpunitComposerJson(JSON.stringify({
      'require-dev': { 'phpunit/phpunit': '^11', 'mikey179/vfsstream': '1.6.*', 'behat/behat': '^3', 'friends-of-behat/mink-extension': '^2.7.5' },
      'autoload-dev': { 'psr-4': { 'core_phpunit\\': 'public/lib/phpunit/classes/' } },
      'minimum-stability': 'dev',
    }));
    expect(json['require-dev']).toEqual({ 'phpunit/phpunit': '^11', 'mikey179/vfsstream': '1.6.*' });
    expect(json['autoload-dev']).toEqual({ 'psr-4': { 'core_phpunit\\': 'public/lib/phpunit/classes/' } });
    expect(() => phpunitComposerJson('{"require-dev": {}}')).toThrow(/no require-dev phpunit\/phpunit/);
  });
});

describe('the harness’s cache', () => {
  it('a new zip or scenario is a new site on the same base; a new source is a new base', () => {
    const a = siteKeys({ sourceHash: 's1', zipHash: 'z1', scenarioHash: 'c1' });
    expect(siteKeys({ sourceHash: 's1', zipHash: 'z1', scenarioHash: 'c1' })).toEqual(a);
    const newZip = siteKeys({ sourceHash: 's1', zipHash: 'z2', scenarioHash: 'c1' });
    expect(newZip.base).toBe(a.base);
    expect(newZip.site).not.toBe(a.site);
    expect(siteKeys({ sourceHash: 's1', zipHash: 'z1', scenarioHash: 'c2' }).site).not.toBe(a.site);
    expect(siteKeys({ sourceHash: 's2', zipHash: 'z1', scenarioHash: 'c1' }).base).not.toBe(a.base);
  });

  it('keeps the site outside the repository, one run folder per checkout and branch', () => {
    expect(cacheRoot({})).toBe('/var/tmp/hlsgate-moodle');
    expect(cacheRoot({ XDG_CACHE_HOME: '/home/x/.cache' })).toBe('/home/x/.cache/hlsgate-moodle');
    expect(cacheRoot({ HLSGATE_MOODLE_CACHE: work })).toBe(work);
    expect(() => cacheRoot({ HLSGATE_MOODLE_CACHE: join(REPO_ROOT, '.moodle') })).toThrow(/inside the repository/);
    expect(runDirOf('/c', '/a/repo')).not.toBe(runDirOf('/c', '/b/repo'));
    expect(runDirOf('/c', '/a/repo', '405')).not.toBe(runDirOf('/c', '/a/repo', '501'));
  });

  /** What a finished site folder holds (the harness's build writes these, then site.json), with a real cluster as testing/postgres.ts makes it. */
  async function fakeSite(dir: string, webroot: string): Promise<void> {
    const pg = await startPostgres({ dir: join(dir, 'pg') });
    await pg.stop();
    for (const file of ['moodle/config.php', 'moodle/vendor/autoload.php', 'moodle/vendor/bin/phpunit', 'moodle/vendor/phpunit/phpunit/composer.json',
      'moodle/phpunit.xml', `moodle/${webroot}/version.php`, `moodle/${webroot}/lib/setup.php`,
      `moodle/${webroot}/filter/hlsgate/version.php`]) {
      mkdirSync(join(dir, file, '..'), { recursive: true });
      writeFileSync(join(dir, file), 'x');
    }
    mkdirSync(join(dir, 'moodledata'));
    mkdirSync(join(dir, 'phpunitdata'));
    writeFileSync(join(dir, 'site.json'), JSON.stringify({ key: 'k', webroot }));
  }

  it('a cached site with a part missing is detected, removed and so rebuilt; a complete one is used', { timeout: 60_000 }, async () => {
    const root = join(work, 'corrupt');
    await fakeSite(join(root, 'site-a'), 'public');
    expect(cacheEntryProblem(join(root, 'site-a'), 'site')).toBeUndefined();
    expect(usableEntry(join(root, 'site-a'), 'site')).toBe(true);
    await fakeSite(join(root, 'site-b'), '');
    rmSync(join(root, 'site-b', 'pg', 'data', 'global', 'pg_control'));
    const lines: string[] = [];
    expect(usableEntry(join(root, 'site-b'), 'site', (l) => lines.push(l))).toBe(false);
    expect(lines.join()).toContain('missing pg/data/global/pg_control');
    expect(existsSync(join(root, 'site-b'))).toBe(false);
    mkdirSync(join(root, 'site-c'), { recursive: true });
    writeFileSync(join(root, 'site-c', 'site.json'), '{"key": "k", "webr');
    expect(cacheEntryProblem(join(root, 'site-c'), 'site')).toBe('site.json is not JSON');
  });

  it('keeps the newest sites of each Moodle branch: new 4.5 sites never push out the only 5.1 site', () => {
    const root = join(work, 'prune');
    const make = (name: string, branch: string, age: number) => {
      mkdirSync(join(root, name), { recursive: true });
      writeFileSync(join(root, name, 'site.json'), JSON.stringify({ key: name, branch, webroot: '' }));
      const when = new Date(Date.now() - age * 1000);
      utimesSync(join(root, name, 'site.json'), when, when);
    };
    make('site-5100000000000000', '501', 100);
    for (let i = 0; i < 4; i += 1) make(`site-405000000000000${i}`, '405', i);
    prune(root, 'site', 2);
    expect(readdirSync(root).sort()).toEqual(['site-4050000000000000', 'site-4050000000000001', 'site-5100000000000000']);
  });

  it('a build killed with -9 halfway is never used: its folder has no marker and is removed once its process is gone', async () => {
    const root = join(work, 'killed');
    mkdirSync(root, { recursive: true });
    // The harness's way: build in <target>.<pid>.<random>.tmp, write the marker last, rename. This child is killed between.
    const child = spawn('sh', ['-c', `d="${root}/site-0123456789abcdef.$$.a1b2c3.tmp"; mkdir -p "$d/pg/data" "$d/moodle" && echo 15 > "$d/pg/data/PG_VERSION" && touch "${root}/started" && exec sleep 60`]);
    while (!existsSync(join(root, 'started'))) await new Promise((r) => setTimeout(r, 20));
    const tmp = join(root, `site-0123456789abcdef.${child.pid}.a1b2c3.tmp`);
    removeLeftovers(root);
    expect(existsSync(tmp)).toBe(true); // its builder is alive: left alone
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(usableEntry(join(root, 'site-0123456789abcdef'), 'site')).toBe(false);
    removeLeftovers(root);
    expect(existsSync(tmp)).toBe(false);
  });
});

describe('the upgrade test’s comparison', () => {
  const before: PluginData = {
    version: 2026120101,
    config: { version: '2026120101', embedkey: 'k'.repeat(43), authurl: 'https://a/_auth' },
    progress: [{ id: 1, userid: 2, ranges: '[[0,30]]' }],
    log: [{ id: 7, eventname: '\\filter_hlsgate\\event\\video_viewed', objectid: 1 }],
  };
  it('passes when everything is kept (new settings and rows may come), and names each loss', () => {
    expect(lostInUpgrade(before, { ...before, version: 2026120200, config: { ...before.config, version: '2026120200', newsetting: '1' } })).toEqual([]);
    expect(lostInUpgrade(before, { ...before, config: { version: '1', authurl: 'https://a/_auth', embedkey: 'other' } })).toEqual([
      `setting embedkey changed from "${'k'.repeat(43)}" to "other"`,
    ]);
    expect(lostInUpgrade(before, { ...before, progress: [], log: [{ ...before.log[0]!, objectid: 2 }] })).toEqual([
      'progress row 1 is gone', 'log row 7: objectid changed from 1 to 2',
    ]);
  });
});
