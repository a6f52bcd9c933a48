import { describe, expect, it } from 'vitest';
import { ProgressTracker, type ProgressReport, type SendOptions } from './progress-tracker.ts';
import { formatTime, resumeLabel, shouldOfferResume } from './resume-offer.ts';
import { ManualTime } from './test-clock.ts';

/** The media element's side of the contract, moved by hand: what a browser does while playing. */
class Media extends EventTarget {
  currentTime = 0;
  duration = 600;
  paused = true;
  playbackRate = 1;
  muted = false;
  autoplay = false;

  constructor(private readonly time: ManualTime) {
    super();
  }

  fire(type: string): void {
    this.dispatchEvent(new Event(type));
  }

  play(): void {
    this.paused = false;
    this.fire('play');
    this.fire('playing');
  }

  pause(): void {
    this.paused = true;
    this.fire('pause');
  }

  /** Plays `seconds` of wall time, with a timeupdate every 250 ms, as browsers do. */
  run(seconds: number): void {
    for (let i = 0; i < seconds * 4; i++) {
      this.time.advance(250);
      if (!this.paused) this.currentTime = Math.min(this.duration, this.currentTime + 0.25 * this.playbackRate);
      this.fire('timeupdate');
    }
  }

  seek(to: number): void {
    this.fire('seeking');
    this.currentTime = to;
    this.fire('seeked');
    this.fire('timeupdate');
  }
}

class Page extends EventTarget {
  visibilityState = 'visible';
  hide(): void {
    this.visibilityState = 'hidden';
    this.dispatchEvent(new Event('visibilitychange'));
  }
  show(): void {
    this.visibilityState = 'visible';
    this.dispatchEvent(new Event('visibilitychange'));
  }
}

function setup(send?: (r: ProgressReport, o: SendOptions) => Promise<unknown>, onError?: (e: unknown) => void,
  userActivation?: () => boolean | undefined) {
  const time = new ManualTime();
  const media = new Media(time);
  const page = new Page();
  const win = new EventTarget();
  const sent: { report: ProgressReport; keepalive: boolean }[] = [];
  const tracker = new ProgressTracker({
    media,
    clock: time,
    timers: time,
    signals: { document: page, window: win },
    onError,
    ...(userActivation ? { userActivation } : {}),
    send: (report, options) => {
      sent.push({ report, keepalive: options.keepalive });
      return send ? send(report, options) : Promise.resolve();
    },
  });
  return { time, media, page, win, sent, tracker };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('ProgressTracker', () => {
  it('counts 40 s of normal playback, reports at start, every 30 s and on pause', async () => {
    const { media, sent, tracker } = setup();
    media.play();
    await settle();
    expect(sent.map((s) => s.report.reason)).toEqual(['start']);
    expect(sent[0]!.report.started).toBe(true);
    media.run(40);
    await settle();
    media.pause();
    await settle();
    expect(tracker.watchedRanges()).toEqual([[0, 40]]);
    expect(sent.map((s) => s.report.reason)).toEqual(['start', 'interval', 'pause']);
    const last = sent[2]!.report;
    expect(last).toMatchObject({ ranges: [[0, 40]], position: 40, duration: 600, started: false, seq: 3 });
    expect(sent.every((s) => s.report.session === tracker.session)).toBe(true);
    tracker.dispose();
  });

  it('does not count a seek, and counts rewatching once', async () => {
    const { media, tracker } = setup();
    media.play();
    media.run(10);
    media.seek(590);
    media.run(20); // plays to the end (600) and stays there
    media.seek(0);
    media.run(10);
    expect(tracker.watchedRanges()).toEqual([[0, 10], [590, 600]]);
    expect(tracker.watchedSeconds()).toBe(20);
    tracker.dispose();
  });

  it('counts 0.5–2×, not 4× nor 0.25×', () => {
    const { media, tracker } = setup();
    media.play();
    media.playbackRate = 2;
    media.fire('ratechange');
    media.run(10); // 0 → 20
    media.playbackRate = 4;
    media.fire('ratechange');
    media.run(5); // 20 → 40, not counted
    media.playbackRate = 0.25;
    media.fire('ratechange');
    media.run(4); // 40 → 41, not counted
    media.playbackRate = 0.5;
    media.fire('ratechange');
    media.run(4); // 41 → 43
    expect(tracker.watchedRanges()).toEqual([[0, 20], [41, 43]]);
    tracker.dispose();
  });

  it('does not count while the page is hidden, and reports with keepalive when it goes', async () => {
    const { media, page, win, sent, tracker } = setup();
    media.play();
    media.run(5);
    page.hide();
    await settle();
    media.run(10); // background playback: not watching
    page.show();
    media.run(5);
    win.dispatchEvent(new Event('pagehide'));
    await settle();
    expect(tracker.watchedRanges()).toEqual([[0, 5], [15, 20]]);
    const hidden = sent.filter((s) => s.keepalive).map((s) => s.report.reason);
    expect(hidden).toEqual(['hidden', 'pagehide']);
    tracker.dispose();
  });

  it('does not count a muted autoplay, but does count muted playback the viewer chose', () => {
    const { media, tracker } = setup();
    media.autoplay = true;
    media.muted = true;
    media.play();
    media.run(10);
    expect(tracker.watchedSeconds()).toBe(0);
    media.muted = false;
    media.fire('volumechange');
    media.run(10);
    media.autoplay = false;
    media.muted = true;
    media.fire('volumechange');
    media.run(10);
    expect(tracker.watchedRanges()).toEqual([[10, 30]]);
    tracker.dispose();
  });

  it('the page saying it autoplays makes a muted first play an autoplay (video.js sets no attribute)', () => {
    const time = new ManualTime();
    const media = new Media(time);
    const tracker = new ProgressTracker({ media, clock: time, timers: time, autoplay: true, userActivation: () => true,
      send: async () => {} });
    media.muted = true;
    media.play();
    media.run(5);
    expect(tracker.watchedSeconds()).toBe(0);
    media.muted = false;
    media.fire('volumechange');
    media.run(5);
    expect(tracker.watchedRanges()).toEqual([[5, 10]]);
    tracker.dispose();
  });

  it('a muted play() the browser reports without a gesture is an autoplay', () => {
    let gesture = false;
    const { media, tracker } = setup(undefined, undefined, () => gesture);
    media.muted = true;
    media.play();
    media.run(5);
    expect(tracker.watchedSeconds()).toBe(0);
    media.pause();
    gesture = true; // the viewer presses play, still muted (captions only): watching
    media.play();
    media.run(5);
    expect(tracker.watchedRanges()).toEqual([[5, 10]]);
    tracker.dispose();
  });

  it('a jump that fires no seeking (faster than the wall clock) is not counted', () => {
    const { media, time, tracker } = setup();
    media.play();
    media.run(5);
    time.advance(250);
    media.currentTime = 300;
    media.fire('timeupdate');
    media.run(5);
    expect(tracker.watchedRanges()).toEqual([[0, 5], [300, 305]]);
    tracker.dispose();
  });

  it('keeps what a failed report carried for the next one, which carries every range again', async () => {
    let fail = true;
    const errors: unknown[] = [];
    const { media, sent, tracker } = setup(
      () => (fail ? Promise.reject(new Error('offline')) : Promise.resolve()),
      (e) => errors.push(e),
    );
    media.play();
    await settle();
    media.run(31);
    await settle();
    fail = false;
    media.run(10);
    media.pause();
    await settle();
    const reports = sent.map((s) => s.report);
    expect(reports.map((r) => [r.reason, r.started])).toEqual([['start', true], ['interval', true], ['pause', true]]);
    expect(reports[2]!.ranges).toEqual([[0, 41]]);
    expect(reports.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(errors).toHaveLength(2);
    tracker.dispose();
  });

  it('sends nothing when nothing changed, and one report at a time', async () => {
    let release: () => void = () => {};
    const { media, sent, time, tracker } = setup(() => new Promise<void>((r) => (release = r)));
    media.play();
    media.run(2);
    media.pause(); // start is in flight: the pause report waits for it
    expect(sent).toHaveLength(1);
    release();
    await settle();
    await settle();
    expect(sent.map((s) => s.report.reason)).toEqual(['start', 'pause']);
    release();
    await settle();
    time.advance(120_000);
    await settle();
    expect(sent).toHaveLength(2);
    tracker.dispose();
    expect(time.timerCount).toBe(0);
  });

  it('reports nothing before playback started, and stops listening on dispose', async () => {
    const { media, page, sent, tracker } = setup();
    page.hide();
    tracker.dispose();
    media.play();
    media.run(5);
    await settle();
    expect(sent).toHaveLength(0);
    expect(tracker.watchedSeconds()).toBe(0);
  });

  it('refuses bad options by name', () => {
    const time = new ManualTime();
    expect(() => new ProgressTracker({ media: new Media(time), send: undefined as never })).toThrow(/send/);
    expect(() => new ProgressTracker({ media: new Media(time), send: async () => {}, intervalMs: 10 })).toThrow(/intervalMs/);
    expect(() => new ProgressTracker({ media: new Media(time), send: async () => {}, minRate: 3 })).toThrow(/minRate/);
  });
});

describe('resume offer rules', () => {
  it('formats positions', () => {
    expect(formatTime(0)).toBe('0:00');
    expect(formatTime(754.9)).toBe('12:34');
    expect(formatTime(3723)).toBe('1:02:03');
    expect(resumeLabel('Resume at {time}', 40.2)).toBe('Resume at 0:40');
  });

  it('offers only between the first and the last seconds', () => {
    expect(shouldOfferResume(0, 600)).toBe(false);
    expect(shouldOfferResume(4, 600)).toBe(false);
    expect(shouldOfferResume(40, 600)).toBe(true);
    expect(shouldOfferResume(596, 600)).toBe(false);
    expect(shouldOfferResume(40)).toBe(true);
    expect(shouldOfferResume(Number.NaN, 600)).toBe(false);
  });
});
