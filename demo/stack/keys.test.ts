import { sign, verify } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keyPairIdOf, loadOrCreateDevKeys } from './keys.ts';

describe('loadOrCreateDevKeys', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hlsgate-keys-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('generates a 2048-bit pair and a secret on first start, private files 0600, and reuses them', () => {
    const first = loadOrCreateDevKeys(dataDir);
    expect(first.keyPairId).toMatch(/^K[A-Z2-7]{13}$/);
    expect(first.keyPairId).toBe(keyPairIdOf(first.publicKeyPem));
    expect(Buffer.byteLength(first.tokenSecret)).toBeGreaterThanOrEqual(32);
    expect(statSync(first.privateKeyFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'keys', 'token-secret')).mode & 0o777).toBe(0o600);
    const signature = sign('RSA-SHA1', Buffer.from('policy'), first.privateKeyPem);
    expect(signature.length).toBe(256);
    expect(verify('RSA-SHA1', Buffer.from('policy'), first.publicKeyPem, signature)).toBe(true);

    const second = loadOrCreateDevKeys(dataDir);
    expect(second).toEqual(first);
  });

  it('makes different keys in another data dir', () => {
    const other = mkdtempSync(join(tmpdir(), 'hlsgate-keys-'));
    try {
      const a = loadOrCreateDevKeys(dataDir);
      const b = loadOrCreateDevKeys(other);
      expect(b.keyPairId).not.toBe(a.keyPairId);
      expect(b.tokenSecret).not.toBe(a.tokenSecret);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
