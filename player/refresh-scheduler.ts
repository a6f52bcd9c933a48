/**
 * When to refresh the cookies. Every time is measured from the moment the server's answer arrived,
 * using the durations in that answer (`refreshIn`, `expiresAt - serverTime`), never by comparing
 * the server's epoch seconds with the client's clock, which may be minutes off.
 *
 * A laptop that sleeps stops the monotonic clock on some systems and delays every timer, so elapsed
 * time is the larger of the monotonic and the wall-clock reading, and a ticking timer that notices a
 * big wall-clock jump (the machine woke up) checks at once whether a refresh is due, as do the page
 * becoming visible and the network coming back.
 */
import type { SessionResponse } from '../common/contracts.ts';

export interface Clock {
  /** Monotonic milliseconds (performance.now()). */
  monotonic(): number;
  /** Wall-clock milliseconds (Date.now()); only its differences are used. */
  wall(): number;
}

export const systemClock: Clock = {
  monotonic: () => performance.now(),
  wall: () => Date.now(),
};

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const systemTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
  setInterval: (fn, ms) => globalThis.setInterval(fn, ms),
  clearInterval: (h) => globalThis.clearInterval(h as ReturnType<typeof setInterval>),
};

/** A session answer pinned to the local moment it arrived. */
export interface SessionTiming {
  receivedMono: number;
  receivedWall: number;
  /** When to refresh, after arrival. */
  refreshAfterMs: number;
  /** How long the cookies live, after arrival (`expiresAt - serverTime`). */
  lifetimeMs: number;
}

/**
 * The delay before refreshing: the server's `refreshIn`, but no later than `marginSeconds` before the
 * cookies expire, and never sooner than half the lifetime (a margin larger than a short lifetime
 * must not turn into a refresh loop), nor under one second.
 */
export function refreshDelaySeconds(answer: SessionResponse, marginSeconds: number): number {
  const lifetime = Math.max(0, answer.expiresAt - answer.serverTime);
  const refreshIn = Math.max(0, answer.refreshIn);
  const byMargin = lifetime - marginSeconds;
  return Math.max(Math.min(refreshIn, byMargin), Math.min(refreshIn, lifetime) / 2, 1);
}

export function sessionTiming(answer: SessionResponse, marginSeconds: number, clock: Clock): SessionTiming {
  return {
    receivedMono: clock.monotonic(),
    receivedWall: clock.wall(),
    refreshAfterMs: refreshDelaySeconds(answer, marginSeconds) * 1000,
    lifetimeMs: Math.max(0, answer.expiresAt - answer.serverTime) * 1000,
  };
}

/** Time since the answer arrived: the larger reading, so neither a stopped monotonic clock nor a wall clock set back hides a due refresh. */
export function elapsedMs(timing: SessionTiming, clock: Clock): number {
  return Math.max(clock.monotonic() - timing.receivedMono, clock.wall() - timing.receivedWall, 0);
}

export function isRefreshDue(timing: SessionTiming, clock: Clock): boolean {
  return elapsedMs(timing, clock) >= timing.refreshAfterMs;
}

/** Milliseconds until the cookies expire (negative once they have). */
export function remainingLifetimeMs(timing: SessionTiming, clock: Clock): number {
  return timing.lifetimeMs - elapsedMs(timing, clock);
}

export type DueReason = 'scheduled' | 'visible' | 'online' | 'wake' | 'retry';

/** The bits of `document`/`window` the scheduler listens to; absent outside a browser. */
export interface PageSignals {
  document?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> & { visibilityState?: string };
  window?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;
}

export interface RefreshSchedulerOptions {
  clock?: Clock;
  timers?: Timers;
  signals?: PageSignals;
  /** Called when a refresh is due (never twice at once: the caller reschedules when done). */
  onDue: (reason: DueReason) => void;
  /** Called when the wake detector noticed a jump, before any refresh. */
  onWake?: (jumpMs: number) => void;
  /** Period of the wake detector. */
  wakeTickMs?: number;
  /** A tick arriving this much later than expected counts as a wake-up. */
  wakeJumpMs?: number;
}

export class RefreshScheduler {
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly signals: PageSignals;
  private readonly onDue: (reason: DueReason) => void;
  private readonly onWake: ((jumpMs: number) => void) | undefined;
  private readonly wakeTickMs: number;
  private readonly wakeJumpMs: number;
  private timing: SessionTiming | undefined;
  private timer: unknown;
  private retryTimer: unknown;
  private ticker: unknown;
  private lastTickWall = 0;
  private paused = false;
  private disposed = false;

  constructor(options: RefreshSchedulerOptions) {
    this.clock = options.clock ?? systemClock;
    this.timers = options.timers ?? systemTimers;
    this.signals = options.signals ?? {};
    this.onDue = options.onDue;
    this.onWake = options.onWake;
    this.wakeTickMs = options.wakeTickMs ?? 5_000;
    this.wakeJumpMs = options.wakeJumpMs ?? 10_000;
    this.signals.document?.addEventListener('visibilitychange', this.onVisibility);
    this.signals.window?.addEventListener('online', this.onOnline);
    this.lastTickWall = this.clock.wall();
    this.ticker = this.timers.setInterval(this.onTick, this.wakeTickMs);
  }

  /** Plans the next refresh from a fresh answer. */
  schedule(timing: SessionTiming): void {
    if (this.disposed) return;
    this.timing = timing;
    this.paused = false;
    this.clearTimers();
    const wait = Math.max(0, timing.refreshAfterMs - elapsedMs(timing, this.clock));
    this.timer = this.timers.setTimeout(() => this.fire('scheduled'), wait);
  }

  /** Plans a retry after a failed refresh; a due signal (visible, online, wake) may come sooner. */
  retryIn(ms: number): void {
    if (this.disposed) return;
    this.paused = false;
    this.clearTimers();
    this.retryTimer = this.timers.setTimeout(() => this.fire('retry'), ms);
  }

  /** While a refresh runs, due signals are ignored; `schedule` or `retryIn` resumes. */
  pause(): void {
    this.paused = true;
    this.clearTimers();
  }

  /** Refreshes at once if the current session is due. */
  checkDue(reason: DueReason): void {
    if (this.disposed || this.paused || !this.timing) return;
    if (this.retryTimer !== undefined || isRefreshDue(this.timing, this.clock)) this.fire(reason);
  }

  get current(): SessionTiming | undefined {
    return this.timing;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.clearTimers();
    this.timers.clearInterval(this.ticker);
    this.signals.document?.removeEventListener('visibilitychange', this.onVisibility);
    this.signals.window?.removeEventListener('online', this.onOnline);
  }

  private fire(reason: DueReason): void {
    if (this.disposed || this.paused) return;
    this.pause();
    this.onDue(reason);
  }

  private clearTimers(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    if (this.retryTimer !== undefined) this.timers.clearTimeout(this.retryTimer);
    this.timer = undefined;
    this.retryTimer = undefined;
  }

  private readonly onVisibility = (): void => {
    if (this.signals.document?.visibilityState === 'visible') this.checkDue('visible');
  };

  private readonly onOnline = (): void => this.checkDue('online');

  private readonly onTick = (): void => {
    const now = this.clock.wall();
    const jump = now - this.lastTickWall - this.wakeTickMs;
    this.lastTickWall = now;
    if (jump >= this.wakeJumpMs) {
      this.onWake?.(jump);
      this.checkDue('wake');
    }
  };
}
