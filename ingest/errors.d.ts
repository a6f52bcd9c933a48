/** Errors are data: a string code, a human message, and whether retrying can help. */
export type IngestErrorCode = 'input_unreadable' | 'input_not_video' | 'probe_failed' | 'transcode_failed' | 'transcode_timeout' | 'aborted' | 'font_missing' | 'drawtext_missing' | 'watermark_image_missing' | 'upload_failed' | 'verify_failed' | 'publish_failed' | 'unknown_course' | 'download_failed' | 'download_expired' | 'zoom_api' | 'zoom_auth' | 'catalog' | 'bad_request';
export declare class IngestError extends Error {
    readonly code: IngestErrorCode;
    readonly options: {
        fatal?: boolean;
        stderrTail?: string;
        cause?: unknown;
    };
    constructor(code: IngestErrorCode, message: string, options?: {
        fatal?: boolean;
        stderrTail?: string;
        cause?: unknown;
    });
    /** A fatal error will not go away by retrying (bad input, missing font). */
    get fatal(): boolean;
    get stderrTail(): string | undefined;
}
/** The last `maxLines` non-empty lines of a process's stderr. */
export declare function tailLines(text: string, maxLines?: number, maxChars?: number): string;
