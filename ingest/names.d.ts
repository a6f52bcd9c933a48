/** A fresh `<dir>`: 144 random bits, base64url (24 characters). */
export declare function newDir(): string;
/**
 * One path segment that is safe on every file system Moodle runs on and in Moodle's
 * PARAM_FILE: Unicode kept (NFC), no slashes, quotes, control or reserved characters, no leading
 * dots (no `..`, no hidden files), no trailing dots or spaces, at most 180 bytes of UTF-8.
 */
export declare function sanitizeName(name: string, fallback?: string): string;
/** The course folder name: like sanitizeName, but an empty or changed-to-nothing course is an error. */
export declare function courseFolder(course: string): string;
/** `<YYYY-MM-DD HH.MM> - <title>` in the given time zone (default: the machine's). */
export declare function repositoryBaseName(date: Date, title: string, timeZone?: string): string;
/** `name.m3u8`, `name (2).m3u8`, … : the n-th candidate for a collision-free file name. */
export declare function candidateFileName(base: string, n: number, ext?: string): string;
