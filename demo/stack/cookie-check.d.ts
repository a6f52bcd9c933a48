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
import { type KeyObject } from 'node:crypto';
export type CookieCheckReason = 'missing_cookie'
/** Signed URLs: one of Policy, Signature, Key-Pair-Id missing, empty or given twice. */
 | 'missing_param' | 'canned_policy' | 'unknown_key_pair' | 'bad_encoding' | 'bad_signature' | 'policy_invalid' | 'resource_mismatch' | 'expired' | 'not_yet_valid' | 'ip_mismatch';
export type CookieCheckResult = {
    ok: true;
    resource: string;
    expiresAt: number;
} | {
    ok: false;
    reason: CookieCheckReason;
    detail: string;
};
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
/**
 * Cookie pairs in header order. When a name occurs more than once (cookies of several paths or
 * domains), the first wins: browsers send the cookie of the longest path first.
 */
export declare function parseCookies(header: string | string[] | undefined): Map<string, string>;
/** CloudFront's `Resource` wildcards: `*` matches any run of characters (none too), `?` exactly one. */
export declare function resourceMatches(pattern: string, url: string): boolean;
/** Whether `ip` lies in `cidr` (`a.b.c.d/n` or IPv6 `x::/n`; a bare address means /32 or /128). */
export declare function ipInCidr(ip: string, cidr: string): boolean;
interface Policy {
    resource: string;
    dateLessThan: number;
    dateGreaterThan?: number;
    sourceIp?: string;
}
/** Parses a custom policy; a string describes what is wrong with it. */
export declare function parsePolicy(text: string): Policy | string;
export declare const deny: (reason: CookieCheckReason, detail: string) => CookieCheckResult;
/** Decides, as CloudFront would, whether the cookies of `request` open `request.url`. */
export declare function checkSignedCookies(request: CookieCheckRequest, options: CookieCheckOptions): CookieCheckResult;
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
export declare function verifySignedValues(values: SignedValues, names: SignedValues, target: {
    url: string;
    clientIp: string;
}, options: CookieCheckOptions, hash?: 'SHA1' | 'SHA256'): CookieCheckResult;
export {};
