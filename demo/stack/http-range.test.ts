import { describe, expect, it } from 'vitest';
import { decideRange } from './http-range.ts';

describe('decideRange', () => {
  it('answers first-last, open-ended and suffix ranges', () => {
    expect(decideRange('bytes=0-9', 100)).toEqual({ kind: 'partial', start: 0, end: 9 });
    expect(decideRange('bytes=90-200', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(decideRange('bytes=10-', 100)).toEqual({ kind: 'partial', start: 10, end: 99 });
    expect(decideRange('bytes=-10', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(decideRange('bytes=-1000', 100)).toEqual({ kind: 'partial', start: 0, end: 99 });
    expect(decideRange('bytes=99-99', 100)).toEqual({ kind: 'partial', start: 99, end: 99 });
  });

  it('refuses ranges past the end and ranges of empty objects', () => {
    expect(decideRange('bytes=100-', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(decideRange('bytes=100-200', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(decideRange('bytes=-0', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(decideRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(decideRange('bytes=-5', 0)).toEqual({ kind: 'unsatisfiable' });
  });

  it('ignores malformed and multi-range headers (the whole object)', () => {
    for (const header of [undefined, '', 'bytes=', 'bytes=-', 'items=0-1', 'bytes=5-1', 'bytes=0-1,4-5', 'bytes=a-b', 'bytes=0x1-2']) {
      expect(decideRange(header, 100)).toEqual({ kind: 'full' });
    }
  });
});
