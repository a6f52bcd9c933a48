import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bucketSeconds, createCookieSigner, sessionTiming } from './cookie-session.ts';
import { signPolicy, buildPolicy } from './policy.ts';

const NOW = 1_800_000_007;

describe('sessionTiming', () => {
  it('scales the bucket with the TTL up to a minute', () => {
    expect(bucketSeconds(4)).toBe(1);
    expect(bucketSeconds(20)).toBe(5);
    expect(bucketSeconds(120)).toBe(30);
    expect(bucketSeconds(600)).toBe(60);
    expect(bucketSeconds(86_400)).toBe(60);
  });

  it('rounds the expiry up to a bucket, at least the TTL away', () => {
    for (const ttl of [10, 20, 60, 300, 600, 3600]) {
      for (let now = NOW; now < NOW + 70; now++) {
        const { expiresAt, bucketSeconds: bucket } = sessionTiming(now, ttl, () => 0.5);
        expect(expiresAt % bucket).toBe(0);
        expect(expiresAt - now).toBeGreaterThanOrEqual(ttl);
        expect(expiresAt - now).toBeLessThan(ttl + bucket);
      }
    }
  });

  it('lets viewers arriving within one bucket share one expiry', () => {
    const base = Math.ceil(NOW / 60) * 60; // a bucket boundary
    const expiries = new Set<number>();
    for (let now = base + 1; now <= base + 60; now++) expiries.add(sessionTiming(now, 600).expiresAt);
    expect(expiries.size).toBe(1);
  });

  it('refreshes before expiry with a margin, never below a floor, for dev and production TTLs', () => {
    for (const ttl of [10, 20, 300, 600]) {
      for (const r of [0, 0.5, 0.999999]) {
        for (let now = NOW; now < NOW + 60; now++) {
          const { expiresAt, refreshIn } = sessionTiming(now, ttl, () => r);
          const lifetime = expiresAt - now;
          expect(refreshIn).toBeGreaterThanOrEqual(Math.floor(ttl / 4));
          expect(refreshIn).toBeLessThanOrEqual(lifetime - 2);
        }
      }
    }
    // The documented windows.
    expect(sessionTiming(100, 20, () => 0).refreshIn).toBe(16);
    expect(sessionTiming(100, 20, () => 0.999999).refreshIn).toBe(11);
    expect(sessionTiming(120, 600, () => 0).refreshIn).toBe(540);
    expect(sessionTiming(120, 600, () => 0.999999).refreshIn).toBe(420);
  });

  it('spreads a class of 300 opening one lecture at once over many seconds', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const refreshSeconds = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      const { refreshIn } = sessionTiming(NOW, 600, random);
      refreshSeconds.set(refreshIn, (refreshSeconds.get(refreshIn) ?? 0) + 1);
    }
    expect(refreshSeconds.size).toBeGreaterThan(80);
    expect(Math.max(...refreshSeconds.values())).toBeLessThan(15);
  });
});

describe('createCookieSigner', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const keyPair = { keyPairId: 'KAAAAAAAAAAAAA', privateKeyPem: pem };
  const res = (i: number) => `https://media.example.edu/lectures/video${String(i).padStart(12, '0')}/`;

  it('signs once per (resource, expiry) and reuses it', () => {
    const signer = createCookieSigner({ cacheSize: 10 });
    const first = signer.sign(keyPair, res(1), NOW + 600, NOW);
    expect(first).toEqual(signPolicy(buildPolicy(res(1), NOW + 600), keyPair));
    expect(signer.sign(keyPair, res(1), NOW + 600, NOW + 5)).toBe(first);
    expect(signer.sign(keyPair, res(1), NOW + 660, NOW)).not.toEqual(first);
    expect(signer.sign(keyPair, res(2), NOW + 600, NOW)).not.toEqual(first);
    expect(signer.stats).toEqual({ hits: 1, misses: 3 });
  });

  it('keeps at most cacheSize entries, dropping the least recently used', () => {
    const signer = createCookieSigner({ cacheSize: 3 });
    for (let i = 0; i < 3; i++) signer.sign(keyPair, res(i), NOW + 600, NOW);
    signer.sign(keyPair, res(0), NOW + 600, NOW); // 0 is now the most recent
    signer.sign(keyPair, res(3), NOW + 600, NOW); // evicts 1
    expect(signer.size).toBe(3);
    signer.stats.hits = signer.stats.misses = 0;
    signer.sign(keyPair, res(0), NOW + 600, NOW);
    signer.sign(keyPair, res(1), NOW + 600, NOW);
    expect(signer.stats).toEqual({ hits: 1, misses: 1 });
  });

  it('never serves an expired entry, and signs every time with the cache off', () => {
    const signer = createCookieSigner({ cacheSize: 10 });
    signer.sign(keyPair, res(1), NOW + 10, NOW);
    signer.sign(keyPair, res(1), NOW + 10, NOW + 10);
    expect(signer.stats).toEqual({ hits: 0, misses: 2 });
    const uncached = createCookieSigner({ cacheSize: 0 });
    uncached.sign(keyPair, res(1), NOW + 600, NOW);
    uncached.sign(keyPair, res(1), NOW + 600, NOW);
    expect(uncached.stats).toEqual({ hits: 0, misses: 2 });
    expect(uncached.size).toBe(0);
  });

  it('keys the cache by key pair, so a rotation signs afresh', () => {
    const { privateKey: otherKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const other = { keyPairId: 'KBBBBBBBBBBBBB', privateKeyPem: otherKey.export({ type: 'pkcs8', format: 'pem' }) as string };
    const signer = createCookieSigner({ cacheSize: 10 });
    const a = signer.sign(keyPair, res(1), NOW + 600, NOW);
    const b = signer.sign(other, res(1), NOW + 600, NOW);
    expect(a.keyPairId).toBe('KAAAAAAAAAAAAA');
    expect(b.keyPairId).toBe('KBBBBBBBBBBBBB');
    expect(b.signature).not.toBe(a.signature);
    expect(signer.stats).toEqual({ hits: 0, misses: 2 });
  });
});
