/**
 * The arithmetic of "seconds watched": ranges of media time `[start, end]` that were actually
 * played, merged so that watching a part twice counts once. Pure; the PHP twin is
 * `moodle-filter/classes/local/watched_ranges.php`, and both pass the shared vectors in
 * `moodle-filter/tests/fixtures/watched-ranges.json`.
 */

/** `[start, end]` in seconds of media time, `start < end`. */
export type Range = readonly [number, number];

/** Ranges closer than this (seconds) are joined: the gap between two timeupdate samples is not a hole. */
export const JOIN_GAP = 0.5;

/** How fast media time may plausibly advance against wall time: the fastest counted playback rate. */
export const MAX_RATE = 2;

/** Seconds of media time a report may add beyond `MAX_RATE × wall time` (network delay, clock granularity). */
export const SLACK_SECONDS = 10;

/** The most ranges one report may carry; more is bad input, not a viewing pattern. */
export const MAX_RANGES = 2000;

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/**
 * Sorted, merged (overlapping, touching or closer than `JOIN_GAP`), clamped to `[0, duration]`
 * (no upper bound when `duration` is not a positive number), rounded to milliseconds. Entries that
 * are not two finite numbers with `start < end` are dropped.
 */
export function normalize(ranges: readonly (readonly number[])[], duration?: number): Range[] {
  const limit = typeof duration === 'number' && Number.isFinite(duration) && duration > 0 ? duration : Infinity;
  const clean: [number, number][] = [];
  for (const range of ranges) {
    if (!Array.isArray(range) || range.length !== 2) continue;
    const [a, b] = range as [unknown, unknown];
    if (typeof a !== 'number' || typeof b !== 'number' || !Number.isFinite(a) || !Number.isFinite(b)) continue;
    const start = round3(Math.max(0, a));
    const end = round3(Math.min(limit, b));
    if (end > start) clean.push([start, end]);
  }
  clean.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const merged: [number, number][] = [];
  for (const [start, end] of clean) {
    const last = merged[merged.length - 1];
    if (last && start - last[1] <= JOIN_GAP) {
      last[1] = Math.max(last[1], end);
    } else {
      merged.push([start, end]);
    }
  }
  return merged;
}

/** Seconds covered by normalized ranges. */
export function total(ranges: readonly Range[]): number {
  let sum = 0;
  for (const [start, end] of ranges) sum += end - start;
  return round3(sum);
}

/** The union of two sets of ranges, normalized. */
export function union(a: readonly Range[], b: readonly Range[], duration?: number): Range[] {
  return normalize([...a, ...b], duration);
}

/** Adds one played stretch to a set of ranges (the tracker's hot path: usually extends the last one). */
export function addRange(ranges: readonly Range[], start: number, end: number, duration?: number): Range[] {
  return normalize([...ranges, [start, end]], duration);
}

export interface Assessment {
  /** The stored ranges with the report's, normalized. */
  ranges: Range[];
  /** Seconds covered by `ranges`. */
  watched: number;
  /** Seconds the report adds to what was stored. */
  added: number;
  /** The most it may add: `MAX_RATE × elapsed + SLACK_SECONDS`. */
  allowed: number;
  /** `added <= allowed`. */
  plausible: boolean;
}

/**
 * Whether a report may be merged into what is stored: the media time it adds must fit into the wall
 * time since the last accepted report. A retry of a report already merged adds nothing, so it is
 * always plausible (idempotent).
 */
export function assess(stored: readonly Range[], reported: readonly Range[], duration: number | undefined,
  elapsedSeconds: number): Assessment {
  const before = total(normalize(stored, duration));
  const ranges = union(stored, reported, duration);
  const watched = total(ranges);
  const added = round3(Math.max(0, watched - before));
  const allowed = round3(MAX_RATE * Math.max(0, elapsedSeconds) + SLACK_SECONDS);
  return { ranges, watched, added, allowed, plausible: added <= allowed };
}

/** Percent of `duration` covered, 0–100, one decimal; 0 without a duration. */
export function percent(ranges: readonly Range[], duration: number): number {
  if (!(duration > 0)) return 0;
  return Math.min(100, Math.round((total(ranges) / duration) * 1000) / 10);
}
