/**
 * View tokens: HS256 JWTs minted by Moodle (or the dev stack) and checked here before any cookie
 * is signed. Written with node:crypto alone so that every rule is visible and nothing is
 * negotiated from the token itself: the algorithm is fixed, the key comes from `kid`, and the
 * signature is checked before the payload is even parsed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { DIR_PATTERN, TOKEN_AUDIENCE, type ViewTokenClaims } from '../common/contracts.ts';

/** Longest compact token accepted; checked before anything is decoded. Real tokens are < 1 KiB. */
export const MAX_TOKEN_LENGTH = 4096;
/** Upper bound of the clock leeway a deployment may configure. */
export const MAX_LEEWAY_SECONDS = 60;
export const DEFAULT_LEEWAY_SECONDS = 30;
/** HMAC keys shorter than this are refused at configuration time (RFC 7518 §3.2). */
export const MIN_SECRET_BYTES = 32;

const MAX_KID_LENGTH = 64;
const MAX_STRING_CLAIM_LENGTH = 512;
const MAX_RESOURCE_LENGTH = 2048;
const HMAC_BYTES = 32;

export type TokenErrorCode = 'token_expired' | 'token_invalid' | 'resource_forbidden' | 'bad_request';

/** Why a token was refused. `message` is safe to show and to log: it never quotes the token. */
export class TokenError extends Error {
  constructor(
    readonly code: TokenErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TokenError';
  }
}

export interface TokenVerifyOptions {
  /** kid → secret (UTF-8, ≥ 32 bytes). Several at once during a rotation. */
  secrets: Record<string, string>;
  /** Allowed `iss` values, compared exactly. */
  issuers: string[];
  /**
   * kid → the issuers that may sign with it. When several sites share one auth server, a key of
   * one site must not mint for another (a leaked Moodle secret would otherwise speak for every
   * site). Unset: every kid for every issuer (one site). Set: every kid must be bound.
   */
  keyIssuers?: Record<string, string[]> | undefined;
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
export function signViewToken(claims: ViewTokenClaims, key: SigningKey): string {
  const header = JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: key.kid });
  const signingInput = `${base64url(header)}.${base64url(JSON.stringify(claims))}`;
  const signature = createHmac('sha256', key.secret).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** The options, checked once and turned into what verification needs. */
interface CompiledOptions {
  keys: Map<string, Buffer>;
  /** The encoded canonical header of each kid (what signViewToken and Moodle emit) → its key. */
  canonicalHeaders: Map<string, Buffer>;
  issuers: Set<string>;
  /** key → the issuers bound to its kid; absent: no binding configured. */
  issuersOfKey?: Map<Buffer, Set<string>>;
  mediaBaseUrls: string[];
  maxLifetimeSeconds: number;
  leewaySeconds: number;
}

const compiled = new WeakMap<TokenVerifyOptions, CompiledOptions>();

/**
 * Checks verification options; throws a plain Error naming the bad option (a configuration
 * mistake, not a bad token). Results are remembered per options object.
 */
export function compileVerifyOptions(options: TokenVerifyOptions): CompiledOptions {
  const known = compiled.get(options);
  if (known) return known;
  const keys = new Map<string, Buffer>();
  for (const [kid, secret] of Object.entries(options.secrets)) {
    if (kid.length === 0 || kid.length > MAX_KID_LENGTH) throw new Error(`secrets: kid "${kid.slice(0, 20)}" must be 1–${MAX_KID_LENGTH} characters`);
    const bytes = Buffer.from(secret, 'utf8');
    if (bytes.length < MIN_SECRET_BYTES) throw new Error(`secrets: the secret of kid "${kid}" is shorter than ${MIN_SECRET_BYTES} bytes`);
    keys.set(kid, bytes);
  }
  if (keys.size === 0) throw new Error('secrets: at least one kid:secret is required');
  if (options.issuers.length === 0) throw new Error('issuers: at least one issuer is required');
  if (options.mediaBaseUrls.length === 0) throw new Error('mediaBaseUrls: at least one media base URL is required');
  for (const url of options.mediaBaseUrls) {
    const problem = mediaBaseUrlProblem(url);
    if (problem) throw new Error(`mediaBaseUrls: "${url}" ${problem}`);
  }
  if (!Number.isSafeInteger(options.maxLifetimeSeconds) || options.maxLifetimeSeconds <= 0) {
    throw new Error('maxLifetimeSeconds: must be a positive integer');
  }
  const leewaySeconds = options.leewaySeconds ?? DEFAULT_LEEWAY_SECONDS;
  if (!Number.isSafeInteger(leewaySeconds) || leewaySeconds < 0 || leewaySeconds > MAX_LEEWAY_SECONDS) {
    throw new Error(`leewaySeconds: must be an integer from 0 to ${MAX_LEEWAY_SECONDS}`);
  }
  let issuersOfKey: Map<Buffer, Set<string>> | undefined;
  if (options.keyIssuers !== undefined) {
    issuersOfKey = new Map();
    const allowed = new Set(options.issuers);
    for (const kid of Object.keys(options.keyIssuers)) {
      if (!keys.has(kid)) throw new Error(`keyIssuers: kid "${kid.slice(0, 20)}" has no secret`);
    }
    for (const [kid, key] of keys) {
      const bound = options.keyIssuers[kid] ?? [];
      if (bound.length === 0) throw new Error(`keyIssuers: kid "${kid}" is bound to no issuer`);
      for (const issuer of bound) {
        if (!allowed.has(issuer)) throw new Error(`keyIssuers: "${issuer}" (kid "${kid}") is not one of the issuers`);
      }
      issuersOfKey.set(key, new Set(bound));
    }
  }
  const canonicalHeaders = new Map<string, Buffer>();
  for (const [kid, key] of keys) canonicalHeaders.set(base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid })), key);
  const result: CompiledOptions = {
    keys,
    canonicalHeaders,
    issuers: new Set(options.issuers),
    ...(issuersOfKey ? { issuersOfKey } : {}),
    mediaBaseUrls: [...options.mediaBaseUrls],
    maxLifetimeSeconds: options.maxLifetimeSeconds,
    leewaySeconds,
  };
  compiled.set(options, result);
  return result;
}

/**
 * Why a configured media base URL is unusable, or null. It must be an absolute http(s) URL in
 * canonical form (what the browser will request), with a path ending in `/`, and nothing that a
 * CloudFront wildcard or a cookie path could misread: no userinfo, query, fragment, `*`, `?`,
 * percent-encoding or dot segments.
 */
export function mediaBaseUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use http or https';
  if (url.username || url.password) return 'must not carry userinfo';
  if (url.search || value.includes('?')) return 'must not have a query';
  if (url.hash || value.includes('#')) return 'must not have a fragment';
  if (/[%*\\\s]/.test(value)) return 'must not contain %, *, \\ or spaces';
  if (!value.endsWith('/')) return 'must end with /';
  if (url.href !== value) return `is not in canonical form (expected "${url.href}")`;
  return null;
}

/** A `res` that passed every rule: the base it is under, its `<dir>`, and the cookie path. */
export interface CheckedResource {
  res: string;
  base: string;
  dir: string;
  /** `/PREFIX/<dir>/`: the Path of the cookies. */
  path: string;
}

/**
 * The `res` rules: exactly an allowed media base URL, one `<dir>` segment matching DIR_PATTERN,
 * and a trailing `/`. Everything else — other schemes, hosts, ports, userinfo, a query, a
 * fragment, backslashes, `..`, any percent-encoding (`%2f`, `%2e`…) — is refused with
 * `resource_forbidden`.
 */
function refuse(why: string): never {
  throw new TokenError('resource_forbidden', `res ${why}`);
}

export function checkResource(res: string, mediaBaseUrls: readonly string[]): CheckedResource {
  if (res.length > MAX_RESOURCE_LENGTH) refuse('is too long');
  // Printable ASCII only: no spaces, control characters or Unicode look-alikes.
  if (!/^[\x21-\x7e]+$/.test(res)) refuse('contains characters outside printable ASCII');
  if (res.includes('%')) refuse('must not contain percent-encoding');
  if (res.includes('\\')) refuse('must not contain backslashes');
  if (res.includes('?')) refuse('must not contain a query');
  if (res.includes('#')) refuse('must not contain a fragment');
  if (res.includes('*')) refuse('must not contain a wildcard');
  if (/(^|\/)\.\.?(\/|$)/.test(res)) refuse('must not contain dot segments');
  if (!/^https?:\/\//.test(res)) refuse('must be an http(s) URL');
  if (/^https?:\/\/[^/]*@/.test(res)) refuse('must not contain userinfo');
  // Bases may nest (`https://m/` and `https://m/lectures/`): the longest base that `res` lies
  // under is the one that counts, so a folder of videos never passes as the <dir> of a shorter
  // base, and a `res` that is a base or lies above one (its cookies would open that whole base)
  // is refused. The same rule as media_bases.php (the shared token vectors test both).
  let base: string | undefined;
  for (const candidate of mediaBaseUrls) {
    if (candidate.startsWith(res)) refuse('is a media base URL or lies above one');
    if (res.startsWith(candidate) && (base === undefined || candidate.length > base.length)) base = candidate;
  }
  if (base === undefined) refuse('is not under an allowed media base URL');
  const rest = res.slice(base.length);
  const dir = rest.endsWith('/') ? rest.slice(0, -1) : rest;
  if (!DIR_PATTERN.test(dir)) refuse('must be a media base URL followed by exactly one video directory');
  if (!rest.endsWith('/')) refuse('must end with /');
  // Bases are canonical absolute URLs, so the path starts at the first '/' after '//host'.
  return { res, base, dir, path: base.slice(base.indexOf('/', base.indexOf('//') + 2)) + dir + '/' };
}

/**
 * Verifies a compact HS256 view token at `nowSeconds` and returns its claims (only the known
 * ones, freshly built). Throws TokenError:
 * - `bad_request` when the token is longer than MAX_TOKEN_LENGTH (nothing is decoded);
 * - `token_invalid` for anything malformed, forged, from an unknown kid or issuer, for the wrong
 *   audience, not yet valid, issued in the future or living longer than allowed;
 * - `token_expired` once `exp` (plus leeway) has passed;
 * - `resource_forbidden` when `res` breaks the rules of checkResource.
 */
export function verifyViewToken(token: string, options: TokenVerifyOptions, nowSeconds: number): ViewTokenClaims {
  return verify(token, options, nowSeconds, false).claims;
}

/**
 * verifyViewToken without the `exp` check, for clearing a session (`DELETE /session`), which a
 * player may do long after its token expired. Everything else, the signature first, still holds.
 */
export function verifyViewTokenAllowingExpired(token: string, options: TokenVerifyOptions, nowSeconds: number): ViewTokenClaims {
  return verify(token, options, nowSeconds, true).claims;
}

/**
 * verifyViewToken (or, with `allowExpired`, verifyViewTokenAllowingExpired) that also returns
 * the checked `res`, so a caller that needs its directory and cookie path does not run
 * checkResource a second time. Every rule and error is the same.
 */
export function verifyViewTokenWithResource(
  token: string,
  options: TokenVerifyOptions,
  nowSeconds: number,
  allowExpired = false,
): { claims: ViewTokenClaims; resource: CheckedResource } {
  return verify(token, options, nowSeconds, allowExpired);
}

function verify(token: string, options: TokenVerifyOptions, nowSeconds: number, allowExpired: boolean): { claims: ViewTokenClaims; resource: CheckedResource } {
  const opts = compileVerifyOptions(options);
  if (typeof token !== 'string' || token.length === 0) invalid('token is missing');
  if (token.length > MAX_TOKEN_LENGTH) throw new TokenError('bad_request', `token is longer than ${MAX_TOKEN_LENGTH} characters`);

  const parts = token.split('.');
  if (parts.length !== 3) invalid('token is not a compact JWS (three dot-separated parts)');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];

  // Tokens from our own minters carry the exact canonical header: recognised without decoding.
  const key = opts.canonicalHeaders.get(headerPart) ?? keyOfHeader(headerPart, opts);

  const signature = decodeBase64url(signaturePart, 'signature');
  const expected = createHmac('sha256', key!).update(`${headerPart}.${payloadPart}`).digest();
  if (signature.length !== HMAC_BYTES || !timingSafeEqual(signature, expected)) invalid('signature does not match');

  const payload = decodeJsonObject(payloadPart, 'payload');
  const claims = readClaims(payload);

  if (!opts.issuers.has(claims.iss)) invalid('iss is not an allowed issuer');
  if (opts.issuersOfKey && !opts.issuersOfKey.get(key!)?.has(claims.iss)) invalid('kid is not bound to this iss');
  if (claims.aud !== TOKEN_AUDIENCE) invalid(`aud must be "${TOKEN_AUDIENCE}"`);
  const leeway = opts.leewaySeconds;
  if (claims.exp <= claims.iat) invalid('exp must be after iat');
  if (claims.exp - claims.iat > opts.maxLifetimeSeconds) invalid(`token lives longer than ${opts.maxLifetimeSeconds} s`);
  if (claims.iat > nowSeconds + leeway) invalid('iat is in the future');
  if (claims.nbf !== undefined && claims.nbf > nowSeconds + leeway) invalid('token is not valid yet (nbf)');
  if (!allowExpired && nowSeconds >= claims.exp + leeway) throw new TokenError('token_expired', 'token has expired');

  const resource = checkResource(claims.res, opts.mediaBaseUrls);
  return { claims, resource };
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

function invalid(why: string): never {
  throw new TokenError('token_invalid', why);
}

/** The key for any other header spelling, after checking it in full. */
function keyOfHeader(headerPart: string, opts: CompiledOptions): Buffer {
  const header = decodeJsonObject(headerPart, 'header');
  if (header.alg !== 'HS256') invalid('alg must be HS256');
  if (header.typ !== undefined && header.typ !== 'JWT') invalid('typ must be JWT');
  for (const name of Object.keys(header)) {
    if (name !== 'alg' && name !== 'typ' && name !== 'kid') invalid(`header parameter "${name.slice(0, 20)}" is not allowed`);
  }
  if (typeof header.kid !== 'string' || header.kid.length === 0) invalid('kid is missing');
  return opts.keys.get(header.kid as string) ?? invalid('kid is unknown');
}

const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function decodeBase64url(part: string, what: string): Buffer {
  // Strict: the alphabet only, no padding, and canonical (the bits past the last byte are zero),
  // so that one token has exactly one spelling.
  if (!BASE64URL.test(part) || part.length % 4 === 1) throw new TokenError('token_invalid', `${what} is not base64url`);
  const spare = part.length % 4 === 2 ? 0x0f : part.length % 4 === 3 ? 0x03 : 0;
  if (spare !== 0 && (BASE64URL_ALPHABET.indexOf(part[part.length - 1]!) & spare) !== 0) {
    throw new TokenError('token_invalid', `${what} is not canonical base64url`);
  }
  return Buffer.from(part, 'base64url');
}

function decodeJsonObject(part: string, what: string): Record<string, unknown> {
  const bytes = decodeBase64url(part, what);
  let value: unknown;
  try {
    value = JSON.parse(UTF8.decode(bytes));
  } catch {
    throw new TokenError('token_invalid', `${what} is not UTF-8 JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TokenError('token_invalid', `${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

function stringClaim(payload: Record<string, unknown>, name: string, required: boolean): string | undefined {
  const value = payload[name];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value.length === 0) invalid(`${name} must be a non-empty string`);
  if ((value as string).length > MAX_STRING_CLAIM_LENGTH) invalid(`${name} is too long`);
  return value as string;
}

function secondsClaim(payload: Record<string, unknown>, name: string, required: boolean): number | undefined {
  const value = payload[name];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) invalid(`${name} must be a whole number of seconds`);
  return value as number;
}

function readClaims(payload: Record<string, unknown>): ViewTokenClaims {
  // `res` has its own, longer limit and its own error code, so it is read separately.
  const res = payload.res;
  if (typeof res !== 'string' || res.length === 0) invalid('res must be a non-empty string');
  const claims: ViewTokenClaims = {
    iss: stringClaim(payload, 'iss', true)!,
    aud: stringClaim(payload, 'aud', true) as typeof TOKEN_AUDIENCE,
    sub: stringClaim(payload, 'sub', true)!,
    iat: secondsClaim(payload, 'iat', true)!,
    exp: secondsClaim(payload, 'exp', true)!,
    res: res as string,
  };
  const nbf = secondsClaim(payload, 'nbf', false);
  if (nbf !== undefined) claims.nbf = nbf;
  const wm = stringClaim(payload, 'wm', false);
  if (wm !== undefined) claims.wm = wm;
  const cid = stringClaim(payload, 'cid', false);
  if (cid !== undefined) claims.cid = cid;
  return claims;
}
