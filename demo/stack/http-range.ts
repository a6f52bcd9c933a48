/** Byte ranges as S3 and CloudFront answer them: one range per request, RFC 9110 semantics. */

export type RangeDecision =
  /** No usable Range header: answer 200 with the whole object. */
  | { kind: 'full' }
  /** Answer 206 with bytes `start`…`end` inclusive. */
  | { kind: 'partial'; start: number; end: number }
  /** Answer 416 with `Content-Range: bytes *\/size`. */
  | { kind: 'unsatisfiable' };

/**
 * Decides how to answer `Range: header` for an object of `size` bytes. A malformed header or a
 * multi-range request is ignored (whole object), as S3 does; a range that starts past the end, or
 * any range of an empty object, is unsatisfiable.
 */
export function decideRange(header: string | undefined, size: number): RangeDecision {
  if (header === undefined) return { kind: 'full' };
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return { kind: 'full' };
  const [, first, last] = match;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Number(last);
  if (last !== '' && end < start) return { kind: 'full' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end: Math.min(end, size - 1) };
}
