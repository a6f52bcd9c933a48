export declare const STATES: readonly ['queued', 'downloading', 'transcoding', 'uploading', 'published', 'failed'];
export type RecordingState = (typeof STATES)[number];
export type SourceKind = 'file' | 'zoom';
export interface Recording {
    id: string;
    /** Identity of the source, unique: `zoom:<recording file id>` or a hash of a local file's path, size and times. */
    sourceKey: string;
    sourceKind: SourceKind;
    /** A local path, or the Zoom download URL. */
    source: string;
    /** Zoom's per-recording download token (webhook), if any. */
    downloadToken: string | null;
    /** Zoom's transcript (VTT) download URL, or a local .vtt path. */
    transcriptSource: string | null;
    /** Expected size in bytes of a download, when the source says. */
    expectedSize: number | null;
    course: string;
    title: string;
    /** When the lecture was recorded (ISO 8601). */
    recordedAt: string;
    durationSeconds: number | null;
    dir: string | null;
    state: RecordingState;
    /** Processing attempts started (a crashed worker's attempt counts too). */
    attempts: number;
    lastError: string | null;
    lastErrorCode: string | null;
    nextAttemptAt: number;
    leaseOwner: string | null;
    leaseUntil: number | null;
    repositoryPath: string | null;
    masterKey: string | null;
    createdAt: number;
    updatedAt: number;
}
export interface NewRecording {
    sourceKey: string;
    sourceKind: SourceKind;
    source: string;
    downloadToken?: string | null;
    transcriptSource?: string | null;
    expectedSize?: number | null;
    course: string;
    title: string;
    recordedAt: string;
}
export type RecordingPatch = Partial<Pick<Recording, 'state' | 'dir' | 'durationSeconds' | 'repositoryPath' | 'masterKey' | 'downloadToken' | 'lastError' | 'lastErrorCode' | 'attempts' | 'nextAttemptAt'>>;
export interface Catalog {
    /** Queues a recording; a second add of the same sourceKey returns the existing one (`created: false`). */
    add(input: NewRecording, now: number): {
        recording: Recording;
        created: boolean;
    };
    get(id: string): Recording | null;
    getBySourceKey(sourceKey: string): Recording | null;
    list(filter?: {
        state?: RecordingState;
    }): Recording[];
    /**
     * Atomically takes the lease of the next due recording (or of `id`), so two workers never hold
     * the same one. Null when nothing is due or `id` is leased by another worker, published or failed.
     */
    claim(owner: string, now: number, leaseMs: number, id?: string): Recording | null;
    /** Extends a lease the owner still holds; false when it was lost. */
    renew(id: string, owner: string, now: number, leaseMs: number): boolean;
    /** Changes a leased recording; throws when `owner` does not hold the lease. */
    update(id: string, owner: string, patch: RecordingPatch, now: number): Recording;
    /** Gives the lease back. */
    release(id: string, owner: string, now: number): void;
    /** Requeues a failed recording now, attempts reset. */
    retry(id: string, now: number): Recording;
    /** Requeues a published recording whose repository copy is gone, to publish it again. */
    republish(id: string, now: number): Recording;
    close(): void;
}
export declare class CatalogError extends Error {
    readonly code = "catalog";
    constructor(message: string);
}
/** Migrations, applied in order once each; `user_version` counts how many ran. */
export declare const MIGRATIONS: string[];
export declare class SqliteCatalog implements Catalog {
    #private;
    constructor(path: string);
    add(input: NewRecording, now: number): {
        recording: Recording;
        created: boolean;
    };
    get(id: string): Recording | null;
    getBySourceKey(sourceKey: string): Recording | null;
    list(filter?: {
        state?: RecordingState;
    }): Recording[];
    claim(owner: string, now: number, leaseMs: number, id?: string): Recording | null;
    renew(id: string, owner: string, now: number, leaseMs: number): boolean;
    update(id: string, owner: string, patch: RecordingPatch, now: number): Recording;
    release(id: string, owner: string, now: number): void;
    retry(id: string, now: number): Recording;
    republish(id: string, now: number): Recording;
    close(): void;
}
