/**
 * ZIP archives for the plugin package, written by fflate (deflate, CRC-32, UTF-8 names): this
 * module only checks the entry names, picks store or deflate per file and stamps times and Unix
 * permissions, so that Moodle's installer unpacks the plugin with sane modes.
 */
import { deflateSync, zipSync, type ZipOptions as FflateEntryOptions, type Zippable } from 'fflate';

export interface ZipEntry {
  /** Path inside the archive, `/`-separated; a trailing `/` makes a directory entry. */
  name: string;
  /** Contents; ignored for directories. */
  data?: Uint8Array;
}

export interface ZipOptions {
  /** Modification time stamped on every entry (default: now). DOS time: 2-second resolution. */
  mtime?: Date;
}

/** Unix "made by" (3), so that the permissions in the external attributes count. */
const UNIX = 3;

/** Builds the archive. Names are checked: relative, no `..`, no backslashes, no duplicates. */
export function createZip(entries: readonly ZipEntry[], options: ZipOptions = {}): Buffer {
  // DOS time has no year before 1980: clamp, as the format requires.
  const mtime = new Date(Math.max((options.mtime ?? new Date()).getTime(), new Date(1980, 0, 1, 0, 0, 0).getTime()));
  const files: Zippable = {};
  for (const entry of entries) {
    const name = entry.name;
    if (!name || name.startsWith('/') || name.includes('\\') || name.split('/').some((part) => part === '..' || part === '.')) {
      throw new Error(`zip: bad entry name "${name}"`);
    }
    if (Object.hasOwn(files, name)) throw new Error(`zip: duplicate entry "${name}"`);
    const directory = name.endsWith('/');
    const data = directory ? new Uint8Array(0) : (entry.data ?? new Uint8Array(0));
    // Deflate only what it makes smaller (already-compressed files are stored).
    const compresses = data.length > 0 && deflateSync(data, { level: 9 }).length < data.length;
    const mode = directory ? 0o40755 : 0o100644;
    const entryOptions: FflateEntryOptions = { level: compresses ? 9 : 0, mtime, os: UNIX, attrs: ((mode << 16) | (directory ? 0x10 : 0)) >>> 0 };
    files[name] = [data, entryOptions];
  }
  if (entries.length > 0xffff) throw new Error('zip: more than 65535 entries');
  return Buffer.from(zipSync(files));
}
