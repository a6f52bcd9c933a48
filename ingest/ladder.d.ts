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
/**
 * `"1080:5000,720:2800"` (height:kbit/s) or a JSON array `[{height, videoKbps}]` → rungs,
 * highest first. Throws with a message naming the bad part.
 */
export declare function parseLadder(value: string | unknown[]): Rung[];
/**
 * The rungs for a source: every configured rung not above the source height; when the source is
 * smaller than every rung, one rung at the source height (even) with the smallest rung's bitrate
 * scaled by pixel count. Never upscales, never returns an empty ladder.
 */
export declare function selectRungs(ladder: readonly Rung[], sourceHeight: number): PlannedRung[];
/** Audio bitrate per rung: less on the smallest rungs. */
export declare function audioKbps(rung: Rung): number;
