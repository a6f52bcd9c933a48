/**
 * The published lectures of the local stack, read from the Moodle repository folder that ingest
 * writes (`<root>/<course>/<YYYY-MM-DD HH.MM> - <title>.m3u8`, absolute variant URIs
 * `<media base URL><dir>/<rendition>/index.m3u8`). Only the `<dir>` is taken from the file, so the
 * list stays right when the media host runs on another port than at ingest time.
 */
import { readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DIR_PATTERN, type DevVideo, LAYOUT } from '../../common/contracts.ts';

export interface RepositoryEntry {
  course: string;
  title: string;
  dir: string;
}

/** Title and `<dir>` of one repository master playlist; null when it is not one of ours. */
export function parseRepositoryEntry(course: string, fileName: string, content: string, prefix: string): RepositoryEntry | null {
  if (!fileName.endsWith('.m3u8') || !content.startsWith('#EXTM3U')) return null;
  const base = fileName.slice(0, -'.m3u8'.length);
  const dash = base.indexOf(' - ');
  const title = dash >= 0 ? base.slice(dash + 3) : base;
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^https?://[^/\\s]+/${escaped}/([^/\\s]+)/[^\\s]*$`);
  for (const line of content.split(/\r?\n/)) {
    const match = pattern.exec(line.trim());
    if (match && DIR_PATTERN.test(match[1]!)) return { course, title, dir: match[1]! };
  }
  return null;
}

/** One of our masters in the repository: its entry, its file and what the file says. */
export interface RepositoryMaster {
  entry: RepositoryEntry;
  path: string;
  content: string;
}

/** Every master of this prefix in the repository, in no particular order. A missing root is none. */
export async function readRepository(root: string, prefix: string): Promise<RepositoryMaster[]> {
  let courses;
  try {
    courses = await readdir(root, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const masters: RepositoryMaster[] = [];
  for (const course of courses.filter((c) => c.isDirectory())) {
    for (const file of await readdir(join(root, course.name))) {
      if (!file.endsWith('.m3u8')) continue;
      const path = join(root, course.name, file);
      const content = await readFile(path, 'utf8').catch(() => '');
      const entry = parseRepositoryEntry(course.name, file, content, prefix);
      if (entry) masters.push({ entry, path, content });
    }
  }
  return masters;
}

/** Every lecture in the repository, sorted by course then title. A missing root is an empty list. */
export async function listRepository(root: string, prefix: string): Promise<RepositoryEntry[]> {
  return (await readRepository(root, prefix))
    .map((m) => m.entry)
    .sort((a, b) => a.course.localeCompare(b.course) || a.title.localeCompare(b.title, 'en', { numeric: true }));
}

/** `GET /_dev/videos` items for `mediaBaseUrl` (`http://localhost:8787/lectures/`). */
export function devVideos(entries: RepositoryEntry[], mediaBaseUrl: string): DevVideo[] {
  return entries.map((e) => ({
    title: e.title,
    src: `${mediaBaseUrl}${e.dir}/${LAYOUT.master}`,
    res: `${mediaBaseUrl}${e.dir}/`,
  }));
}

/**
 * The master's URIs (variant lines and `URI="…"` attributes) under `<any origin>/<prefix>/` moved to
 * `mediaBaseUrl`; the content as it was when none needs it.
 */
export function rebaseMaster(content: string, prefix: string, mediaBaseUrl: string): string {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const origin = new RegExp(`(^|URI=")https?://[^/\\s"]+/${escaped}/`, 'gm');
  return content.replace(origin, (_match, lead: string) => `${lead}${mediaBaseUrl}`);
}

/**
 * Rewrites the repository's masters of this prefix to name `mediaBaseUrl` (`http://localhost:8787/lectures/`),
 * each file atomically, and only those that named another address: a data dir ingested while the
 * media host ran on another port (or copied to a second stack, as the browser tests' second lane
 * is) must give a Moodle playlists that point at the media host that serves them now. Returns how
 * many files changed.
 */
export async function rebaseRepository(root: string, prefix: string, mediaBaseUrl: string): Promise<number> {
  let changed = 0;
  for (const { path, content } of await readRepository(root, prefix)) {
    const rebased = rebaseMaster(content, prefix, mediaBaseUrl);
    if (rebased === content) continue;
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, rebased);
    await rename(temp, path);
    changed += 1;
  }
  return changed;
}
