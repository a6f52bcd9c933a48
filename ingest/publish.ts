/** The repository copy: written to a temporary file, then linked into place atomically. */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { IngestError } from './errors.ts';
import { candidateFileName, courseFolder } from './names.ts';

export interface PublishInput {
  root: string;
  course: string;
  /** `<date> - <title>` without extension, already sanitised. */
  baseName: string;
  content: string;
  /** Where this recording was published before (a rerun rewrites that file, never a new one). */
  previousPath?: string | null;
}

/** Whether `name` is one of the names `candidateFileName(base, n)` gives. */
function isCandidateName(name: string, base: string): boolean {
  if (name === candidateFileName(base, 1)) return true;
  const match = / \((\d+)\)\.m3u8$/.exec(name);
  return match !== null && name === candidateFileName(base, Number(match[1]));
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) && !rel.includes(`..${sep}`);
}

/**
 * Writes the master into `<root>/<course>/`, never over another recording's file: the first free
 * name of `base.m3u8`, `base (2).m3u8`, … is taken with link(2), which fails when the name exists,
 * so two workers can never take the same name and a reader never sees a partial file.
 */
export async function publishMaster(input: PublishInput): Promise<string> {
  const root = resolve(input.root);
  const folder = join(root, courseFolder(input.course));
  if (!inside(root, folder)) throw new IngestError('publish_failed', `course folder escapes the repository root`, { fatal: true });
  await mkdir(folder, { recursive: true });
  const tmp = join(folder, `.hlsgate-${randomBytes(6).toString('hex')}.tmp`);
  await writeFile(tmp, input.content, { flag: 'wx' });
  try {
    // A rerun rewrites its own file; a new title or course gives a new name and the old one goes.
    let stale: string | null = null;
    if (input.previousPath && inside(root, resolve(input.previousPath))) {
      const previous = resolve(input.previousPath);
      const existing = await readFile(previous, 'utf8').catch(() => null);
      if (existing !== null) {
        if (dirname(previous) === folder && isCandidateName(basename(previous), input.baseName)) {
          await rename(tmp, previous);
          return previous;
        }
        stale = previous;
      }
    }
    for (let n = 1; n < 1000; n++) {
      const target = join(folder, candidateFileName(input.baseName, n));
      if (!inside(folder, target)) throw new IngestError('publish_failed', 'file name escapes the course folder', { fatal: true });
      try {
        await link(tmp, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        // Our own file from an attempt that crashed before the catalog heard of it (the content
        // names the recording's random dir, so equal content means the same recording).
        if ((await readFile(target, 'utf8').catch(() => null)) !== input.content) continue;
      }
      if (stale) await rm(stale, { force: true });
      return target;
    }
    throw new IngestError('publish_failed', `no free file name for ${input.baseName} in ${folder}`);
  } finally {
    await rm(tmp, { force: true });
  }
}
