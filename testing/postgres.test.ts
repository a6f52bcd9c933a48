import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { findPostgresBin, startPostgres } from './postgres.ts';

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('startPostgres', () => {
  const kept = mkdtempSync(join(tmpdir(), 'hlsgate-pg-kept-'));
  afterAll(() => rmSync(kept, { recursive: true, force: true }));

  it('finds Debian\'s server binaries', () => {
    expect(findPostgresBin()).toMatch(/\/bin$/);
    expect(findPostgresBin({ HLSGATE_PG_BIN: '/nowhere' })).toBeNull();
  });

  it('runs a scratch cluster on loopback, creates databases, and removes it on stop', async () => {
    const server = await startPostgres();
    try {
      expect(server.url).toMatch(/^postgres:\/\/hlsgate@127\.0\.0\.1:\d+\/postgres$/);
      const url = await server.createDatabase('scratch');
      await query(url, 'CREATE TABLE t (v int); INSERT INTO t VALUES (42)');
      expect(await query(url, 'SELECT v FROM t')).toEqual([{ v: 42 }]);
      const fresh = await server.createDatabase('scratch', { fresh: true });
      await expect(query(fresh, 'SELECT v FROM t')).rejects.toThrow(/does not exist/);
      expect(await query(server.url, "SELECT current_setting('listen_addresses') AS a")).toEqual([{ a: '127.0.0.1' }]);
    } finally {
      await server.stop();
    }
    await expect(query(server.url, 'SELECT 1')).rejects.toThrow();
    await server.stop();
  });

  it('keeps a cluster in a given folder and starts it again, data and all', async () => {
    const first = await startPostgres({ dir: kept });
    const url = await first.createDatabase('kept');
    await query(url, 'CREATE TABLE k AS SELECT 7 AS v');
    await first.stop();
    const second = await startPostgres({ dir: kept });
    try {
      expect(second.port).not.toBe(0);
      expect(await query(await second.createDatabase('kept'), 'SELECT v FROM k')).toEqual([{ v: 7 }]);
    } finally {
      await second.stop();
    }
  });

  it('stops by itself when the process that started it is killed', async () => {
    const child = execa(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'start-postgres.ts')], { reject: false });
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => resolve(String(chunk).trim()));
      child.on('exit', () => reject(new Error('the fixture exited before printing a URL')));
    });
    expect(await query(url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    child.kill('SIGKILL');
    await child;
    let up = true;
    for (let i = 0; i < 40 && up; i++) {
      await new Promise((r) => setTimeout(r, 500));
      up = await query(url, 'SELECT 1').then(() => true, () => false);
    }
    expect(up).toBe(false);
  }, 60_000);
});
