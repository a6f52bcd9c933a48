/** Names: the random `<dir>`, and file/folder names in Moodle's repository. Pure. */
import { randomBytes } from 'node:crypto';
import { DIR_PATTERN } from '../common/contracts.ts';
import { IngestError } from './errors.ts';

/** A fresh `<dir>`: 144 random bits, base64url (24 characters). */
export function newDir(): string {
  const dir = randomBytes(18).toString('base64url');
  if (!DIR_PATTERN.test(dir)) throw new Error('unreachable: dir does not match DIR_PATTERN');
  return dir;
}

const MAX_NAME_BYTES = 180;

/**
 * One path segment that is safe on every file system Moodle runs on and in Moodle's
 * PARAM_FILE: Unicode kept (NFC), no slashes, quotes, control or reserved characters, no leading
 * dots (no `..`, no hidden files), no trailing dots or spaces, at most 180 bytes of UTF-8.
 */
export function sanitizeName(name: string, fallback = 'untitled'): string {
  let out = name
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
    .replace(/[/\\:*?"<>|]/g, ' ')
    .replace(/[\u2028\u2029\u200b-\u200f\u202a-\u202e\ufeff]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  if (Buffer.byteLength(out) > MAX_NAME_BYTES) {
    const chars = Array.from(out);
    while (Buffer.byteLength(chars.join('')) > MAX_NAME_BYTES) chars.pop();
    out = chars.join('').replace(/[.\s]+$/, '');
  }
  return out === '' ? fallback : out;
}

/** The course folder name: like sanitizeName, but an empty or changed-to-nothing course is an error. */
export function courseFolder(course: string): string {
  const folder = sanitizeName(course, '');
  if (folder === '') {
    throw new IngestError('unknown_course', `course ${JSON.stringify(course)} is not a usable folder name`, { fatal: true });
  }
  return folder;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `<YYYY-MM-DD HH.MM> - <title>` in the given time zone (default: the machine's). */
export function repositoryBaseName(date: Date, title: string, timeZone?: string): string {
  let y: number, mo: number, d: number, h: number, mi: number;
  if (timeZone) {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
        .formatToParts(date)
        .map((p) => [p.type, p.value]),
    );
    [y, mo, d, h, mi] = [parts.year, parts.month, parts.day, parts.hour, parts.minute].map(Number) as [number, number, number, number, number];
  } else {
    [y, mo, d, h, mi] = [date.getFullYear(), date.getMonth() + 1, date.getDate(), date.getHours(), date.getMinutes()];
  }
  return sanitizeName(`${y}-${pad(mo)}-${pad(d)} ${pad(h)}.${pad(mi)} - ${sanitizeName(title)}`);
}

/** `name.m3u8`, `name (2).m3u8`, … : the n-th candidate for a collision-free file name. */
export function candidateFileName(base: string, n: number, ext = '.m3u8'): string {
  return n <= 1 ? `${base}${ext}` : `${base} (${n})${ext}`;
}
