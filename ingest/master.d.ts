/**
 * Playlists: reading the ones ffmpeg writes, composing the master ourselves (ffmpeg 5.1 leaves out
 * FRAME-RATE and AVERAGE-BANDWIDTH and derives BANDWIDTH from settings, not from the segments),
 * and the repository copy with absolute URIs. Pure.
 */
export interface MediaSegment {
    uri: string;
    duration: number;
}
export interface MediaPlaylist {
    targetDuration: number;
    segments: MediaSegment[];
    endList: boolean;
}
export declare function parseMediaPlaylist(text: string): MediaPlaylist;
/** `A=1,B="x,y"` → {A: '1', B: 'x,y'} */
export declare function parseAttributes(list: string): Record<string, string>;
export interface MasterVariant {
    attributes: Record<string, string>;
    uri: string;
}
/** The `#EXT-X-STREAM-INF` entries of a master playlist. */
export declare function parseMasterVariants(text: string): MasterVariant[];
/** `avc1.PPCCLL` from ffprobe's profile name and level (e.g. High, 31 → avc1.64001f). */
export declare function h264Codec(profile: string, level: number): string;
/**
 * Peak and average bitrate of a rendition from its segments' sizes (bits/s). The peak ignores a
 * final segment shorter than half the target duration: a short tail is mostly a keyframe and
 * would overstate what a player needs.
 */
export declare function measureBandwidth(segments: Array<{
    duration: number;
    bytes: number;
}>, targetDuration: number): {
    peak: number;
    average: number;
};
export interface VariantInfo {
    /** Relative URI in the S3 master, e.g. `720p/index.m3u8`. */
    uri: string;
    bandwidth: number;
    averageBandwidth: number;
    codecs: string;
    width: number;
    height: number;
    frameRate: number;
}
export interface SubtitlesInfo {
    groupId: string;
    name: string;
    language: string;
    /** Relative URI, e.g. `subs/index.m3u8`. */
    uri: string;
}
/** The master playlist: one `#EXT-X-STREAM-INF` per rung, in the order given, plus subtitles. */
export declare function composeMaster(variants: VariantInfo[], subtitles?: SubtitlesInfo): string;
/**
 * The repository copy: every relative URI (variant lines and `URI="…"` attributes, including
 * `#EXT-X-MAP` and `#EXT-X-MEDIA`) made absolute against `base` (`<media base>/<dir>/`).
 */
export declare function absolutizeMaster(text: string, base: string): string;
