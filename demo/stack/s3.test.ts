import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalS3, s3ClientConfig, startS3 } from './s3.ts';

describe('embedded S3', () => {
  let s3: LocalS3;
  let directory: string;
  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'hlsgate-s3-'));
    s3 = await startS3({ directory, buckets: ['media'] });
  });
  afterAll(async () => {
    await s3.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  it('keeps a streamed multipart upload byte for byte', async () => {
    const client = new S3Client(s3ClientConfig(s3.endpoint));
    const body = Buffer.alloc(6 * 1024 * 1024 + 123);
    for (let i = 0; i < body.length; i++) body[i] = (i * 31) & 0xff;
    await new Upload({
      client,
      params: { Bucket: 'media', Key: 'a/b.bin', Body: Readable.from([body.subarray(0, 1000), body.subarray(1000)]) },
      partSize: 5 * 1024 * 1024,
    }).done();
    const got = await client.send(new GetObjectCommand({ Bucket: 'media', Key: 'a/b.bin' }));
    const bytes = Buffer.from(await got.Body!.transformToByteArray());
    expect(bytes.equals(body)).toBe(true);
    client.destroy();
  });
});
