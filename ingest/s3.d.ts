/** The S3 client from the ingest settings. */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { IngestConfig } from './config.ts';
export type S3Settings = Pick<IngestConfig, 's3Bucket' | 's3Region' | 's3Accelerate' | 's3Endpoint' | 's3ForcePathStyle' | 's3AccessKeyId' | 's3SecretAccessKey'>;
export declare function s3ClientOptions(settings: S3Settings): S3ClientConfig;
export declare function createS3Client(settings: S3Settings): S3Client;
