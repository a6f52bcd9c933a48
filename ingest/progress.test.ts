import { describe, expect, it } from 'vitest';
import { ProgressParser, createProgressReporter, estimateRemaining, formatBytes, formatDuration, renderBar } from './progress.ts';

describe('ProgressParser', () => {
  it('emits one snapshot per block, across chunk boundaries', () => {
    const parser = new ProgressParser(10);
    expect(parser.push('frame=1\nout_time_us=2500')).toEqual([]);
    const [first] = parser.push('000\nspeed=2.5x\nprogress=continue\nout_time_us=N/A\n');
    expect(first).toEqual({ outTimeSeconds: 2.5, fraction: 0.25, speed: 2.5, done: false });
    const [second] = parser.push('speed=N/A\nprogress=continue\n');
    expect(second).toEqual({ outTimeSeconds: 0, fraction: 0, speed: null, done: false });
    const [last] = parser.push('out_time_us=9990000\nspeed= 3.1x\nprogress=end\n');
    expect(last).toEqual({ outTimeSeconds: 9.99, fraction: 1, speed: 3.1, done: true });
  });

  it('never reports more than 100 %', () => {
    const parser = new ProgressParser(4);
    expect(parser.push('out_time_us=5000000\nprogress=continue\n')[0]!.fraction).toBe(1);
  });
});

describe('formatting', () => {
  it('estimates the time left from the rate so far', () => {
    expect(estimateRemaining(0.25, 10)).toBe(30);
    expect(estimateRemaining(0, 10)).toBeNull();
    expect(estimateRemaining(1, 10)).toBe(0);
    expect(formatDuration(65)).toBe('1:05');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(null)).toBe('--:--');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_500_000)).toBe('1.5 MB');
    expect(renderBar('x', 0.5, 10, 'ETA 0:01')).toBe('x [#####.....]  50%  ETA 0:01');
  });

  it('writes plain lines when stderr is not a terminal, a redrawn bar when it is', () => {
    const out: string[] = [];
    let t = 0;
    const stream = { isTTY: false, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream;
    const report = createProgressReporter({ stream, now: () => t, intervalMs: 1000 });
    report({ phase: 'upload', fraction: 0.1, bytesDone: 100, bytesTotal: 1000, objectsDone: 1, objectsTotal: 10 });
    t = 500;
    report({ phase: 'upload', fraction: 0.2, bytesDone: 200, bytesTotal: 1000, objectsDone: 2, objectsTotal: 10 });
    t = 2000;
    report({ phase: 'upload', fraction: 0.5, bytesDone: 500, bytesTotal: 1000, objectsDone: 5, objectsTotal: 10 });
    expect(out).toHaveLength(2);
    expect(out[1]).toMatch(/5\/10 objects .* 250 B\/s +ETA 0:02\n$/);
    const tty: string[] = [];
    const bar = createProgressReporter({ stream: { isTTY: true, write: (s: string) => tty.push(s) } as unknown as NodeJS.WriteStream, now: () => 0 });
    bar({ phase: 'transcode', fraction: 1, outTimeSeconds: 1, speed: 2 });
    bar.finish();
    expect(tty[0]).toMatch(/^\r.*100%.*\x1b\[K$/);
    expect(tty[1]).toBe('\n');
  });
});
