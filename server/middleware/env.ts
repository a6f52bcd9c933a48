/** What the middleware hand on to one another and to the routes (`c.get(…)`). */
import type { ErrorCode, PostSessionMode, ViewTokenClaims } from '../../common/contracts.ts';
import type { Capability } from '../signed-playlist.ts';
import type { CheckedResource } from '../token.ts';

export type AppEnv = {
  Variables: {
    /** The verified token's claims and checked `res` (view-token.ts). */
    claims?: ViewTokenClaims;
    resource?: CheckedResource;
    /** `POST /session`'s mode (session-mode.ts). */
    mode?: PostSessionMode;
    /** A signed playlist's verified capability (`GET /playlist/…`). */
    capability?: Capability;
    /** For the request log. */
    sub?: string;
    dir?: string;
    errorCode?: ErrorCode;
  };
};

/** A positive whole number, or a TypeError naming the option: factories check once, at creation. */
export function wholeNumber(factory: string, name: string, value: unknown, min = 0): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new TypeError(`${factory}: ${name} must be a whole number ≥ ${min} (got ${String(value)})`);
  }
  return value;
}
