/**
 * The embedded S3 of the local stack, behind one small module so it can be swapped.
 *
 * s3rver is unmaintained: it corrupts streamed uploads from the current AWS SDK unless the client
 * computes and validates checksums only when required, so every client of it must take
 * `s3ClientConfig()` as its base.
 */
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { S3ClientConfig } from '@aws-sdk/client-s3';

const require = createRequire(import.meta.url);

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;

export const LOCAL_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface LocalS3 {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export interface LocalS3Options {
  /** Where objects live; kept across starts. */
  directory: string;
  /** 0 picks a free port. */
  port?: number;
  buckets?: string[];
}

export async function startS3(options: LocalS3Options): Promise<LocalS3> {
  mkdirSync(options.directory, { recursive: true });
  const S3rver = require('s3rver') as S3rverConstructor;
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory: options.directory,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
    // Path-style requests only: no virtual-host bucket names on 127.0.0.1.
    vhostBuckets: false,
  });
  const address = await server.run();
  let stopped = false;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    port: address.port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
    },
  };
}

/** The S3 client settings every client of the embedded S3 must use. */
export function s3ClientConfig(endpoint: string): S3ClientConfig {
  return {
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: LOCAL_S3_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}
