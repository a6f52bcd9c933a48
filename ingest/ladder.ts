/** The bitrate ladder: which rungs a source gets, and the rate control of each. Pure. */

export interface Rung {
  /** Output height in pixels (even). */
  height: number;
  /** Target video bitrate, kbit/s. */
  videoKbps: number;
}

export interface PlannedRung extends Rung {
  /** Rendition folder name, e.g. `720p`. */
  name: string;
  maxrateKbps: number;
  bufsizeKbps: number;
}

/** Peak allowed over the target (VBV), and the buffer size: 1.5 × the target. */
const MAXRATE_FACTOR = 1.07;
const BUFSIZE_FACTOR = 1.5;

/**
 * `"1080:5000,720:2800"` (height:kbit/s) or a JSON array `[{height, videoKbps}]` → rungs,
 * highest first. Throws with a message naming the bad part.
 */
export function parseLadder(value: string | unknown[]): Rung[] {
  const items: unknown[] = typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : value;
  const rungs: Rung[] = [];
  for (const item of items) {
    let height: number;
    let videoKbps: number;
    if (typeof item === 'string') {
      const match = /^(\d+)p?:(\d+)k?$/.exec(item);
      if (!match) throw new Error(`"${item}" is not height:kbps (e.g. 720:2800)`);
      height = Number(match[1]);
      videoKbps = Number(match[2]);
    } else if (typeof item === 'object' && item !== null) {
      height = Number((item as Rung).height);
      videoKbps = Number((item as Rung).videoKbps);
    } else {
      throw new Error(`${JSON.stringify(item)} is not a rung`);
    }
    if (!Number.isInteger(height) || height < 64 || height > 4320 || height % 2 !== 0) {
      throw new Error(`rung height ${height} must be an even number from 64 to 4320`);
    }
    if (!Number.isInteger(videoKbps) || videoKbps < 50 || videoKbps > 100_000) {
      throw new Error(`rung ${height}: bitrate ${videoKbps} kbit/s must be from 50 to 100000`);
    }
    if (rungs.some((r) => r.height === height)) throw new Error(`rung ${height} appears twice`);
    rungs.push({ height, videoKbps });
  }
  if (rungs.length === 0) throw new Error('the ladder needs at least one rung');
  return rungs.sort((a, b) => b.height - a.height);
}

/**
 * The rungs for a source: every configured rung not above the source height; when the source is
 * smaller than every rung, one rung at the source height (even) with the smallest rung's bitrate
 * scaled by pixel count. Never upscales, never returns an empty ladder.
 */
export function selectRungs(ladder: readonly Rung[], sourceHeight: number): PlannedRung[] {
  const sorted = [...ladder].sort((a, b) => b.height - a.height);
  let chosen = sorted.filter((r) => r.height <= sourceHeight);
  if (chosen.length === 0) {
    const smallest = sorted[sorted.length - 1]!;
    const height = Math.max(2, sourceHeight - (sourceHeight % 2));
    const scaled = Math.round(smallest.videoKbps * (height / smallest.height) ** 2);
    chosen = [{ height, videoKbps: Math.max(100, scaled) }];
  }
  return chosen.map((r) => ({
    ...r,
    name: `${r.height}p`,
    maxrateKbps: Math.round(r.videoKbps * MAXRATE_FACTOR),
    bufsizeKbps: Math.round(r.videoKbps * BUFSIZE_FACTOR),
  }));
}

/** The bitrate of the one AAC stereo rendition every rung shares, kbit/s. */
export const AUDIO_KBPS = 128;
