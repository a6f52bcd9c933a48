import { type ViewTokenClaims } from '../common/contracts.ts';
/** Longest compact token accepted; checked before anything is decoded. Real tokens are < 1 KiB. */
export declare const MAX_TOKEN_LENGTH = 4096;
/** Upper bound of the clock leeway a deployment may configure. */
export declare const MAX_LEEWAY_SECONDS = 60;
export declare const DEFAULT_LEEWAY_SECONDS = 30;
/** HMAC keys shorter than this are refused at configuration time (RFC 7518 §3.2). */
export declare const MIN_SECRET_BYTES = 32;
export type TokenErrorCode = 'token_expired' | 'token_invalid' | 'resource_forbidden' | 'bad_request';
/** Why a token was refused. `message` is safe to show and to log: it never quotes the token. */
export declare class TokenError extends Error {
    readonly code: TokenErrorCode;
    constructor(code: TokenErrorCode, message: string);
}
export interface TokenVerifyOptions {
    /** kid → secret (UTF-8, ≥ 32 bytes). Several at once during a rotation. */
    secrets: Record<string, string>;
    /** Allowed `iss` values, compared exactly. */
    issuers: string[];
    /** Allowed media base URLs, e.g. `https://media.example.edu/lectures/` (canonical, ending in `/`). */
    mediaBaseUrls: string[];
    /** Longest allowed `exp - iat`, seconds. */
    maxLifetimeSeconds: number;
    /** Clock skew tolerated on `exp`, `nbf` and `iat`, seconds, at most 60 (default 30). */
    leewaySeconds?: number;
}
export interface SigningKey {
    kid: string;
    secret: string;
}
/** `{"alg":"HS256","typ":"JWT","kid":…}` + the claims in the order given, base64url without padding. */
export declare function signViewToken(claims: ViewTokenClaims, key: SigningKey): string;
/** The options, checked once and turned into what verification needs. */
interface CompiledOptions {
    keys: Map<string, Buffer>;
    /** The encoded canonical header of each kid (what signViewToken and Moodle emit) → its key. */
    canonicalHeaders: Map<string, Buffer>;
    issuers: Set<string>;
    mediaBaseUrls: string[];
    maxLifetimeSeconds: number;
    leewaySeconds: number;
}
/**
 * Checks verification options; throws a plain Error naming the bad option (a configuration
 * mistake, not a bad token). Results are remembered per options object.
 */
export declare function compileVerifyOptions(options: TokenVerifyOptions): CompiledOptions;
/**
 * Why a configured media base URL is unusable, or null. It must be an absolute http(s) URL in
 * canonical form (what the browser will request), with a path ending in `/`, and nothing that a
 * CloudFront wildcard or a cookie path could misread: no userinfo, query, fragment, `*`, `?`,
 * percent-encoding or dot segments.
 */
export declare function mediaBaseUrlProblem(value: string): string | null;
/** A `res` that passed every rule: the base it is under, its `<dir>`, and the cookie path. */
export interface CheckedResource {
    res: string;
    base: string;
    dir: string;
    /** `/PREFIX/<dir>/`: the Path of the cookies. */
    path: string;
}
export declare function checkResource(res: string, mediaBaseUrls: readonly string[]): CheckedResource;
/**
 * Verifies a compact HS256 view token at `nowSeconds` and returns its claims (only the known
 * ones, freshly built). Throws TokenError:
 * - `bad_request` when the token is longer than MAX_TOKEN_LENGTH (nothing is decoded);
 * - `token_invalid` for anything malformed, forged, from an unknown kid or issuer, for the wrong
 *   audience, not yet valid, issued in the future or living longer than allowed;
 * - `token_expired` once `exp` (plus leeway) has passed;
 * - `resource_forbidden` when `res` breaks the rules of checkResource.
 */
export declare function verifyViewToken(token: string, options: TokenVerifyOptions, nowSeconds: number): ViewTokenClaims;
/**
 * verifyViewToken without the `exp` check, for clearing a session (`DELETE /session`), which a
 * player may do long after its token expired. Everything else, the signature first, still holds.
 */
export declare function verifyViewTokenAllowingExpired(token: string, options: TokenVerifyOptions, nowSeconds: number): ViewTokenClaims;
/**
 * verifyViewToken (or, with `allowExpired`, verifyViewTokenAllowingExpired) that also returns
 * the checked `res`, so a caller that needs its directory and cookie path does not run
 * checkResource a second time. Every rule and error is the same.
 */
export declare function verifyViewTokenWithResource(token: string, options: TokenVerifyOptions, nowSeconds: number, allowExpired?: boolean): {
    claims: ViewTokenClaims;
    resource: CheckedResource;
};
export {};
