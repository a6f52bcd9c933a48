import { describe, expect, it } from 'vitest';
import { clock } from './control-bar.ts';

describe('clock', () => {
  it('reads as players do: m:ss, h:mm:ss past an hour, 0:00 for nothing', () => {
    expect(clock(0)).toBe('0:00');
    expect(clock(65.9)).toBe('1:05');
    expect(clock(3723)).toBe('1:02:03');
    expect(clock(Number.NaN)).toBe('0:00');
    expect(clock(Number.POSITIVE_INFINITY)).toBe('0:00');
  });
});
