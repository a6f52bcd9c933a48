import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, SqliteCatalog } from './catalog.ts';
import { IngestError } from './errors.ts';
import { failurePatch } from './pipeline.ts';

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
  it('migrates once and remembers the schema version', () => {
    const path = tempCatalogPath();
    new SqliteCatalog(path).close();
    new SqliteCatalog(path).close();
    const db = new Database(path);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => new SqliteCatalog(path)).toThrow(/newer than this program/);
  });

  it('is idempotent on the source key', () => {
    const catalog = new SqliteCatalog(':memory:');
    const a = catalog.add(item(1), 1000);
    const b = catalog.add({ ...item(1), title: 'other' }, 2000);
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(b.recording.id).toBe(a.recording.id);
    expect(catalog.list()).toHaveLength(1);
    catalog.close();
  });

  it('leases: one holder at a time, due order, expiry, renewal and release', () => {
    const catalog = new SqliteCatalog(':memory:');
    const first = catalog.add(item(1), 1000).recording;
    const second = catalog.add(item(2), 1001).recording;
    expect(catalog.claim('w1', 2000, 100)!.id).toBe(first.id);
    expect(catalog.claim('w2', 2000, 100)!.id).toBe(second.id);
    expect(catalog.claim('w3', 2000, 100)).toBeNull();
    expect(catalog.claim('w3', 2050, 100, first.id)).toBeNull();
    expect(() => catalog.update(first.id, 'w3', { state: 'transcoding' }, 2050)).toThrow(/held by another worker/);
    expect(catalog.renew(first.id, 'w1', 2050, 100)).toBe(true); // now until 2150
    expect(catalog.claim('w3', 2120, 100, first.id)).toBeNull();
    // w1 died: its lease runs out and another worker takes over.
    expect(catalog.claim('w3', 2200, 100, first.id)!.leaseOwner).toBe('w3');
    expect(catalog.renew(first.id, 'w1', 2200, 100)).toBe(false);
    catalog.release(first.id, 'w3', 2300);
    expect(catalog.get(first.id)!.leaseOwner).toBeNull();
    catalog.close();
  });

  it('does not hand out published, failed or not-yet-due recordings; retry requeues a failed one', () => {
    const catalog = new SqliteCatalog(':memory:');
    const a = catalog.add(item(1), 0).recording;
    const b = catalog.add(item(2), 0).recording;
    catalog.claim('w', 1, 100, a.id);
    catalog.update(a.id, 'w', { state: 'failed', lastError: 'boom' }, 1);
    catalog.release(a.id, 'w', 1);
    catalog.claim('w', 1, 100, b.id);
    catalog.update(b.id, 'w', { state: 'queued', nextAttemptAt: 5000 }, 1);
    catalog.release(b.id, 'w', 1);
    expect(catalog.claim('x', 10, 100)).toBeNull();
    expect(catalog.claim('x', 5000, 100)!.id).toBe(b.id);
    expect(() => catalog.retry(b.id, 5001)).toThrow(/not failed/);
    const again = catalog.retry(a.id, 6000);
    expect(again).toMatchObject({ state: 'queued', attempts: 0, nextAttemptAt: 6000 });
    catalog.close();
  });

  it('gives each recording to exactly one of several worker processes claiming at once', async () => {
    const path = tempCatalogPath();
    const catalog = new SqliteCatalog(path);
    for (let n = 0; n < 300; n++) catalog.add(item(n), n);
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
    expect(catalog.list({ state: 'published' })).toHaveLength(300);
    // They really competed: more than one worker got some.
    expect(results.filter((r) => r.stdout.trim() !== 'READY').length).toBeGreaterThan(1);
    catalog.close();
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
