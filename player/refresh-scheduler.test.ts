import { describe, expect, it } from 'vitest';
import { RefreshScheduler, isRefreshDue, refreshDelaySeconds, remainingLifetimeMs, sessionTiming, type DueReason } from './refresh-scheduler.ts';
import { ManualTime } from './test-clock.ts';

const answer = (lifetime: number, refreshIn: number, serverTime = 1_000_000) => ({
  resource: 'http://localhost:8787/lectures/abcdefghijklmnop/*',
  serverTime,
  expiresAt: serverTime + lifetime,
  refreshIn,
});

describe('refreshDelaySeconds', () => {
  it('uses the server refreshIn when it leaves the margin', () => {
    expect(refreshDelaySeconds(answer(600, 480), 30)).toBe(480);
  });
  it('refreshes by the margin before expiry when refreshIn is later', () => {
    expect(refreshDelaySeconds(answer(600, 590), 30)).toBe(570);
  });
  it('never below half the lifetime, so a margin above a short lifetime does not loop', () => {
    expect(refreshDelaySeconds(answer(20, 15), 30)).toBe(7.5);
    expect(refreshDelaySeconds(answer(20, 15), 10)).toBe(10);
  });
  it('never below one second', () => {
    expect(refreshDelaySeconds(answer(0, 0), 10)).toBe(1);
  });
  it('depends on the answer durations only, not on the client clock', () => {
    // A client clock hours off changes nothing: serverTime and expiresAt are only subtracted.
    expect(refreshDelaySeconds(answer(60, 45, 5), 10)).toBe(refreshDelaySeconds(answer(60, 45, 9_999_999), 10));
  });
});

describe('session timing', () => {
  it('counts elapsed time by the larger clock, so sleep and clock changes cannot hide a due refresh', () => {
    const time = new ManualTime();
    const timing = sessionTiming(answer(60, 45), 10, time);
    expect(isRefreshDue(timing, time)).toBe(false);
    time.sleep(50_000); // the monotonic clock stood still
    expect(isRefreshDue(timing, time)).toBe(true);
    expect(remainingLifetimeMs(timing, time)).toBe(10_000);
    const t2 = sessionTiming(answer(60, 45), 10, time);
    time.wallMs -= 3_600_000; // clock set back an hour
    time.mono += 46_000;
    expect(isRefreshDue(t2, time)).toBe(true);
  });
});

describe('RefreshScheduler', () => {
  function setup() {
    const time = new ManualTime();
    const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' });
    const win = new EventTarget();
    const due: DueReason[] = [];
    const wakes: number[] = [];
    const scheduler = new RefreshScheduler({
      clock: time,
      timers: time,
      signals: { document: doc, window: win },
      onDue: (reason) => due.push(reason),
      onWake: (jump) => wakes.push(jump),
      wakeTickMs: 5_000,
      wakeJumpMs: 10_000,
    });
    return { time, doc, win, due, wakes, scheduler };
  }

  it('fires once at the planned time and waits for the next schedule', () => {
    const { time, due, scheduler } = setup();
    scheduler.schedule(sessionTiming(answer(20, 15), 5, time));
    time.advance(14_999);
    expect(due).toEqual([]);
    time.advance(1);
    expect(due).toEqual(['scheduled']);
    time.advance(60_000);
    expect(due).toEqual(['scheduled']);
    scheduler.dispose();
  });

  it('refreshes at once when the page becomes visible or the network returns after the due time', () => {
    const { time, doc, win, due, scheduler } = setup();
    scheduler.schedule(sessionTiming(answer(60, 45), 10, time));
    doc.dispatchEvent(new Event('visibilitychange'));
    win.dispatchEvent(new Event('online'));
    expect(due).toEqual([]); // not due yet
    time.sleep(46_000); // hidden tab, timers throttled: the timer has not fired
    win.dispatchEvent(new Event('online'));
    expect(due).toEqual(['online']);
    scheduler.schedule(sessionTiming(answer(60, 45), 10, time));
    time.sleep(46_000);
    doc.visibilityState = 'hidden';
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(due).toEqual(['online']);
    doc.visibilityState = 'visible';
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(due).toEqual(['online', 'visible']);
    scheduler.dispose();
  });

  it('notices a wake-up by the jump of the wall clock between ticks', () => {
    const { time, due, wakes, scheduler } = setup();
    scheduler.schedule(sessionTiming(answer(600, 480), 30, time));
    time.advance(4_000);
    time.sleep(3_600_000); // an hour asleep; the monotonic clock and timers stood still
    time.advance(1_000); // the next tick runs on waking
    expect(wakes).toHaveLength(1);
    expect(wakes[0]).toBeGreaterThanOrEqual(3_600_000);
    expect(due).toEqual(['wake']);
    scheduler.dispose();
  });

  it('a short nap before the due time is a wake-up but not a refresh', () => {
    const { time, due, wakes, scheduler } = setup();
    scheduler.schedule(sessionTiming(answer(600, 480), 30, time));
    time.advance(4_000);
    time.sleep(60_000);
    time.advance(1_000);
    expect(wakes).toHaveLength(1);
    expect(due).toEqual([]);
    scheduler.dispose();
  });

  it('after a failure, a due signal tries again at once instead of waiting for the retry timer', () => {
    const { time, win, due, scheduler } = setup();
    scheduler.schedule(sessionTiming(answer(60, 45), 10, time));
    time.advance(45_000);
    expect(due).toEqual(['scheduled']);
    scheduler.retryIn(8_000);
    win.dispatchEvent(new Event('online'));
    expect(due).toEqual(['scheduled', 'online']);
    scheduler.retryIn(8_000);
    time.advance(8_000);
    expect(due).toEqual(['scheduled', 'online', 'retry']);
    scheduler.dispose();
  });

  it('dispose leaves no timer and no listener', () => {
    const { time, doc, win, due, scheduler } = setup();
    scheduler.schedule(sessionTiming(answer(60, 45), 10, time));
    expect(time.timerCount).toBe(2); // the refresh timer and the wake ticker
    scheduler.dispose();
    expect(time.timerCount).toBe(0);
    time.sleep(100_000);
    doc.dispatchEvent(new Event('visibilitychange'));
    win.dispatchEvent(new Event('online'));
    time.advance(100_000);
    expect(due).toEqual([]);
  });
});
