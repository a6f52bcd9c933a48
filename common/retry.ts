/**
 * Retry policy as configuration, and the one small function that decides the delay.
 * Browser-safe (the player uses it for session refreshes, ingest for downloads and the queue).
 */
export interface RetryPolicy {
  /** Retries after the first attempt; 0 means no retry. */
  maxRetry: number;
  /** Delay before the first retry. */
  retryDelayMs: number;
  /** Ceiling of the exponential delay. */
  maxRetryDelayMs: number;
}

/**
 * Delay before retry number `attempt` (1-based): exponential from `retryDelayMs`, capped, with
 * "equal jitter" (half fixed, half random) so many clients that failed together spread out.
 * Returns null when the policy allows no more retries.
 */
export function retryDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number | null {
  if (attempt < 1 || attempt > policy.maxRetry) return null;
  const exp = Math.min(policy.maxRetryDelayMs, policy.retryDelayMs * 2 ** (attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
