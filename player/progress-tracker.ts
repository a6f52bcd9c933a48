/**
 * Records the stretches of a video that were actually played and reports them, engine-neutral: it
 * listens to an HTMLMediaElement (or anything with the same few properties and events), so video.js
 * and hls.js players use it alike.
 *
 * What counts: media time that advanced in step with the wall clock while the media was playing at a
 * normal rate (`minRate`–`maxRate`, 0.5–2× by default), the page was visible, and it was not a muted
 * autoplay: a first playback that starts muted because the page autoplays it (the `autoplay` option,
 * or the media's `autoplay` attribute: video.js's `autoplay: 'muted'` calls `play()` without the
 * attribute, so the page must say so), or any muted start the browser reports without a user
 * gesture (`navigator.userActivation`), until the viewer unmutes. A seek is never counted (the jump is larger than the wall time allows, and `seeking`
 * resets the sample).
 *
 * When: a `start` report on the first `playing` (the server logs "video viewed"), then every
 * `intervalMs` (30 s) when something changed, on pause and end, and with `keepalive` when the page is
 * hidden (`visibilitychange`), left (`pagehide`) or the tracker is disposed. Every report carries the
 * whole set of ranges recorded since the tracker started and a sequence number, so a retried or
 * reordered report cannot inflate what is stored (the server merges ranges) nor move the position
 * back (the server ignores a lower sequence number of the same session).
 */
import { systemClock, systemTimers, type Clock, type PageSignals, type Timers } from './refresh-scheduler.ts';
import { addRange, total, type Range } from './watched-ranges.ts';

/** The part of HTMLMediaElement the tracker reads. */
export interface MediaLike extends Pick<EventTarget, 'addEventListener' | 'removeEventListener'> {
  readonly currentTime: number;
  readonly duration: number;
  readonly paused: boolean;
  readonly playbackRate: number;
  readonly muted: boolean;
  readonly autoplay: boolean;
}

export type ReportReason = 'start' | 'interval' | 'pause' | 'ended' | 'hidden' | 'pagehide' | 'dispose';

export interface ProgressReport {
  /** Random per tracker: one page's viewing. */
  session: string;
  /** Grows with every report of the session. */
  seq: number;
  /** Everything played since the tracker started, merged. */
  ranges: Range[];
  /** Current media time, seconds. */
  position: number;
  /** Media duration, seconds; 0 while unknown. */
  duration: number;
  /** True for the report of the first `playing`. */
  started: boolean;
  reason: ReportReason;
}

export interface SendOptions {
  /** The page is going away: the request must outlive it (fetch `keepalive`). */
  keepalive: boolean;
}

export interface ProgressTrackerOptions {
  media: MediaLike;
  /** Delivers a report; a rejection leaves the data to the next report. */
  send: (report: ProgressReport, options: SendOptions) => Promise<unknown>;
  signals?: PageSignals & { document?: { visibilityState?: string } };
  clock?: Clock;
  timers?: Timers;
  /** Period of the regular report. */
  intervalMs?: number;
  /** Playback rates outside [minRate, maxRate] are not counted. */
  minRate?: number;
  maxRate?: number;
  /** A report that failed, for the page's log. */
  onError?: (error: unknown, report: ProgressReport) => void;
  session?: string;
  /** Whether the page has a transient user activation now; undefined where the browser cannot say. */
  userActivation?: () => boolean | undefined;
  /** The page starts this player by itself (muted autoplay is then not watching until unmuted). */
  autoplay?: boolean;
}

const browserActivation = (): boolean | undefined =>
  (globalThis.navigator as (Navigator & { userActivation?: { isActive: boolean } }) | undefined)?.userActivation?.isActive;

export const DEFAULT_INTERVAL_MS = 30_000;
export const DEFAULT_MIN_RATE = 0.5;
export const DEFAULT_MAX_RATE = 2;
/** Media time may run this much ahead of rate × wall time between two samples (event jitter). */
const SAMPLE_TOLERANCE_S = 0.5;
/** A position change smaller than this alone is not worth a report. */
const POSITION_STEP_S = 1;

const MEDIA_EVENTS = ['play', 'timeupdate', 'playing', 'pause', 'seeking', 'seeked', 'ratechange', 'ended', 'volumechange'] as const;

function randomSession(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class ProgressTracker {
  readonly session: string;
  private readonly media: MediaLike;
  private readonly send: ProgressTrackerOptions['send'];
  private readonly signals: NonNullable<ProgressTrackerOptions['signals']>;
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly minRate: number;
  private readonly maxRate: number;
  private readonly onError: ProgressTrackerOptions['onError'];
  private readonly userActivation: () => boolean | undefined;
  private mutedAutoplay = false;
  private readonly autoplay: boolean;
  private playedOnce = false;
  private ranges: Range[] = [];
  private last: { media: number; wall: number } | null = null;
  private counting = false;
  private seq = 0;
  private started = false;
  private startSent = false;
  private sentWatched = 0;
  private sentPosition = -1;
  private inFlight = false;
  private pending: ReportReason | null = null;
  private interval: unknown;
  private disposed = false;

  constructor(options: ProgressTrackerOptions) {
    if (!options || typeof options.send !== 'function') throw new TypeError('ProgressTracker: send must be a function');
    if (!options.media || typeof options.media.addEventListener !== 'function') {
      throw new TypeError('ProgressTracker: media must be a media element');
    }
    this.media = options.media;
    this.send = options.send;
    this.signals = options.signals ?? {};
    this.clock = options.clock ?? systemClock;
    this.timers = options.timers ?? systemTimers;
    this.minRate = options.minRate ?? DEFAULT_MIN_RATE;
    this.maxRate = options.maxRate ?? DEFAULT_MAX_RATE;
    if (!(this.minRate > 0 && this.maxRate >= this.minRate)) {
      throw new RangeError('ProgressTracker: minRate and maxRate must satisfy 0 < minRate <= maxRate');
    }
    const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    if (!(intervalMs >= 1000)) throw new RangeError('ProgressTracker: intervalMs must be at least 1000');
    this.onError = options.onError;
    this.userActivation = options.userActivation ?? browserActivation;
    this.autoplay = options.autoplay === true;
    this.session = options.session ?? randomSession();
    // Attached to media that already plays (an autoplay that started before the player called us).
    if (!this.media.paused) this.mutedAutoplay = this.startsMutedAutoplay();
    for (const type of MEDIA_EVENTS) this.media.addEventListener(type, this.onMedia);
    this.signals.document?.addEventListener('visibilitychange', this.onVisibility);
    this.signals.window?.addEventListener('pagehide', this.onPageHide);
    this.interval = this.timers.setInterval(() => this.report('interval'), intervalMs);
  }

  /** Everything counted so far, merged. */
  watchedRanges(): Range[] {
    return this.ranges.map((r) => [r[0], r[1]] as const);
  }

  /** Seconds counted so far. */
  watchedSeconds(): number {
    return total(this.ranges);
  }

  /** Reports now if anything changed (e.g. before the page navigates on its own). */
  flush(keepalive = false): void {
    this.sample();
    this.report(keepalive ? 'pagehide' : 'interval');
  }

  dispose(): void {
    if (this.disposed) return;
    this.sample();
    this.report('dispose');
    this.disposed = true;
    for (const type of MEDIA_EVENTS) this.media.removeEventListener(type, this.onMedia);
    this.signals.document?.removeEventListener('visibilitychange', this.onVisibility);
    this.signals.window?.removeEventListener('pagehide', this.onPageHide);
    this.timers.clearInterval(this.interval);
  }

  /** Playback starting now, muted, by the page's autoplay or with no gesture of the viewer behind it. */
  private startsMutedAutoplay(): boolean {
    const first = !this.playedOnce;
    this.playedOnce = true;
    if (!this.media.muted) return false;
    return (first && (this.autoplay || this.media.autoplay)) || this.userActivation() === false;
  }

  private eligible(): boolean {
    const m = this.media;
    const visible = (this.signals.document?.visibilityState ?? 'visible') === 'visible';
    const rate = m.playbackRate;
    return !m.paused && visible && rate >= this.minRate && rate <= this.maxRate && !this.mutedAutoplay;
  }

  /** Counts the stretch since the previous sample if it was played in step, then starts a new one. */
  private sample(): void {
    const now = this.media.currentTime;
    const wall = this.clock.monotonic();
    if (this.counting && this.last && Number.isFinite(now)) {
      const delta = now - this.last.media;
      const wallSeconds = (wall - this.last.wall) / 1000;
      if (delta > 0 && delta <= wallSeconds * this.maxRate + SAMPLE_TOLERANCE_S) {
        this.ranges = addRange(this.ranges, this.last.media, now, this.duration() || undefined);
      }
    }
    this.counting = this.eligible();
    this.last = this.counting && Number.isFinite(now) ? { media: now, wall } : null;
  }

  private duration(): number {
    const d = this.media.duration;
    return Number.isFinite(d) && d > 0 ? d : 0;
  }

  private readonly onMedia = (event: Event): void => {
    if (this.disposed) return;
    switch (event.type) {
      case 'play':
        this.mutedAutoplay = this.startsMutedAutoplay();
        this.sample();
        return;
      case 'volumechange':
        // Cleared first: sample() judges the stretch behind it by the state it started with.
        if (!this.media.muted) this.mutedAutoplay = false;
        this.sample();
        return;
      case 'seeking':
        // currentTime already is the target: the jump is not watching.
        this.last = null;
        this.counting = false;
        return;
      case 'playing':
        this.sample();
        if (!this.started) {
          this.started = true;
          this.report('start');
        }
        return;
      case 'pause':
        this.sample();
        this.report('pause');
        return;
      case 'ended':
        this.sample();
        this.report('ended');
        return;
      default:
        this.sample();
    }
  };

  private readonly onVisibility = (): void => {
    if (this.disposed) return;
    this.sample();
    if (this.signals.document?.visibilityState === 'hidden') this.report('hidden');
  };

  private readonly onPageHide = (): void => {
    if (this.disposed) return;
    this.sample();
    this.report('pagehide');
  };

  private report(reason: ReportReason): void {
    if (this.disposed || !this.started) return;
    const keepalive = reason === 'hidden' || reason === 'pagehide' || reason === 'dispose';
    if (reason === 'interval') this.sample();
    const watched = total(this.ranges);
    const position = Number.isFinite(this.media.currentTime) ? Math.max(0, this.media.currentTime) : 0;
    const isStart = reason === 'start' || !this.startSent;
    const changed = watched !== this.sentWatched || Math.abs(position - this.sentPosition) >= POSITION_STEP_S;
    if (!isStart && !changed) return;
    if (this.inFlight && !keepalive) {
      this.pending = reason;
      return;
    }
    const report: ProgressReport = {
      session: this.session,
      seq: ++this.seq,
      ranges: this.watchedRanges(),
      position: Math.round(position * 1000) / 1000,
      duration: this.duration(),
      started: isStart,
      reason,
    };
    this.inFlight = true;
    let result: Promise<unknown>;
    try {
      result = Promise.resolve(this.send(report, { keepalive }));
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(
      () => {
        if (report.started) this.startSent = true;
        this.sentWatched = Math.max(this.sentWatched, total(report.ranges));
        this.sentPosition = report.position;
      },
      (error: unknown) => this.onError?.(error, report),
    ).finally(() => {
      this.inFlight = false;
      const next = this.pending;
      this.pending = null;
      if (next && !this.disposed) this.report(next);
    });
  }
}
