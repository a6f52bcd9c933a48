import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheRoot, REPO_ROOT, runDirOf, siteKeys } from './site.ts';
import { findMoodleSource, moodleRelease } from './source.ts';

const work = mkdtempSync(join(tmpdir(), 'hlsgate-moodle-source-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('findMoodleSource', () => {
  it('says in one line where a source would be when there is none', () => {
    const repo = join(work, 'none', 'repo');
    mkdirSync(repo, { recursive: true });
    const lookup = findMoodleSource(repo, {});
    expect(lookup.found).toBe(false);
    if (!lookup.found) {
      expect(lookup.reason).toContain('HLSGATE_MOODLE_SOURCE');
      expect(lookup.reason).toContain(join(work, 'none', 'shared', 'moodle'));
      expect(lookup.reason).not.toContain('\n');
    }
  });

  it('takes the newest moodle-*.tar.xz beside the repository, numerically', () => {
    const repo = join(work, 'two', 'repo');
    mkdirSync(repo, { recursive: true });
    mkdirSync(join(work, 'two', 'shared', 'moodle'), { recursive: true });
    for (const name of ['moodle-4.5.6.tar.xz', 'moodle-4.10.0.tar.xz', 'notes.txt']) writeFileSync(join(work, 'two', 'shared', 'moodle', name), name);
    const lookup = findMoodleSource(repo, {});
    expect(lookup.found && lookup.source.path).toBe(join(work, 'two', 'shared', 'moodle', 'moodle-4.10.0.tar.xz'));
    expect(lookup.found && lookup.source.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('takes HLSGATE_MOODLE_SOURCE as a tree or a tarball, and names it when it is wrong', () => {
    const tree = join(work, 'tree');
    mkdirSync(join(tree, 'lib'), { recursive: true });
    writeFileSync(join(tree, 'version.php'), "<?php\n$release  = '4.5.6 (Build: 20250811)';\n");
    writeFileSync(join(tree, 'lib', 'setup.php'), '<?php\n');
    const lookup = findMoodleSource(work, { HLSGATE_MOODLE_SOURCE: tree });
    expect(lookup.found && lookup.source.kind).toBe('tree');
    expect(moodleRelease(tree)).toBe('4.5.6 (Build: 20250811)');
    expect(() => findMoodleSource(work, { HLSGATE_MOODLE_SOURCE: join(work, 'missing') })).toThrow(/^HLSGATE_MOODLE_SOURCE: .* does not exist/);
    expect(() => findMoodleSource(work, { HLSGATE_MOODLE_SOURCE: join(work, 'two') })).toThrow(/HLSGATE_MOODLE_SOURCE: .* is not a Moodle tree/);
    writeFileSync(join(work, 'x.zip'), 'x');
    expect(() => findMoodleSource(work, { HLSGATE_MOODLE_SOURCE: join(work, 'x.zip') })).toThrow(/neither a folder nor a \.tar/);
  });
});

describe('the harness’s keys and folders', () => {
  it('a new zip or scenario is a new site on the same base; a new source is a new base', () => {
    const a = siteKeys({ sourceHash: 's1', zipHash: 'z1', scenarioHash: 'c1' });
    expect(siteKeys({ sourceHash: 's1', zipHash: 'z1', scenarioHash: 'c1' })).toEqual(a);
    const newZip = siteKeys({ sourceHash: 's1', zipHash: 'z2', scenarioHash: 'c1' });
    expect(newZip.base).toBe(a.base);
    expect(newZip.site).not.toBe(a.site);
    expect(siteKeys({ sourceHash: 's1', zipHash: 'z1', scenarioHash: 'c2' }).site).not.toBe(a.site);
    expect(siteKeys({ sourceHash: 's2', zipHash: 'z1', scenarioHash: 'c1' }).base).not.toBe(a.base);
  });

  it('keeps the site outside the repository, one run folder per checkout', () => {
    expect(cacheRoot({})).toBe('/var/tmp/hlsgate-moodle');
    expect(cacheRoot({ XDG_CACHE_HOME: '/home/x/.cache' })).toBe('/home/x/.cache/hlsgate-moodle');
    expect(cacheRoot({ HLSGATE_MOODLE_CACHE: work })).toBe(work);
    expect(() => cacheRoot({ HLSGATE_MOODLE_CACHE: join(REPO_ROOT, '.moodle') })).toThrow(/inside the repository/);
    expect(runDirOf('/c', '/a/repo')).not.toBe(runDirOf('/c', '/b/repo'));
  });
});
