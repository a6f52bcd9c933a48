/**
 * A rate limit as middleware: token buckets (../rate-limit.ts) keyed by what `key` picks out of
 * the request (the client address, or the verified viewer); 429 with Retry-After when spent.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { createRateLimiter } from '../rate-limit.ts';
import type { AppEnv } from './env.ts';
import { ApiError } from './errors.ts';

export interface RateLimitMiddlewareOptions {
  /** Sustained requests per minute, and the burst size; 0 turns the limit off. */
  perMinute: number;
  /** Most keys remembered (least recently seen forgotten first). */
  maxEntries: number;
  key: (c: Context<AppEnv>) => string;
  /** The 429's message (`too many requests from this address`). */
  message: string;
  /** Epoch milliseconds. */
  now?: () => number;
}

export function rateLimit({ perMinute, maxEntries, key, message, now = Date.now }: RateLimitMiddlewareOptions): MiddlewareHandler<AppEnv> {
  if (typeof key !== 'function') throw new TypeError('rateLimit: key must be a function of the request');
  if (!message) throw new TypeError('rateLimit: message is required');
  let limiter;
  try {
    limiter = createRateLimiter({ perMinute, maxEntries });
  } catch (error) {
    throw new TypeError(`rateLimit: ${(error as Error).message}`);
  }
  if (perMinute === 0) return (_c, next) => next();
  return async (c, next) => {
    const decision = limiter.take(key(c), now());
    if (!decision.ok) throw new ApiError(429, 'rate_limited', message, { 'Retry-After': String(decision.retryAfterSeconds) });
    await next();
  };
}
