/**
 * Query mode's URL rules, pure: the signed query goes on the end of a request URL only after the
 * engine resolved it against the unsigned playlist URL, and comes off again before the engine sees a
 * URL back (a response URL), so a signature never becomes part of a playlist's address, a cache key
 * or a log line, and a refresh simply puts the next query on the next request.
 */
import { SIGNED_URL_PARAMS } from '../common/contracts.ts';

const SIGNED = new Set<string>(SIGNED_URL_PARAMS);

/** `url` without CloudFront's signing parameters (the others stay, in their order). */
export function stripSignedQuery(url: string): string {
  const hash = url.indexOf('#');
  const bare = hash < 0 ? url : url.slice(0, hash);
  const q = bare.indexOf('?');
  if (q < 0) return url;
  const kept = bare
    .slice(q + 1)
    .split('&')
    .filter((part) => part !== '' && !SIGNED.has(decodeName(part)));
  return `${bare.slice(0, q)}${kept.length > 0 ? `?${kept.join('&')}` : ''}${hash < 0 ? '' : url.slice(hash)}`;
}

function decodeName(part: string): string {
  const name = part.split('=', 1)[0]!;
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/** `url` with `query` (`Policy=…&Signature=…&Key-Pair-Id=…`) as its last parameters, any older ones removed. */
export function appendSignedQuery(url: string, query: string): string {
  const clean = stripSignedQuery(url);
  const hash = clean.indexOf('#');
  const bare = hash < 0 ? clean : clean.slice(0, hash);
  return `${bare}${bare.includes('?') ? '&' : '?'}${query}`;
}

/** Whether `url` carries a signing parameter (for tests and for the auto-switch's evidence). */
export function hasSignedQuery(url: string): boolean {
  return stripSignedQuery(url) !== url;
}
