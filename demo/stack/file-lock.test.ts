import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withFileLock } from './file-lock.ts';

describe('withFileLock', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hlsgate-lock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs holders one after the other and releases the lock', async () => {
    const file = join(dir, 'a.lock');
    const order: string[] = [];
    const run = (name: string) =>
      withFileLock(
        file,
        async () => {
          order.push(`${name} in`);
          await new Promise((r) => setTimeout(r, 50));
          order.push(`${name} out`);
        },
        { pollMs: 10 },
      );
    await Promise.all([run('a'), run('b')]);
    expect(order).toEqual(['a in', 'a out', 'b in', 'b out']);
    expect(existsSync(file)).toBe(false);
  });

  it('takes over a lock left by a dead process, and gives up when aborted', async () => {
    const file = join(dir, 'b.lock');
    writeFileSync(file, '2147483646');
    expect(await withFileLock(file, async () => 'got it', { pollMs: 10 })).toBe('got it');

    writeFileSync(file, String(process.pid));
    const controller = new AbortController();
    const waiting = withFileLock(file, async () => 'never', { signal: controller.signal, pollMs: 10 });
    controller.abort(new Error('stopped'));
    await expect(waiting).rejects.toThrow('stopped');
    rmSync(file);
  });
});
