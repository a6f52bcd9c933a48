/**
 * A clock and timers the unit tests move by hand (tests only): time that passes while a laptop
 * sleeps, a wall clock that jumps, timers that fire in order.
 */
import type { Clock, Timers } from './refresh-scheduler.ts';

interface Pending {
  id: number;
  at: number;
  fn: () => void;
  every?: number;
}

export class ManualTime implements Clock, Timers {
  mono = 0;
  wallMs = 1_700_000_000_000;
  private nextId = 1;
  private pending: Pending[] = [];

  monotonic(): number {
    return this.mono;
  }

  wall(): number {
    return this.wallMs;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.push({ id, at: this.mono + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending = this.pending.filter((p) => p.id !== handle);
  }

  setInterval(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.push({ id, at: this.mono + ms, fn, every: ms });
    return id;
  }

  clearInterval(handle: unknown): void {
    this.clearTimeout(handle);
  }

  get timerCount(): number {
    return this.pending.length;
  }

  /** Both clocks advance together; timers due on the way fire in order. */
  advance(ms: number): void {
    const end = this.mono + ms;
    for (;;) {
      const next = this.pending.filter((p) => p.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!next) break;
      this.wallMs += next.at - this.mono;
      this.mono = next.at;
      if (next.every) next.at += next.every;
      else this.pending = this.pending.filter((p) => p !== next);
      next.fn();
    }
    this.wallMs += end - this.mono;
    this.mono = end;
  }

  /** A suspended machine: the wall clock moves, the monotonic one and the timers do not. */
  sleep(ms: number): void {
    this.wallMs += ms;
  }
}
