import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIR_PATTERN } from '../common/contracts.ts';
import { candidateFileName, courseFolder, newDir, repositoryBaseName, sanitizeName } from './names.ts';
import { publishMaster } from './publish.ts';

describe('sanitizeName', () => {
  it('keeps unicode and removes what file systems and Moodle refuse', () => {
    expect(sanitizeName('Réseaux « TCP/IP » : cours n°3')).toBe('Réseaux « TCP IP » cours n°3');
    expect(sanitizeName('He said "hi" \\ <b>|*?')).toBe('He said hi b');
    expect(sanitizeName("l'école")).toBe("l'école");
    expect(sanitizeName('日本語の講義')).toBe('日本語の講義');
    expect(sanitizeName('e\u0301')).toBe('é');
    expect(sanitizeName('line\nbreak\ttab\u0000nul')).toBe('line break tab nul');
  });

  it('cannot climb out of a folder or hide a file', () => {
    expect(sanitizeName('../../etc/passwd')).toBe('etc passwd');
    expect(sanitizeName('..')).toBe('untitled');
    expect(sanitizeName('.hidden')).toBe('hidden');
    expect(sanitizeName('trailing. . ')).toBe('trailing');
    expect(sanitizeName('   ')).toBe('untitled');
    expect(sanitizeName('\u202eevil')).toBe('evil');
  });

  it('caps the length in bytes without splitting a character', () => {
    const long = sanitizeName('é'.repeat(200));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(180);
    expect(long).toBe('é'.repeat(90));
  });

  it('refuses a course that sanitises to nothing', () => {
    expect(courseFolder('MATH-101')).toBe('MATH-101');
    expect(() => courseFolder('../..')).toThrow(/not a usable folder name/);
  });
});

describe('names', () => {
  it('makes a fresh random dir of the agreed shape', () => {
    const a = newDir();
    expect(a).toMatch(DIR_PATTERN);
    expect(a.length).toBeGreaterThanOrEqual(22);
    expect(newDir()).not.toBe(a);
  });

  it('dates the repository file name', () => {
    const date = new Date('2026-03-04T08:05:00Z');
    expect(repositoryBaseName(date, 'Intro: "part" 1/2', 'UTC')).toBe('2026-03-04 08.05 - Intro part 1 2');
    expect(repositoryBaseName(date, 'x', 'Europe/Paris')).toBe('2026-03-04 09.05 - x');
    expect(candidateFileName('a', 1)).toBe('a.m3u8');
    expect(candidateFileName('a', 3)).toBe('a (3).m3u8');
  });
});

describe('publishMaster', () => {
  it('never overwrites another recording and leaves no temporary file', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hlsgate-pub-'));
    const a = await publishMaster({ root, course: 'C1', baseName: 'same', content: 'A' });
    const b = await publishMaster({ root, course: 'C1', baseName: 'same', content: 'B' });
    expect(a).toBe(join(root, 'C1', 'same.m3u8'));
    expect(b).toBe(join(root, 'C1', 'same (2).m3u8'));
    expect(readFileSync(a, 'utf8')).toBe('A');
    // A rerun of the first recording rewrites its own file.
    const again = await publishMaster({ root, course: 'C1', baseName: 'same', content: 'A2', previousPath: a });
    expect(again).toBe(a);
    expect(readFileSync(a, 'utf8')).toBe('A2');
    expect(readdirSync(join(root, 'C1')).sort()).toEqual(['same (2).m3u8', 'same.m3u8']);
    // A crash after the write but before the catalog recorded it: the rerun finds its own file.
    expect(await publishMaster({ root, course: 'C1', baseName: 'same', content: 'B' })).toBe(b);
    expect(readdirSync(join(root, 'C1'))).toHaveLength(2);
  });

  it('fails without leaving anything when the course folder cannot be made', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hlsgate-pub-'));
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'C2'), 'a file where the folder should be');
    await expect(publishMaster({ root, course: 'C2', baseName: 'x', content: 'A' })).rejects.toThrow();
    expect(readdirSync(root)).toEqual(['C2']);
  });
});
