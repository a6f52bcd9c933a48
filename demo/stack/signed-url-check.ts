/**
 * CloudFront signed-URL verification (custom policy), and the choice CloudFront makes between a
 * signed URL and signed cookies: pure, like cookie-check.ts, whose checks it shares.
 *
 * As CloudFront documents ("Decide to use signed URLs or signed cookies", "Create a signed URL using
 * a custom policy"):
 * - a URL whose query holds any of `Expires`, `Policy`, `Signature`, `Key-Pair-Id`, `Hash-Algorithm`
 *   is a signed URL, and then the cookies are not looked at, valid or not;
 * - the policy's `Resource` is matched against the URL without the `Policy`, `Signature` and
 *   `Key-Pair-Id` parameters (other parameters stay, in their place);
 * - the values are in CloudFront's base64 (`-`, `_`, `~` for `+`, `=`, `/`).
 * Stricter than the documentation, as for cookies: canned policies (`Expires`) are refused, and so
 * is a parameter that appears twice (which of two policies would count is not documented).
 */
import { CLOUDFRONT_QUERY_NAMES, SIGNED_URL_PARAMS } from '../../common/contracts.ts';
import { checkSignedCookies, deny, verifySignedValues, type CookieCheckOptions, type CookieCheckRequest, type CookieCheckResult } from './cookie-check.ts';

interface QueryPart {
  /** As received, for the URL the policy is matched against. */
  raw: string;
  name: string;
  value: string;
}

/** The query's parameters in order; null when one is not valid percent-encoding. */
export function parseQuery(query: string): QueryPart[] | null {
  const parts: QueryPart[] = [];
  for (const raw of query.split('&')) {
    if (raw === '') continue;
    const i = raw.indexOf('=');
    try {
      parts.push({
        raw,
        name: decodeURIComponent(i < 0 ? raw : raw.slice(0, i)),
        value: i < 0 ? '' : decodeURIComponent(raw.slice(i + 1)),
      });
    } catch {
      return null;
    }
  }
  return parts;
}

function splitUrl(url: string): { base: string; query: string } {
  const hash = url.indexOf('#');
  const bare = hash < 0 ? url : url.slice(0, hash);
  const q = bare.indexOf('?');
  return q < 0 ? { base: bare, query: '' } : { base: bare.slice(0, q), query: bare.slice(q + 1) };
}

const SIGNED = new Set<string>(SIGNED_URL_PARAMS);

/** Whether CloudFront takes `url` for a signed URL (and so ignores the cookies). */
export function isSignedUrl(url: string): boolean {
  const { query } = splitUrl(url);
  if (query === '') return false;
  // A malformed query that names a signing parameter is still a signed URL (and then refused).
  const parts = parseQuery(query);
  if (!parts) return SIGNED_URL_PARAMS.some((name) => query.includes(`${name}=`));
  return parts.some((p) => SIGNED.has(p.name));
}

/** Decides, as CloudFront would, whether the signed URL `request.url` opens itself. */
export function checkSignedUrl(request: { url: string; clientIp: string }, options: CookieCheckOptions): CookieCheckResult {
  const { base, query } = splitUrl(request.url);
  const parts = parseQuery(query);
  if (!parts) return deny('bad_encoding', 'the query is not valid percent-encoding');
  const of = (name: string) => parts.filter((p) => p.name === name);
  if (of('Expires').length > 0) {
    return deny('canned_policy', 'a canned-policy URL (Expires): only custom policies are accepted');
  }
  const names = CLOUDFRONT_QUERY_NAMES;
  const problems: string[] = [];
  const single = (name: string): string => {
    const found = of(name);
    if (found.length === 0 || found[0]!.value === '') problems.push(`missing ${name}`);
    else if (found.length > 1) problems.push(`${name} given ${found.length} times`);
    return found[0]?.value ?? '';
  };
  const values = { policy: single(names.policy), signature: single(names.signature), keyPairId: single(names.keyPairId) };
  if (problems.length > 0) return deny('missing_param', problems.join(', '));
  const hashes = of('Hash-Algorithm');
  const hash = hashes.length === 0 ? 'SHA1' : hashes.length === 1 ? hashes[0]!.value : '';
  if (hash !== 'SHA1' && hash !== 'SHA256') return deny('bad_encoding', 'Hash-Algorithm must be SHA1 or SHA256, once');
  // The URL as it would be unsigned: the signing parameters out, the others as they came.
  const own = parts.filter((p) => !SIGNED.has(p.name)).map((p) => p.raw);
  const unsigned = own.length > 0 ? `${base}?${own.join('&')}` : base;
  return verifySignedValues(values, names, { url: unsigned, clientIp: request.clientIp }, options, hash);
}

export type SignedRequestResult = CookieCheckResult & { via: 'query' | 'cookie' };

/** CloudFront's rule for a request that may carry both: a signed URL decides alone, else the cookies. */
export function checkSignedRequest(request: CookieCheckRequest, options: CookieCheckOptions): SignedRequestResult {
  if (isSignedUrl(request.url)) return { ...checkSignedUrl(request, options), via: 'query' };
  return { ...checkSignedCookies(request, options), via: 'cookie' };
}
