import { describe, expect, it } from 'vitest';
import { retryDelay, sleep } from './retry.ts';

const policy = { maxRetry: 4, retryDelayMs: 1000, maxRetryDelayMs: 5000 };

describe('retryDelay', () => {
  it('grows exponentially with equal jitter and stops after maxRetry', () => {
    expect(retryDelay(policy, 1, () => 0)).toBe(500);
    expect(retryDelay(policy, 1, () => 1)).toBe(1000);
    expect(retryDelay(policy, 2, () => 0)).toBe(1000);
    expect(retryDelay(policy, 3, () => 1)).toBe(4000);
    expect(retryDelay(policy, 4, () => 1)).toBe(5000);
    expect(retryDelay(policy, 5)).toBeNull();
    expect(retryDelay(policy, 0)).toBeNull();
  });
});

describe('sleep', () => {
  it('rejects with the abort reason', async () => {
    const controller = new AbortController();
    const pending = sleep(10_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
  });
});
