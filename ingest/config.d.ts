import { z } from 'zod';
import { type Rung } from './ladder.ts';
export declare const X264_PRESETS: readonly ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'];
export type X264Preset = (typeof X264_PRESETS)[number];
export declare const DEFAULT_LADDER = "1080:5000,720:2800,480:1400,360:800";
declare const shape: {
    s3Bucket: z.ZodString;
    s3Region: z.ZodDefault<z.ZodString>;
    s3Prefix: z.ZodDefault<z.ZodString>;
    s3Accelerate: z.ZodDefault<z.ZodPipe<z.ZodUnion<readonly [z.ZodBoolean, z.ZodEnum<{
        0: "0";
        1: "1";
        false: "false";
        no: "no";
        true: "true";
        yes: "yes";
    }>]>, z.ZodTransform<boolean, "0" | "1" | "false" | "no" | "true" | "yes" | boolean>>>;
    s3Endpoint: z.ZodOptional<z.ZodString>;
    s3ForcePathStyle: z.ZodDefault<z.ZodPipe<z.ZodUnion<readonly [z.ZodBoolean, z.ZodEnum<{
        0: "0";
        1: "1";
        false: "false";
        no: "no";
        true: "true";
        yes: "yes";
    }>]>, z.ZodTransform<boolean, "0" | "1" | "false" | "no" | "true" | "yes" | boolean>>>;
    s3AccessKeyId: z.ZodOptional<z.ZodString>;
    s3SecretAccessKey: z.ZodOptional<z.ZodString>;
    mediaBaseUrl: z.ZodString;
    repositoryRoot: z.ZodString;
    catalogPath: z.ZodDefault<z.ZodString>;
    workDir: z.ZodDefault<z.ZodString>;
    ladder: z.ZodDefault<z.ZodPipe<z.ZodUnion<readonly [z.ZodString, z.ZodArray<z.ZodUnknown>]>, z.ZodTransform<Rung[], string | unknown[]>>>;
    x264Preset: z.ZodDefault<z.ZodEnum<{
        fast: "fast";
        faster: "faster";
        medium: "medium";
        slow: "slow";
        slower: "slower";
        superfast: "superfast";
        ultrafast: "ultrafast";
        veryfast: "veryfast";
        veryslow: "veryslow";
    }>>;
    /** `{course}`, `{title}`, `{institution}`, `{date}` are replaced; `none` (or empty in the file) draws nothing. */
    watermarkText: z.ZodDefault<z.ZodPipe<z.ZodString, z.ZodTransform<string, string>>>;
    watermarkImage: z.ZodOptional<z.ZodString>;
    institution: z.ZodDefault<z.ZodString>;
    uploadConcurrency: z.ZodDefault<z.ZodCoercedNumber<unknown>>;
    /** Seconds a transcode may run before it is stopped. */
    transcodeTimeout: z.ZodDefault<z.ZodCoercedNumber<unknown>>;
    /** Processing attempts before a recording stays `failed`. */
    maxAttempts: z.ZodDefault<z.ZodCoercedNumber<unknown>>;
    retryDelay: z.ZodDefault<z.ZodCoercedNumber<unknown>>;
    maxRetryDelay: z.ZodDefault<z.ZodCoercedNumber<unknown>>;
    /** Seconds a worker's claim on a recording lasts without renewal. */
    leaseSeconds: z.ZodDefault<z.ZodCoercedNumber<unknown>>;
    zoomAccountId: z.ZodOptional<z.ZodString>;
    zoomClientId: z.ZodOptional<z.ZodString>;
    zoomClientSecret: z.ZodOptional<z.ZodString>;
    zoomWebhookSecret: z.ZodOptional<z.ZodString>;
    zoomUserId: z.ZodDefault<z.ZodString>;
    zoomRecordingType: z.ZodDefault<z.ZodString>;
    zoomApiBase: z.ZodDefault<z.ZodString>;
    zoomOauthUrl: z.ZodDefault<z.ZodString>;
    zoomWebhookPort: z.ZodDefault<z.ZodCoercedNumber<unknown>>;
    zoomWebhookHost: z.ZodDefault<z.ZodString>;
    courseMap: z.ZodOptional<z.ZodString>;
};
export type IngestConfig = Omit<z.infer<z.ZodObject<typeof shape>>, 'ladder'> & {
    ladder: Rung[];
};
export interface LoadIngestConfigOptions {
    /** JSON file of camelCase settings; defaults to `HLSGATE_INGEST_CONFIG`. */
    file?: string;
    env?: Record<string, string | undefined>;
}
export declare function loadIngestConfig(options?: LoadIngestConfigOptions): IngestConfig;
/** Rules that involve more than one setting. */
export declare function crossCheck(config: IngestConfig): string[];
export {};
