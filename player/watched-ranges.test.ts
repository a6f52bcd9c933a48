import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { addRange, assess, normalize, percent, total, type Range } from './watched-ranges.ts';

/** The vectors PHP's watched_ranges also passes (moodle-filter/tests/core/WatchedRangesTest.php). */
const vectors = JSON.parse(
  readFileSync(new URL('../moodle-filter/tests/fixtures/watched-ranges.json', import.meta.url), 'utf8'),
) as {
  normalize: { name: string; ranges: number[][]; duration: number | null; expect: Range[] }[];
  total: { name: string; ranges: Range[]; expect: number }[];
  assess: { name: string; stored: Range[]; reported: Range[]; duration: number; elapsed: number; expect: unknown }[];
  percent: { name: string; ranges: Range[]; duration: number; expect: number }[];
};

describe('watched ranges: shared vectors', () => {
  it.each(vectors.normalize.map((v) => [v.name, v] as const))('normalize: %s', (_name, v) => {
    expect(normalize(v.ranges, v.duration ?? undefined)).toEqual(v.expect);
  });
  it.each(vectors.total.map((v) => [v.name, v] as const))('total: %s', (_name, v) => {
    expect(total(v.ranges)).toBe(v.expect);
  });
  it.each(vectors.assess.map((v) => [v.name, v] as const))('assess: %s', (_name, v) => {
    expect(assess(v.stored, v.reported, v.duration, v.elapsed)).toEqual(v.expect);
  });
  it.each(vectors.percent.map((v) => [v.name, v] as const))('percent: %s', (_name, v) => {
    expect(percent(v.ranges, v.duration)).toBe(v.expect);
  });
});

describe('watched ranges', () => {
  it('grows one range from a stream of timeupdate samples', () => {
    let ranges: Range[] = [];
    for (let t = 0; t < 40; t += 0.25) ranges = addRange(ranges, t, t + 0.25, 600);
    expect(ranges).toEqual([[0, 40]]);
    expect(total(ranges)).toBe(40);
  });

  it('is order-independent and idempotent', () => {
    const parts: Range[] = [[30, 45], [0, 10], [9, 31], [100, 110]];
    const once = normalize(parts, 600);
    expect(normalize([...parts].reverse(), 600)).toEqual(once);
    expect(normalize([...once, ...once], 600)).toEqual(once);
    expect(once).toEqual([[0, 45], [100, 110]]);
  });

  it('drops non-finite values', () => {
    expect(normalize([[Number.NaN, 3], [0, Number.POSITIVE_INFINITY], [1, 2]], 600)).toEqual([[1, 2]]);
  });
});
