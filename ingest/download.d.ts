import { type RetryPolicy } from '../common/retry.ts';
export interface DownloadOptions {
    url: string;
    /** The final path; bytes arrive in `<path>.part` first. */
    path: string;
    /** Bearer token (Zoom download_token or OAuth access token); asked again on every attempt. */
    token?: () => Promise<string | null>;
    expectedSize?: number | null;
    retry?: RetryPolicy;
    signal?: AbortSignal;
    fetch?: typeof fetch;
    onBytes?: (done: number, total: number | null) => void;
}
export declare const DEFAULT_DOWNLOAD_RETRY: RetryPolicy;
/** Statuses worth another try; 401/403/404/410 are not (an expired or missing recording). */
export declare function retryableStatus(status: number): boolean;
export declare function download(options: DownloadOptions): Promise<{
    bytes: number;
}>;
