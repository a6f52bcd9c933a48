/**
 * CloudFront signed-cookie verification, as CloudFront does it for a distribution with a trusted
 * key group: pure, so every refusal is unit-tested and the media host stays a thin shell.
 *
 * Only custom policies are accepted (the auth server never makes canned ones, and a canned cookie
 * is the signature of a signing bug). A few checks are stricter than CloudFront's documentation
 * strictly requires, because each catches a server bug that would otherwise only show in
 * production: whitespace in the policy, an `AWS:EpochTime` that is not an integer count of
 * seconds (milliseconds would make a cookie valid for ever), unknown keys in the policy.
 */
import { type KeyObject, createPublicKey, verify } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { CLOUDFRONT_COOKIE_NAMES } from '../../common/contracts.ts';
import { fromCloudFrontBase64 } from '../../common/cloudfront-base64.ts';

export type CookieCheckReason =
  | 'missing_cookie'
  /** Signed URLs: one of Policy, Signature, Key-Pair-Id missing, empty or given twice. */
  | 'missing_param'
  | 'canned_policy'
  | 'unknown_key_pair'
  | 'bad_encoding'
  | 'bad_signature'
  | 'policy_invalid'
  | 'resource_mismatch'
  | 'expired'
  | 'not_yet_valid'
  | 'ip_mismatch';

export type CookieCheckResult =
  | { ok: true; resource: string; expiresAt: number }
  | { ok: false; reason: CookieCheckReason; detail: string };

export interface CookieCheckRequest {
  /** The `Cookie` header(s) as received. */
  cookieHeader: string | string[] | undefined;
  /** The requested URL as CloudFront sees it: scheme, Host header, raw path and query. */
  url: string;
  /** The viewer's address (IPv4, IPv6 or IPv4-mapped IPv6). */
  clientIp: string;
}

export interface CookieCheckOptions {
  /** The trusted key group: key pair id → public key (PEM or KeyObject). */
  publicKeys: Readonly<Record<string, KeyObject | string>>;
  /** Epoch seconds. */
  nowSeconds: number;
}

/** `AWS:EpochTime` values above this are milliseconds by mistake (the year 5138 in seconds). */
const MAX_EPOCH_SECONDS = 100_000_000_000;
const CLOUDFRONT_BASE64 = /^[A-Za-z0-9~_-]+$/;
const EXPIRES_COOKIE = 'CloudFront-Expires';

/**
 * Cookie pairs in header order. When a name occurs more than once (cookies of several paths or
 * domains), the first wins: browsers send the cookie of the longest path first.
 */
export function parseCookies(header: string | string[] | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  const headers = header === undefined ? [] : Array.isArray(header) ? header : [header];
  for (const line of headers) {
    for (const part of line.split(';')) {
      const i = part.indexOf('=');
      if (i <= 0) continue;
      const name = part.slice(0, i).trim();
      let value = part.slice(i + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      if (name && !cookies.has(name)) cookies.set(name, value);
    }
  }
  return cookies;
}

/** CloudFront's `Resource` wildcards: `*` matches any run of characters (none too), `?` exactly one. */
export function resourceMatches(pattern: string, url: string): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`).test(url);
}

/** Whether `ip` lies in `cidr` (`a.b.c.d/n` or IPv6 `x::/n`; a bare address means /32 or /128). */
export function ipInCidr(ip: string, cidr: string): boolean {
  const address = normaliseIp(ip);
  const slash = cidr.indexOf('/');
  const network = slash < 0 ? cidr : cidr.slice(0, slash);
  const family = isIP(network);
  if (family === 0 || isIP(address) === 0) return false;
  const max = family === 4 ? 32 : 128;
  const bits = slash < 0 ? max : Number(cidr.slice(slash + 1));
  if (!Number.isInteger(bits) || bits < 0 || bits > max || (slash >= 0 && !/^\d{1,3}$/.test(cidr.slice(slash + 1)))) {
    return false;
  }
  const list = new BlockList();
  list.addSubnet(network, bits, family === 4 ? 'ipv4' : 'ipv6');
  return list.check(address, isIP(address) === 4 ? 'ipv4' : 'ipv6');
}

function normaliseIp(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped ? mapped[1]! : ip;
}

function isCidr(value: string): boolean {
  const slash = value.indexOf('/');
  const network = slash < 0 ? value : value.slice(0, slash);
  const family = isIP(network);
  if (family === 0) return false;
  if (slash < 0) return true;
  const bits = value.slice(slash + 1);
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

interface Policy {
  resource: string;
  dateLessThan: number;
  dateGreaterThan?: number;
  sourceIp?: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function epochTime(value: unknown, name: string): number | string {
  if (!isPlainObject(value) || Object.keys(value).join() !== 'AWS:EpochTime') {
    return `${name} must be {"AWS:EpochTime":<seconds>}`;
  }
  const seconds = value['AWS:EpochTime'];
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
    return `${name} must be a non-negative integer`;
  }
  if (seconds >= MAX_EPOCH_SECONDS) return `${name} looks like milliseconds, not seconds`;
  return seconds;
}

/** Parses a custom policy; a string describes what is wrong with it. */
export function parsePolicy(text: string): Policy | string {
  if (/\s/.test(text)) return 'the policy contains whitespace';
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'the policy is not JSON';
  }
  if (!isPlainObject(json) || Object.keys(json).join() !== 'Statement') return 'the policy must hold only "Statement"';
  const statements = json.Statement;
  if (!Array.isArray(statements) || statements.length !== 1) return '"Statement" must hold exactly one statement';
  const statement: unknown = statements[0];
  if (!isPlainObject(statement)) return 'the statement must be an object';
  const extra = Object.keys(statement).filter((k) => k !== 'Resource' && k !== 'Condition');
  if (extra.length > 0) return `unknown statement key "${extra[0]}"`;
  if (typeof statement.Resource !== 'string' || statement.Resource === '') return '"Resource" must be a non-empty string';
  const condition = statement.Condition;
  if (!isPlainObject(condition)) return '"Condition" is required';
  const unknown = Object.keys(condition).filter((k) => !['DateLessThan', 'DateGreaterThan', 'IpAddress'].includes(k));
  if (unknown.length > 0) return `unknown condition "${unknown[0]}"`;
  if (condition.DateLessThan === undefined) return '"DateLessThan" is required';
  const dateLessThan = epochTime(condition.DateLessThan, 'DateLessThan');
  if (typeof dateLessThan === 'string') return dateLessThan;
  const policy: Policy = { resource: statement.Resource, dateLessThan };
  if (condition.DateGreaterThan !== undefined) {
    const dateGreaterThan = epochTime(condition.DateGreaterThan, 'DateGreaterThan');
    if (typeof dateGreaterThan === 'string') return dateGreaterThan;
    policy.dateGreaterThan = dateGreaterThan;
  }
  if (condition.IpAddress !== undefined) {
    const ip = condition.IpAddress;
    if (!isPlainObject(ip) || Object.keys(ip).join() !== 'AWS:SourceIp' || typeof ip['AWS:SourceIp'] !== 'string') {
      return '"IpAddress" must be {"AWS:SourceIp":"<CIDR>"}';
    }
    if (!isCidr(ip['AWS:SourceIp'])) return '"AWS:SourceIp" is not an IPv4 or IPv6 CIDR';
    policy.sourceIp = ip['AWS:SourceIp'];
  }
  return policy;
}

function decode(value: string): Buffer | null {
  if (!CLOUDFRONT_BASE64.test(value)) return null;
  const standard = fromCloudFrontBase64(value);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(standard) || standard.length % 4 === 1) return null;
  return Buffer.from(standard, 'base64');
}

const keyCache = new WeakMap<object, Map<string, KeyObject>>();

function publicKeyOf(keys: CookieCheckOptions['publicKeys'], id: string): KeyObject | undefined {
  if (!Object.hasOwn(keys, id)) return undefined;
  const key = keys[id]!;
  if (typeof key !== 'string') return key;
  let cache = keyCache.get(keys);
  if (!cache) keyCache.set(keys, (cache = new Map()));
  let parsed = cache.get(id);
  if (!parsed) cache.set(id, (parsed = createPublicKey(key)));
  return parsed;
}

export const deny = (reason: CookieCheckReason, detail: string): CookieCheckResult => ({ ok: false, reason, detail });

/** Decides, as CloudFront would, whether the cookies of `request` open `request.url`. */
export function checkSignedCookies(request: CookieCheckRequest, options: CookieCheckOptions): CookieCheckResult {
  const cookies = parseCookies(request.cookieHeader);
  const policyCookie = cookies.get(CLOUDFRONT_COOKIE_NAMES.policy);
  const signatureCookie = cookies.get(CLOUDFRONT_COOKIE_NAMES.signature);
  const keyPairId = cookies.get(CLOUDFRONT_COOKIE_NAMES.keyPairId);
  if (policyCookie === undefined && cookies.has(EXPIRES_COOKIE)) {
    return deny('canned_policy', 'a canned-policy cookie (CloudFront-Expires): only custom policies are accepted');
  }
  const missing = [
    [CLOUDFRONT_COOKIE_NAMES.policy, policyCookie],
    [CLOUDFRONT_COOKIE_NAMES.signature, signatureCookie],
    [CLOUDFRONT_COOKIE_NAMES.keyPairId, keyPairId],
  ]
    .filter(([, value]) => !value)
    .map(([name]) => name);
  if (missing.length > 0) return deny('missing_cookie', `missing ${missing.join(', ')}`);
  return verifySignedValues(
    { policy: policyCookie!, signature: signatureCookie!, keyPairId: keyPairId! },
    CLOUDFRONT_COOKIE_NAMES,
    { url: request.url, clientIp: request.clientIp },
    options,
  );
}

/** The three signed values as they arrived (cookies or query parameters), and their names for messages. */
export interface SignedValues {
  policy: string;
  signature: string;
  keyPairId: string;
}

/**
 * The checks that cookies and signed URLs share: the key, the encoding, the signature over the
 * policy's bytes, the policy's shape, the resource against `target.url`, the dates and the address.
 * `hash` is the signed URL's `Hash-Algorithm` (SHA1 by default).
 */
export function verifySignedValues(
  values: SignedValues,
  names: SignedValues,
  target: { url: string; clientIp: string },
  options: CookieCheckOptions,
  hash: 'SHA1' | 'SHA256' = 'SHA1',
): CookieCheckResult {
  const publicKey = publicKeyOf(options.publicKeys, values.keyPairId);
  if (!publicKey) return deny('unknown_key_pair', 'the key pair id is not in the trusted key group');
  const policyBytes = decode(values.policy);
  const signature = decode(values.signature);
  if (!policyBytes || policyBytes.length === 0) return deny('bad_encoding', `${names.policy} is not CloudFront base64`);
  if (!signature || signature.length === 0) return deny('bad_encoding', `${names.signature} is not CloudFront base64`);
  let valid = false;
  try {
    valid = verify(`RSA-${hash}`, policyBytes, publicKey, signature);
  } catch {
    valid = false;
  }
  if (!valid) return deny('bad_signature', 'the signature does not verify over the policy');
  const policy = parsePolicy(policyBytes.toString('utf8'));
  if (typeof policy === 'string') return deny('policy_invalid', policy);
  if (!resourceMatches(policy.resource, target.url)) return deny('resource_mismatch', 'the policy does not cover this URL');
  if (options.nowSeconds >= policy.dateLessThan) return deny('expired', `expired at ${policy.dateLessThan}`);
  if (policy.dateGreaterThan !== undefined && options.nowSeconds < policy.dateGreaterThan) {
    return deny('not_yet_valid', `valid from ${policy.dateGreaterThan}`);
  }
  if (policy.sourceIp !== undefined && !ipInCidr(target.clientIp, policy.sourceIp)) {
    return deny('ip_mismatch', 'the viewer address is outside AWS:SourceIp');
  }
  return { ok: true, resource: policy.resource, expiresAt: policy.dateLessThan };
}
