/** ffmpeg `-progress pipe:1` parsing, and the progress line shown to a person. Pure, except Reporter. */
export interface TranscodeProgress {
    /** Media time written so far, seconds. */
    outTimeSeconds: number;
    /** 0..1 of the source duration. */
    fraction: number;
    /** ffmpeg's speed (×realtime) when it reports one. */
    speed: number | null;
    done: boolean;
}
/**
 * Accumulates `key=value` lines from `-progress` output; each block ends with `progress=continue`
 * or `progress=end`, at which `push` returns a snapshot. Partial lines across chunks are kept.
 */
export declare class ProgressParser {
    #private;
    private readonly durationSeconds;
    constructor(durationSeconds: number);
    push(chunk: string): TranscodeProgress[];
}
/** Seconds left at the average rate so far; null until there is a rate. */
export declare function estimateRemaining(fraction: number, elapsedSeconds: number): number | null;
export declare function formatDuration(seconds: number | null): string;
export declare function formatBytes(bytes: number): string;
/** `label [#####.....]  42%  ETA 1:05  extra` */
export declare function renderBar(label: string, fraction: number, width: number, extra?: string): string;
export type ProgressEvent = {
    phase: 'transcode';
    fraction: number;
    outTimeSeconds: number;
    speed: number | null;
} | {
    phase: 'upload';
    fraction: number;
    bytesDone: number;
    bytesTotal: number;
    objectsDone: number;
    objectsTotal: number;
    key?: string;
    skipped?: boolean;
};
export interface ProgressSink {
    (event: ProgressEvent): void;
}
/**
 * Shows progress to a person: a bar redrawn in place on a TTY (with ETA, and bytes/s for
 * uploads), otherwise a plain line at most every `intervalMs`.
 */
export declare function createProgressReporter(options: {
    stream?: NodeJS.WriteStream;
    now?: () => number;
    intervalMs?: number;
    label?: string;
}): ProgressSink & {
    finish(): void;
};
