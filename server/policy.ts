/**
 * CloudFront signed cookies for one video: the custom policy (built here, byte for byte), its
 * RSA-SHA1 signature through @aws-sdk/cloudfront-signer, and the Set-Cookie strings.
 *
 * The policy is always passed to the signer as a string: given a URL and a date instead, the
 * signer silently produces a *canned* policy (`CloudFront-Expires`), which CloudFront does not
 * accept for a wildcard resource.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { getSignedCookies } from '@aws-sdk/cloudfront-signer';
import { CLOUDFRONT_COOKIE_NAMES, CLOUDFRONT_QUERY_NAMES } from '../common/contracts.ts';

export interface CloudFrontKeyPair {
  /** The CloudFront public key id (`K…`) of the trusted key group. */
  keyPairId: string;
  /** The RSA private key, PEM. */
  privateKeyPem: string;
}

/** The three cookie values, in CloudFront's base64 (`+`→`-`, `=`→`_`, `/`→`~`). */
export interface SignedCookieValues {
  policy: string;
  signature: string;
  keyPairId: string;
}

/**
 * `{"Statement":[{"Resource":"<res>*","Condition":{"DateLessThan":{"AWS:EpochTime":<s>}}}]}`:
 * the exact bytes that are signed, with no whitespace. `res` must already have passed the `res`
 * rules (token.ts checkResource), so it holds no `*`, `?` or quote.
 */
export function buildPolicy(res: string, expiresAtSeconds: number): string {
  if (!Number.isSafeInteger(expiresAtSeconds) || expiresAtSeconds <= 0) {
    throw new RangeError('expiresAtSeconds must be a positive whole number of seconds');
  }
  return JSON.stringify({
    Statement: [{ Resource: `${res}*`, Condition: { DateLessThan: { 'AWS:EpochTime': expiresAtSeconds } } }],
  });
}

const parsedKeys = new Map<string, KeyObject>();

/**
 * The parsed key for a PEM. Parsing a PEM costs twice as much as the RSA signature itself
 * (measured: 1.3 ms per signature from PEM text, 0.4 ms from a KeyObject), so it is done once.
 */
function keyObject(pem: string): KeyObject {
  let key = parsedKeys.get(pem);
  if (!key) {
    key = createPrivateKey(pem);
    if (parsedKeys.size >= 16) parsedKeys.clear();
    parsedKeys.set(pem, key);
  }
  return key;
}

/** Signs `policy` (exact bytes, RSA-SHA1) with `keyPair` and returns the three cookie values. */
export function signPolicy(policy: string, keyPair: CloudFrontKeyPair): SignedCookieValues {
  const cookies = getSignedCookies({
    policy,
    keyPairId: keyPair.keyPairId,
    // Typed string | Buffer, but the signer hands it to node:crypto's sign({ key }), which takes a
    // KeyObject as well (read in its source; policy.test.ts verifies the signatures it makes).
    privateKey: keyObject(keyPair.privateKeyPem) as unknown as string,
  });
  const signedPolicy = cookies[CLOUDFRONT_COOKIE_NAMES.policy];
  // A canned cookie would be refused by CloudFront for our wildcard resource: never send one.
  if (!signedPolicy || cookies['CloudFront-Expires'] !== undefined) {
    throw new Error('the CloudFront signer did not produce a custom-policy cookie');
  }
  return {
    policy: signedPolicy,
    signature: cookies[CLOUDFRONT_COOKIE_NAMES.signature],
    keyPairId: cookies[CLOUDFRONT_COOKIE_NAMES.keyPairId],
  };
}

export interface CookieAttributes {
  /** `/PREFIX/<dir>/`. */
  path: string;
  domain?: string | undefined;
  /** `false` only for plain-http localhost development. */
  secure: boolean;
}

function attributes({ path, domain, secure }: CookieAttributes): string {
  return `; Path=${path}${domain ? `; Domain=${domain}` : ''}; HttpOnly${secure ? '; Secure' : ''}; SameSite=Lax`;
}

/**
 * The three Set-Cookie values. Session cookies (no Max-Age): the policy's DateLessThan is what
 * ends access, and the client refreshes before it.
 */
export function cookieStrings(values: SignedCookieValues, attrs: CookieAttributes): string[] {
  const tail = attributes(attrs);
  return [
    `${CLOUDFRONT_COOKIE_NAMES.policy}=${values.policy}${tail}`,
    `${CLOUDFRONT_COOKIE_NAMES.signature}=${values.signature}${tail}`,
    `${CLOUDFRONT_COOKIE_NAMES.keyPairId}=${values.keyPairId}${tail}`,
  ];
}

/** Set-Cookie values that delete the three cookies of one video (same Path and Domain). */
export function clearingCookieStrings(attrs: CookieAttributes): string[] {
  const tail = `; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT${attributes(attrs)}`;
  return Object.values(CLOUDFRONT_COOKIE_NAMES).map((name) => `${name}=${tail}`);
}

/**
 * The same three values as the query of a signed URL: `Policy=…&Signature=…&Key-Pair-Id=…`. CloudFront's
 * base64 (`-`, `_`, `~`) and key pair ids need no percent-encoding in a query.
 */
export function signedQueryString(values: SignedCookieValues): string {
  return `${CLOUDFRONT_QUERY_NAMES.policy}=${values.policy}&${CLOUDFRONT_QUERY_NAMES.signature}=${values.signature}&${CLOUDFRONT_QUERY_NAMES.keyPairId}=${values.keyPairId}`;
}
