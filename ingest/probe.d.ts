export interface ProbeResult {
    durationSeconds: number;
    /** Display size (rotation applied). */
    width: number;
    height: number;
    /** Frames per second, e.g. 29.97. */
    frameRate: number;
    hasAudio: boolean;
    videoCodec: string;
}
interface FfprobeStream {
    codec_type?: string;
    codec_name?: string;
    width?: number;
    height?: number;
    r_frame_rate?: string;
    avg_frame_rate?: string;
    duration?: string;
    tags?: Record<string, string>;
    side_data_list?: Array<{
        rotation?: number;
    }>;
    disposition?: {
        attached_pic?: number;
    };
}
/** `"30000/1001"` → 29.97; null when not a usable rate. */
export declare function parseRate(value: string | undefined): number | null;
/** Pure: ffprobe's JSON → ProbeResult, or an IngestError saying what is wrong with the input. */
export declare function interpretProbe(json: {
    streams?: FfprobeStream[];
    format?: {
        duration?: string;
    };
}, file: string): ProbeResult;
export declare function probe(file: string, signal?: AbortSignal): Promise<ProbeResult>;
export {};
