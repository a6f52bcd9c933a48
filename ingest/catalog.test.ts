import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, SqliteCatalog } from './catalog.ts';
import { IngestError } from './errors.ts';
import { checkDuration, failurePatch } from './pipeline.ts';

const item = (n: number) => ({
  sourceKey: `file:${n}`,
  sourceKind: 'file' as const,
  source: `/videos/${n}.mp4`,
  course: 'C',
  title: `Lecture ${n}`,
  recordedAt: '2026-01-01T10:00:00.000Z',
});

function tempCatalogPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'hlsgate-catalog-')), 'catalog.sqlite');
}

describe('SqliteCatalog', () => {
  it('migrates once and remembers the schema version', async () => {
    const path = tempCatalogPath();
    await new SqliteCatalog(path).close();
    await new SqliteCatalog(path).close();
    const db = new Database(path);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => new SqliteCatalog(path)).toThrow(/newer than this program/);
  });

  it('is idempotent on the source key', async () => {
    const catalog = new SqliteCatalog(':memory:');
    const a = await catalog.add(item(1), 1000);
    const b = await catalog.add({ ...item(1), title: 'other' }, 2000);
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(b.recording.id).toBe(a.recording.id);
    expect(await catalog.list()).toHaveLength(1);
    await catalog.close();
  });

  it('leases: one holder at a time, due order, expiry, renewal and release', async () => {
    const catalog = new SqliteCatalog(':memory:');
    const first = (await catalog.add(item(1), 1000)).recording;
    const second = (await catalog.add(item(2), 1001)).recording;
    expect((await catalog.claim('w1', 2000, 100))!.id).toBe(first.id);
    expect((await catalog.claim('w2', 2000, 100))!.id).toBe(second.id);
    expect(await catalog.claim('w3', 2000, 100)).toBeNull();
    expect(await catalog.claim('w3', 2050, 100, first.id)).toBeNull();
    await expect(catalog.update(first.id, 'w3', { state: 'transcoding' }, 2050)).rejects.toThrow(/held by another worker/);
    expect(await catalog.renew(first.id, 'w1', 2050, 100)).toBe(true); // now until 2150
    expect(await catalog.claim('w3', 2120, 100, first.id)).toBeNull();
    // w1 died: its lease runs out and another worker takes over.
    expect((await catalog.claim('w3', 2200, 100, first.id))!.leaseOwner).toBe('w3');
    expect(await catalog.renew(first.id, 'w1', 2200, 100)).toBe(false);
    await catalog.release(first.id, 'w3', 2300);
    expect((await catalog.get(first.id))!.leaseOwner).toBeNull();
    await catalog.close();
  });

  it('does not hand out published, failed or not-yet-due recordings; retry requeues a failed one', async () => {
    const catalog = new SqliteCatalog(':memory:');
    const a = (await catalog.add(item(1), 0)).recording;
    const b = (await catalog.add(item(2), 0)).recording;
    await catalog.claim('w', 1, 100, a.id);
    await catalog.update(a.id, 'w', { state: 'failed', lastError: 'boom' }, 1);
    await catalog.release(a.id, 'w', 1);
    await catalog.claim('w', 1, 100, b.id);
    await catalog.update(b.id, 'w', { state: 'queued', nextAttemptAt: 5000 }, 1);
    await catalog.release(b.id, 'w', 1);
    expect(await catalog.claim('x', 10, 100)).toBeNull();
    expect((await catalog.claim('x', 5000, 100))!.id).toBe(b.id);
    await expect(catalog.retry(b.id, 5001)).rejects.toThrow(/not failed/);
    const again = await catalog.retry(a.id, 6000);
    expect(again).toMatchObject({ state: 'queued', attempts: 0, nextAttemptAt: 6000 });
    await catalog.close();
  });

  it('gives each recording to exactly one of several worker processes claiming at once', async () => {
    const path = tempCatalogPath();
    const catalog = new SqliteCatalog(path);
    for (let n = 0; n < 300; n++) await catalog.add(item(n), n);
    const fixture = join(import.meta.dirname, 'fixtures', 'claim-worker.ts');
    const go = join(path, '..', 'go');
    const workers = ['a', 'b', 'c'].map((name) => execa('node', ['--import', 'tsx', fixture, path, name, go]));
    // Start them together once all three are up, so their claims really interleave.
    await Promise.all(
      workers.map((w) => new Promise<void>((resolve) => w.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('READY') && resolve()))),
    );
    writeFileSync(go, '');
    const results = await Promise.all(workers);
    const claimed = results.flatMap((r) => r.stdout.split('\n').filter((l) => l && l !== 'READY'));
    expect(claimed).toHaveLength(300);
    expect(new Set(claimed).size).toBe(300);
    expect(await catalog.list({ state: 'published' })).toHaveLength(300);
    // They really competed: more than one worker got some.
    expect(results.filter((r) => r.stdout.trim() !== 'READY').length).toBeGreaterThan(1);
    await catalog.close();
  });
});

describe('failurePatch', () => {
  const config = { maxAttempts: 3, retryDelay: 1000, maxRetryDelay: 10_000 };
  const recording = { attempts: 1 } as Parameters<typeof failurePatch>[0];

  it('backs off exponentially, then gives up', () => {
    const first = failurePatch(recording, new Error('network'), config, 0, () => 1);
    expect(first).toMatchObject({ attempts: 1, state: 'queued', nextAttemptAt: 1000, lastError: 'network' });
    const second = failurePatch({ ...recording, attempts: 2 }, new Error('network'), config, 0, () => 1);
    expect(second.nextAttemptAt).toBe(2000);
    expect(failurePatch({ ...recording, attempts: 3 }, new Error('network'), config, 0)).toMatchObject({ attempts: 3, state: 'failed' });
  });

  it('gives up at once on a fatal error and keeps its code', () => {
    const patch = failurePatch(recording, new IngestError('input_not_video', 'not a video', { fatal: true, stderrTail: 'moov atom not found' }), config, 0);
    expect(patch).toMatchObject({ attempts: 1, state: 'failed', lastErrorCode: 'input_not_video' });
    expect(patch.lastError).toContain('moov atom not found');
  });
});

describe('checkDuration', () => {
  it('accepts small differences and names a cut-short video', () => {
    expect(checkDuration(7.9, 8)).toBeNull();
    expect(checkDuration(3570, 3600)).toBeNull();
    expect(checkDuration(4.1, 8)).toMatch(/stops at 4\.1 s but the file says it lasts 8\.0 s/);
    expect(checkDuration(3000, 3600)).not.toBeNull();
  });
});
