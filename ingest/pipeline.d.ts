import type { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '../common/log.ts';
import type { Catalog, Recording, RecordingPatch } from './catalog.ts';
import type { IngestConfig } from './config.ts';
import type { ProgressSink } from './progress.ts';
export interface PipelineContext {
    config: IngestConfig;
    catalog: Catalog;
    s3: S3Client;
    logger: Logger;
    /** This worker's lease owner id. */
    owner: string;
    now?: () => number;
    signal?: AbortSignal;
    onProgress?: ProgressSink;
    /** OAuth access token for Zoom downloads without a download_token. */
    zoomAccessToken?: () => Promise<string>;
    fetch?: typeof fetch;
}
export interface Published {
    id: string;
    dir: string;
    masterKey: string;
    repositoryPath: string;
}
export declare function workDirOf(config: IngestConfig, id: string): string;
export declare function keyPrefixOf(config: IngestConfig, dir: string): string;
/** Retry or give up: the catalog patch after a failed attempt (`recording.attempts` counts it). Pure. */
export declare function failurePatch(recording: Recording, error: unknown, config: Pick<IngestConfig, 'maxAttempts' | 'retryDelay' | 'maxRetryDelay'>, now: number, random?: () => number): RecordingPatch;
/**
 * Processes a recording this worker has leased. Returns the recording after the attempt
 * (`published`, `queued` for a later retry, or `failed`); throws only when cancelled.
 */
export declare function processRecording(ctx: PipelineContext, leased: Recording): Promise<Recording>;
