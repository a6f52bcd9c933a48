export declare const SUBTITLES_FILE = "transcript.vtt";
/**
 * The VTT with an `X-TIMESTAMP-MAP` header, so players line cue times up with the MPEG-TS
 * timestamps of the video (ffmpeg's segments do not start at 0).
 */
export declare function prepareVtt(vtt: string, firstPtsSeconds: number): string;
export declare function subtitlesPlaylist(durationSeconds: number, file?: string): string;
