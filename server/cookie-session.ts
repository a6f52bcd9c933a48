/**
 * When a session's cookies expire and when the client should come back, and a bounded cache of
 * signatures so that the viewers of one video within one expiry bucket share one RSA signature.
 */
import { buildPolicy, signPolicy, type CloudFrontKeyPair, type SignedCookieValues } from './policy.ts';

export interface SessionTiming {
  /** Epoch seconds: a multiple of `bucketSeconds`, at least `ttl` from now. */
  expiresAt: number;
  /** Seconds from now at which the client should refresh. */
  refreshIn: number;
  bucketSeconds: number;
}

/** Expiry buckets scale with the TTL (a quarter of it) up to one minute. */
export function bucketSeconds(ttlSeconds: number): number {
  return Math.max(1, Math.min(60, Math.floor(ttlSeconds / 4)));
}

/**
 * Rounds the expiry up to a bucket and places the refresh before it: a margin (a fifth of the
 * TTL, 2–60 s) for the round trip and clock error, minus a random jitter (up to a quarter of the
 * TTL, at most 120 s) so that a class that opened a lecture together does not refresh together,
 * and never sooner than a quarter of the TTL.
 *
 * TTL 20 s: lifetime 20–24 s, refresh after 11–20 s. TTL 600 s: lifetime 600–659 s, refresh
 * after 420–599 s.
 */
export function sessionTiming(nowSeconds: number, ttlSeconds: number, random: () => number = Math.random): SessionTiming {
  const bucket = bucketSeconds(ttlSeconds);
  const expiresAt = Math.ceil((nowSeconds + ttlSeconds) / bucket) * bucket;
  const lifetime = expiresAt - nowSeconds;
  const margin = Math.min(60, Math.max(2, Math.ceil(ttlSeconds / 5)));
  const jitterSpan = Math.min(120, Math.max(1, Math.floor(ttlSeconds / 4)));
  const floor = Math.max(1, Math.floor(ttlSeconds / 4));
  const refreshIn = Math.max(floor, Math.floor(lifetime - margin - random() * jitterSpan));
  return { expiresAt, refreshIn: Math.min(refreshIn, Math.max(1, lifetime - 1)), bucketSeconds: bucket };
}

export interface CookieSignerOptions {
  /** Most signed triples kept; 0 turns the cache off (one RSA signature per request). */
  cacheSize: number;
}

export interface CookieSigner {
  /** The cookie values for `res` until `expiresAt` (epoch s), from the cache when possible. */
  sign(keyPair: CloudFrontKeyPair, res: string, expiresAt: number, nowSeconds: number): SignedCookieValues;
  readonly size: number;
  readonly stats: { hits: number; misses: number };
}

interface Entry {
  values: SignedCookieValues;
  expiresAt: number;
}

/**
 * An LRU over a Map (insertion order is recency order): key = keyPairId, expiresAt and resource,
 * so a key rotation or a new bucket never reuses an old signature. Expired entries are misses.
 */
export function createCookieSigner({ cacheSize }: CookieSignerOptions): CookieSigner {
  if (!Number.isSafeInteger(cacheSize) || cacheSize < 0) throw new RangeError('cacheSize must be a whole number ≥ 0');
  const cache = new Map<string, Entry>();
  const stats = { hits: 0, misses: 0 };
  return {
    sign(keyPair, res, expiresAt, nowSeconds) {
      const key = `${keyPair.keyPairId} ${expiresAt} ${res}`;
      const hit = cache.get(key);
      if (hit && hit.expiresAt > nowSeconds) {
        stats.hits++;
        cache.delete(key);
        cache.set(key, hit);
        return hit.values;
      }
      stats.misses++;
      const values = signPolicy(buildPolicy(res, expiresAt), keyPair);
      if (cacheSize > 0) {
        cache.delete(key);
        cache.set(key, { values, expiresAt });
        while (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
      }
      return values;
    },
    get size() {
      return cache.size;
    },
    stats,
  };
}
