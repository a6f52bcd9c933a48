import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { execa } from 'execa';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { type Postgres, startPostgres } from '../testing/postgres.ts';
import { type Catalog, MIGRATIONS, SqliteCatalog } from './catalog.ts';
import { PG_MIGRATIONS, PostgresCatalog } from './catalog-postgres.ts';
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

// One scratch PostgreSQL for this file, a fresh database per test.
let postgres: Promise<Postgres> | null = null;
let databases = 0;
afterAll(async () => (postgres ? (await postgres).stop() : undefined));
async function freshDatabase(): Promise<string> {
  postgres ??= startPostgres();
  return (await postgres).createDatabase(`catalog_${++databases}`, { fresh: true });
}

interface Backend {
  name: string;
  /** Where a new, empty catalog lives: a file path or a postgres:// URL. */
  location(): Promise<string>;
  open(location: string): Promise<Catalog>;
}

const BACKENDS: Backend[] = [
  { name: 'SQLite', location: async () => tempCatalogPath(), open: async (path) => new SqliteCatalog(path) },
  { name: 'PostgreSQL', location: freshDatabase, open: (url) => PostgresCatalog.open(url) },
];

describe('SqliteCatalog migrations', () => {
  it('migrates once, remembers the schema version, and takes a version-1 catalog forward keeping its rows', async () => {
    const path = tempCatalogPath();
    await new SqliteCatalog(path).close();
    await new SqliteCatalog(path).close();
    const db = new Database(path);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => new SqliteCatalog(path)).toThrow(/newer than this program/);

    const old = tempCatalogPath();
    const v1 = new Database(old);
    v1.exec(MIGRATIONS[0]!);
    v1.pragma('user_version = 1');
    v1.prepare(`INSERT INTO recordings (id, source_key, source_kind, source, course, title, recorded_at, state, next_attempt_at, created_at, updated_at)
                VALUES ('r1', 'file:1', 'file', '/v.mp4', 'C', 'T', '2026-01-01', 'queued', 0, 0, 0)`).run();
    v1.close();
    const migrated = new SqliteCatalog(old);
    expect(await migrated.get('r1')).toMatchObject({ title: 'T', leaseSince: null, stagedKey: null });
    await migrated.close();
  });
});

describe('PostgresCatalog migrations', () => {
  it('migrates once (workers opening together included) and refuses a newer schema', async () => {
    const url = await freshDatabase();
    const opened = await Promise.all([PostgresCatalog.open(url), PostgresCatalog.open(url), PostgresCatalog.open(url)]);
    await Promise.all(opened.map((c) => c.close()));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query('SELECT version FROM hlsgate_schema_migrations ORDER BY version');
    expect(rows.map((r: { version: number }) => r.version)).toEqual(PG_MIGRATIONS.map((_, i) => i + 1));
    await client.query('INSERT INTO hlsgate_schema_migrations VALUES ($1, 0)', [PG_MIGRATIONS.length + 1]);
    await client.end();
    await expect(PostgresCatalog.open(url)).rejects.toThrow(/newer than this program/);
    await expect(PostgresCatalog.open('postgres://nobody@127.0.0.1:1/none')).rejects.toThrow(/HLSGATE_CATALOG_URL/);
  });
});

describe.each(BACKENDS)('$name catalog (one contract, two back ends)', (backend) => {
  const open = async () => backend.open(await backend.location());

  it('is idempotent on the source key', async () => {
    const catalog = await open();
    const a = await catalog.add(item(1), 1000);
    const b = await catalog.add({ ...item(1), title: 'other' }, 2000);
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(b.recording.id).toBe(a.recording.id);
    expect(await catalog.list()).toHaveLength(1);
    expect(await catalog.getBySourceKey('file:1')).toEqual(a.recording);
    await catalog.close();
  });

  it('leases: one holder at a time, due order, expiry, renewal, since when, and release', async () => {
    const catalog = await open();
    const first = (await catalog.add(item(1), 1000)).recording;
    const second = (await catalog.add(item(2), 1001)).recording;
    expect((await catalog.claim('w1', 2000, 100))!).toMatchObject({ id: first.id, leaseOwner: 'w1', leaseUntil: 2100, leaseSince: 2000 });
    expect((await catalog.claim('w2', 2000, 100))!.id).toBe(second.id);
    expect(await catalog.claim('w3', 2000, 100)).toBeNull();
    expect(await catalog.claim('w3', 2050, 100, first.id)).toBeNull();
    await expect(catalog.update(first.id, 'w3', { state: 'transcoding' }, 2050)).rejects.toMatchObject({ code: 'lease_lost' });
    expect(await catalog.renew(first.id, 'w1', 2050, 100)).toBe(true); // now until 2150
    expect(await catalog.claim('w3', 2120, 100, first.id)).toBeNull();
    // Lapsed at 2150, nobody took it: still w1's, renewed, and held since the first claim.
    expect(await catalog.renew(first.id, 'w1', 2180, 100)).toBe(true);
    expect((await catalog.claim('w1', 2190, 100, first.id))!.leaseSince).toBe(2000);
    // w1 died: its lease runs out and another worker takes over.
    expect((await catalog.claim('w3', 2300, 100, first.id))!).toMatchObject({ leaseOwner: 'w3', leaseSince: 2300 });
    expect(await catalog.renew(first.id, 'w1', 2300, 100)).toBe(false);
    await catalog.release(first.id, 'w3', 2400);
    expect((await catalog.get(first.id))!).toMatchObject({ leaseOwner: null, leaseUntil: null, leaseSince: null });
    await catalog.close();
  });

  it('updates only what the patch names, and keeps numbers as numbers', async () => {
    const catalog = await open();
    const { recording } = await catalog.add({ ...item(1), expectedSize: 5_000_000_000, stagedKey: 'incoming/x/v.mp4' }, 1_764_000_000_000);
    await catalog.claim('w', 1_764_000_000_001, 60_000, recording.id);
    const updated = await catalog.update(recording.id, 'w', { state: 'transcoding', durationSeconds: 12.5, attempts: 1, stagedKey: null }, 1_764_000_000_002);
    expect(updated).toMatchObject({ state: 'transcoding', durationSeconds: 12.5, attempts: 1, expectedSize: 5_000_000_000, stagedKey: null, title: 'Lecture 1', updatedAt: 1_764_000_000_002, createdAt: 1_764_000_000_000 });
    await catalog.close();
  });

  it('does not hand out published, failed or not-yet-due recordings; retry and republish requeue', async () => {
    const catalog = await open();
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
    await expect(catalog.retry('nope', 5001)).rejects.toThrow(/no recording nope/);
    const again = await catalog.retry(a.id, 6000);
    expect(again).toMatchObject({ state: 'queued', attempts: 0, nextAttemptAt: 6000 });
    await catalog.update(b.id, 'x', { state: 'published', masterKey: 'lectures/d/master.m3u8' }, 6000);
    await catalog.release(b.id, 'x', 6000);
    await expect(catalog.republish(a.id, 7000)).rejects.toThrow(/not published/);
    expect(await catalog.republish(b.id, 7000, { title: 'New title' })).toMatchObject({ state: 'queued', title: 'New title', course: 'C', masterKey: 'lectures/d/master.m3u8' });
    expect((await catalog.list({ state: 'queued' })).map((r) => r.id)).toEqual([a.id, b.id]);
    await catalog.close();
  });

  it('hands out the captions step of a published recording when due, with its own retries, and never a finished one', async () => {
    const catalog = await open();
    const a = (await catalog.add(item(1), 0)).recording;
    await catalog.claim('w', 1, 100, a.id);
    await catalog.update(a.id, 'w', { state: 'published', masterKey: 'lectures/d/master.m3u8', captionsState: 'queued', captionsNextAt: 50, audioKey: 'incoming/a/audio.flac' }, 2);
    await catalog.release(a.id, 'w', 2);
    expect(await catalog.claim('x', 10, 100)).toBeNull(); // published, captions not due yet
    const leased = (await catalog.claim('x', 50, 100))!;
    expect(leased).toMatchObject({ id: a.id, state: 'published', captionsState: 'queued', captionsAttempts: 0 });
    await catalog.update(a.id, 'x', { captionsState: 'failed', captionsAttempts: 3, captionsError: 'pocketsphinx took longer than 1 s', captionsErrorCode: 'asr_timeout' }, 60);
    await catalog.release(a.id, 'x', 60);
    expect(await catalog.claim('y', 1000, 100)).toBeNull();
    expect(await catalog.claim('y', 1000, 100, a.id)).toBeNull();
    // retry queues the captions step again; the video stays published.
    expect(await catalog.retry(a.id, 2000)).toMatchObject({ state: 'published', captionsState: 'queued', captionsAttempts: 0, captionsNextAt: 2000, captionsError: null });
    const b = (await catalog.add(item(2), 0)).recording;
    await expect(catalog.queueCaptions(b.id, 2000)).rejects.toThrow(/not published/);
    expect(await catalog.queueCaptions(a.id, 2100, { captionsInput: 'incoming/a/captions.vtt' })).toMatchObject({ captionsState: 'queued', captionsInput: 'incoming/a/captions.vtt', chaptersInput: null, captionsNextAt: 2100 });
    // Due order across both kinds of work: b (due at 0) before a's captions (due at 2100).
    expect((await catalog.claim('z', 3000, 100))!.id).toBe(b.id);
    expect((await catalog.claim('z2', 3000, 100))!).toMatchObject({ id: a.id, captionsInput: 'incoming/a/captions.vtt' });
    await catalog.close();
  });

  it('gives each recording to exactly one of several worker processes claiming at once', async () => {
    const location = await backend.location();
    const catalog = await backend.open(location);
    for (let n = 0; n < 300; n++) await catalog.add(item(n), n);
    const fixture = join(import.meta.dirname, 'fixtures', 'claim-worker.ts');
    const go = join(mkdtempSync(join(tmpdir(), 'hlsgate-claim-')), 'go');
    const workers = ['a', 'b', 'c'].map((name) => execa('node', ['--import', 'tsx', fixture, location, name, go]));
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
