/** The S3 client from the ingest settings. */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { IngestConfig } from './config.ts';
import { ConfigError } from '../common/config.ts';
import { crossCheck } from './config.ts';

export type S3Settings = Pick<
  IngestConfig,
  's3Bucket' | 's3Region' | 's3Accelerate' | 's3Endpoint' | 's3ForcePathStyle' | 's3AccessKeyId' | 's3SecretAccessKey'
>;

export function s3ClientOptions(settings: S3Settings): S3ClientConfig {
  if (settings.s3Accelerate && (settings.s3Endpoint || settings.s3ForcePathStyle)) {
    // loadIngestConfig refuses this already; a hand-built config gets the same message.
    throw new ConfigError(crossCheck({ ...(settings as IngestConfig), ladder: [{ height: 360, videoKbps: 800 }] }));
  }
  const options: S3ClientConfig = {
    region: settings.s3Region,
    useAccelerateEndpoint: settings.s3Accelerate,
    forcePathStyle: settings.s3ForcePathStyle,
    retryMode: 'adaptive',
    maxAttempts: 5,
  };
  if (settings.s3Endpoint) {
    options.endpoint = settings.s3Endpoint;
    // S3-compatible servers (the local stack's s3rver) mishandle the SDK's default checksums.
    options.requestChecksumCalculation = 'WHEN_REQUIRED';
    options.responseChecksumValidation = 'WHEN_REQUIRED';
  }
  if (settings.s3AccessKeyId && settings.s3SecretAccessKey) {
    options.credentials = { accessKeyId: settings.s3AccessKeyId, secretAccessKey: settings.s3SecretAccessKey };
  }
  return options;
}

export function createS3Client(settings: S3Settings): S3Client {
  return new S3Client(s3ClientOptions(settings));
}
