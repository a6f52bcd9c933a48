import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limit.ts';

describe('createRateLimiter', () => {
  it('allows a burst of perMinute, then refills at perMinute / 60 per second', () => {
    const limiter = createRateLimiter({ perMinute: 60, maxEntries: 10 });
    for (let i = 0; i < 60; i++) expect(limiter.take('a', 0)).toEqual({ ok: true });
    expect(limiter.take('a', 0)).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(limiter.take('b', 0)).toEqual({ ok: true }); // keys are independent
    expect(limiter.take('a', 999)).toMatchObject({ ok: false });
    expect(limiter.take('a', 1000)).toEqual({ ok: true });
    expect(limiter.take('a', 1000)).toMatchObject({ ok: false });
    // A long pause refills to the burst size, not beyond.
    for (let i = 0; i < 60; i++) expect(limiter.take('a', 3_600_000).ok).toBe(true);
    expect(limiter.take('a', 3_600_000).ok).toBe(false);
  });

  it('says when to retry', () => {
    const limiter = createRateLimiter({ perMinute: 2, maxEntries: 10 });
    limiter.take('a', 0);
    limiter.take('a', 0);
    expect(limiter.take('a', 0)).toEqual({ ok: false, retryAfterSeconds: 30 });
    expect(limiter.take('a', 20_000)).toEqual({ ok: false, retryAfterSeconds: 10 });
  });

  it('keeps at most maxEntries keys, forgetting the least recently seen', () => {
    const limiter = createRateLimiter({ perMinute: 1, maxEntries: 100 });
    for (let i = 0; i < 10_000; i++) limiter.take(`k${i}`, i);
    expect(limiter.size).toBe(100);
    expect(limiter.take('k9999', 10_000).ok).toBe(false); // still tracked
    expect(limiter.take('k0', 10_000).ok).toBe(true); // forgotten: a full bucket again
  });

  it('is off at 0', () => {
    const limiter = createRateLimiter({ perMinute: 0, maxEntries: 10 });
    for (let i = 0; i < 1000; i++) expect(limiter.take('a', 0).ok).toBe(true);
    expect(limiter.size).toBe(0);
  });
});
