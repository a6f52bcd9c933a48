import { type S3Client } from '@aws-sdk/client-s3';
export declare const IMMUTABLE = "public, max-age=31536000, immutable";
export declare const PLAYLIST_CACHE = "public, max-age=60";
/** Above this size an object goes up in parts (lib-storage). */
export declare const MULTIPART_THRESHOLD: number;
export declare function contentTypeFor(key: string): string;
export declare function cacheControlFor(key: string): string;
export interface LocalObject {
    key: string;
    path: string;
    size: number;
    md5: string;
}
export interface RemoteObject {
    size: number;
    etag: string;
}
/** Every file under `dir` (hidden files and `.tmp` excluded) as an object under `keyPrefix`. */
export declare function collectObjects(dir: string, keyPrefix: string): Promise<LocalObject[]>;
export declare function listRemote(client: S3Client, bucket: string, prefix: string): Promise<Map<string, RemoteObject>>;
export interface UploadProgress {
    key: string;
    skipped: boolean;
    bytesDone: number;
    bytesTotal: number;
    objectsDone: number;
    objectsTotal: number;
}
export interface UploadOptions {
    client: S3Client;
    bucket: string;
    objects: LocalObject[];
    /** Keys of objects that go up last, after everything else is in place. */
    lastKeys?: string[];
    concurrency: number;
    /** Objects larger than this go up in parts; default MULTIPART_THRESHOLD. */
    multipartThreshold?: number;
    signal?: AbortSignal;
    onObject?: (progress: UploadProgress) => void;
}
export interface UploadResult {
    uploaded: string[];
    skipped: string[];
    bytesUploaded: number;
}
export declare function alreadyThere(client: S3Client, bucket: string, object: LocalObject, remote: RemoteObject | undefined): Promise<boolean>;
/** Runs `work` over `items` with at most `concurrency` at a time; the first error stops new work. */
export declare function runPool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void>;
export declare function uploadObjects(options: UploadOptions): Promise<UploadResult>;
/** Checks that every object is listed with its local size; throws `verify_failed` naming the first few that are not. */
export declare function verifyObjects(client: S3Client, bucket: string, objects: LocalObject[]): Promise<void>;
export declare function commonPrefix(keys: string[]): string;
export declare const MASTER_KEY_NAME: "master.m3u8";
