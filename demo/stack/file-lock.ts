/**
 * A lock file holding the owner's pid, so two stacks started on one data dir do not ingest the
 * sample lectures twice. A lock whose process is gone is taken over.
 */
import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { processAlive as alive } from '../../common/process.ts';
import { sleep } from '../../common/retry.ts';

function tryAcquire(file: string): boolean {
  try {
    const fd = openSync(file, 'wx', 0o600);
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  let owner = NaN;
  try {
    owner = Number(readFileSync(file, 'utf8').trim());
  } catch {
    return false; // released meanwhile: try again next round
  }
  // An empty file is a lock being written right now; a dead pid is a lock left by a crash.
  if (Number.isInteger(owner) && owner > 0 && !alive(owner)) rmSync(file, { force: true });
  return false;
}

/** Runs `fn` holding `file`, waiting (until `signal` aborts) while another live process holds it. */
export async function withFileLock<T>(file: string, fn: () => Promise<T>, options: { signal?: AbortSignal; pollMs?: number } = {}): Promise<T> {
  while (!tryAcquire(file)) await sleep(options.pollMs ?? 500, options.signal);
  try {
    return await fn();
  } finally {
    rmSync(file, { force: true });
  }
}
