import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { createZip } from './zip.ts';

const work = mkdtempSync(join(tmpdir(), 'hlsgate-zip-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const entries = [
  { name: 'hlsgate/' },
  { name: 'hlsgate/version.php', data: Buffer.from("<?php\n$plugin->component = 'filter_hlsgate';\n".repeat(40)) },
  { name: 'hlsgate/lang/en/filter_hlsgate.php', data: Buffer.from("<?php\n$string['pluginname'] = 'Vidéo · ünïcode';\n") },
  { name: 'hlsgate/empty.txt', data: Buffer.alloc(0) },
  { name: 'hlsgate/random.bin', data: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24)) },
  { name: 'hlsgate/naïve file.txt', data: Buffer.from('utf-8 name') },
];

/** Reads the archive with Python's zipfile (always present with the Debian toolchain here). */
function pythonRead(file: string): Record<string, string> {
  const script = [
    'import sys, zipfile, json, base64',
    'z = zipfile.ZipFile(sys.argv[1])',
    'bad = z.testzip()',
    'assert bad is None, bad',
    'print(json.dumps({i.filename: base64.b64encode(z.read(i)).decode() for i in z.infolist()}))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' })) as Record<string, string>;
}

function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('createZip', () => {
  it('writes an archive that Python zipfile reads back byte for byte, CRCs checked', () => {
    const file = join(work, 'a.zip');
    writeFileSync(file, createZip(entries, { mtime: new Date(2026, 10, 23, 12, 30, 14) }));
    const read = pythonRead(file);
    expect(Object.keys(read)).toEqual(entries.map((e) => e.name));
    for (const entry of entries) {
      expect(Buffer.from(read[entry.name]!, 'base64').equals(Buffer.from(entry.data ?? []))).toBe(true);
    }
  });

  it('is listed and tested by unzip when it is installed', () => {
    if (!hasCommand('unzip')) return; // python3 above is the check that always runs
    const file = join(work, 'b.zip');
    writeFileSync(file, createZip(entries));
    const listing = execFileSync('unzip', ['-l', file], { encoding: 'utf8' });
    for (const entry of entries) expect(listing).toContain(entry.name);
    expect(execFileSync('unzip', ['-t', file], { encoding: 'utf8' })).toContain('No errors detected');
  });

  it('deflates what compresses and stores what does not', () => {
    const zip = createZip(entries.slice(1, 2));
    // Local header: method at offset 8, compressed size at 18.
    expect(zip.readUInt16LE(8)).toBe(8);
    const compressed = zip.subarray(30 + zip.readUInt16LE(26), 30 + zip.readUInt16LE(26) + zip.readUInt32LE(18));
    expect(inflateRawSync(compressed).equals(Buffer.from(entries[1]!.data!))).toBe(true);
    const stored = createZip([{ name: 'x', data: Buffer.from([1, 2, 3]) }]);
    expect(stored.readUInt16LE(8)).toBe(0);
  });

  it('refuses unsafe or duplicate names', () => {
    for (const name of ['/abs', '../up', 'a/../b', 'a\\b', '', './x']) {
      expect(() => createZip([{ name, data: Buffer.from('x') }]), name).toThrow(/bad entry name/);
    }
    expect(() => createZip([{ name: 'a' }, { name: 'a' }])).toThrow(/duplicate/);
  });

  it('marks entries as Unix files and folders with their permissions', () => {
    const file = join(work, 'modes.zip');
    writeFileSync(file, createZip(entries));
    const modes = JSON.parse(execFileSync('python3', ['-c', 'import sys, zipfile, json; '
      + 'print(json.dumps({i.filename: [i.create_system, i.external_attr >> 16] for i in zipfile.ZipFile(sys.argv[1]).infolist()}))', file],
    { encoding: 'utf8' })) as Record<string, [number, number]>;
    expect(modes['hlsgate/']).toEqual([3, 0o40755]);
    expect(modes['hlsgate/version.php']).toEqual([3, 0o100644]);
  });

  it('stamps the DOS time', () => {
    const zip = createZip([{ name: 'x', data: Buffer.from('x') }], { mtime: new Date(2026, 10, 23, 12, 30, 14) });
    expect(zip.readUInt16LE(10)).toBe((12 << 11) | (30 << 5) | 7);
    expect(zip.readUInt16LE(12)).toBe(((2026 - 1980) << 9) | (11 << 5) | 23);
  });
});
