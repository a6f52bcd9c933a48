/**
 * Token buckets per key (a client address, a viewer) in bounded memory: a Map in recency order
 * that forgets the least recently seen key beyond `maxEntries`. A forgotten key starts again
 * with a full bucket, which only ever errs on the side of letting a viewer through.
 */
export interface RateLimitOptions {
  /** Sustained requests per minute, and the burst size; 0 turns the limiter off. */
  perMinute: number;
  maxEntries: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

export interface RateLimiter {
  take(key: string, nowMs: number): RateDecision;
  readonly size: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

const ALLOW: RateDecision = { ok: true };

export function createRateLimiter({ perMinute, maxEntries }: RateLimitOptions): RateLimiter {
  if (!Number.isSafeInteger(perMinute) || perMinute < 0) throw new RangeError('perMinute must be a whole number ≥ 0');
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a whole number ≥ 1');
  const buckets = new Map<string, Bucket>();
  const capacity = perMinute;
  const perMs = perMinute / 60_000;
  return {
    take(key, nowMs) {
      if (perMinute === 0) return ALLOW;
      let bucket = buckets.get(key);
      if (bucket) {
        buckets.delete(key);
        bucket.tokens = Math.min(capacity, bucket.tokens + Math.max(0, nowMs - bucket.updatedMs) * perMs);
        bucket.updatedMs = nowMs;
      } else {
        bucket = { tokens: capacity, updatedMs: nowMs };
        if (buckets.size >= maxEntries) buckets.delete(buckets.keys().next().value!);
      }
      buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return ALLOW;
      }
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)) };
    },
    get size() {
      return buckets.size;
    },
  };
}
