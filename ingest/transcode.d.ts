import { type PlannedRung } from './ladder.ts';
import type { ProbeResult } from './probe.ts';
import { type TranscodeProgress } from './progress.ts';
export declare const SEGMENT_SECONDS = 6;
export declare const KEYFRAME_SECONDS = 2;
export declare const SEGMENT_PATTERN = "seg_%05d.ts";
/** The master ffmpeg writes; ours (composed from it) replaces it. */
export declare const FFMPEG_MASTER = "ffmpeg-master.m3u8";
export interface TranscodePlan {
    input: string;
    outDir: string;
    rungs: PlannedRung[];
    hasAudio: boolean;
    preset: string;
    /** File holding the watermark text (drawn with expansion=none, so no escaping of the text). */
    watermarkTextFile?: string;
    fontFile?: string;
    watermarkImage?: string;
}
/**
 * Escapes a value for a filter option inside a filtergraph: first for the option parser
 * (`\ ' :`), then for the graph parser (`\ ' [ ] , ;`).
 */
export declare function escapeFilterValue(value: string): string;
export declare function buildFilterGraph(plan: TranscodePlan): string;
export declare function buildTranscodeArgs(plan: TranscodePlan): string[];
/** Fills in the watermark text template: `{course}`, `{title}`, `{institution}`, `{date}`. */
export declare function renderWatermark(template: string, values: Record<string, string>): string;
export interface TranscodeOptions {
    input: string;
    outDir: string;
    probe: ProbeResult;
    rungs: PlannedRung[];
    preset: string;
    watermarkText?: string;
    watermarkImage?: string;
    timeoutMs?: number;
    signal?: AbortSignal;
    onProgress?: (progress: TranscodeProgress) => void;
}
export interface TranscodeResult {
    args: string[];
    wallMs: number;
}
export declare function transcode(options: TranscodeOptions): Promise<TranscodeResult>;
/** A poster frame at 10 % of the duration (at most 30 s in), at most 720 lines high. */
export declare function makePoster(input: string, output: string, durationSeconds: number, signal?: AbortSignal): Promise<void>;
