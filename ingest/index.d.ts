import { type Logger } from '../common/log.ts';
import { type Catalog } from './catalog.ts';
import type { IngestConfig } from './config.ts';
import type { ProgressSink } from './progress.ts';
export { loadIngestConfig, type IngestConfig } from './config.ts';
export { makeTestClip } from './test-clip.ts';
export { IngestError } from './errors.ts';
export { SqliteCatalog, type Catalog, type Recording, type RecordingState } from './catalog.ts';
export interface IngestFileInput {
    file: string;
    course: string;
    title: string;
    /** When the lecture was recorded; default the file's modification time. */
    date?: Date;
    /** A WebVTT transcript to publish as subtitles. */
    subtitles?: string;
}
export interface IngestFileOptions {
    logger?: Logger;
    signal?: AbortSignal;
    onProgress?: ProgressSink;
    /** An open catalog to use instead of opening `config.catalogPath`. */
    catalog?: Catalog;
}
export interface IngestFileResult {
    id: string;
    dir: string;
    masterKey: string;
    repositoryPath: string;
}
export declare function workerId(): string;
/** Identity of a local source: the same file, course and title is the same recording. */
export declare function fileSourceKey(file: string, course: string, title: string): Promise<{
    path: string;
    key: string;
    mtime: Date;
}>;
/** Queues a local recording (idempotent: the same file, course and title is one recording). */
export declare function addFile(catalog: Catalog, input: IngestFileInput, now?: number): Promise<{
    recording: import("./catalog.ts").Recording;
    created: boolean;
}>;
export declare function ingestFile(config: IngestConfig, input: IngestFileInput, options?: IngestFileOptions): Promise<IngestFileResult>;
