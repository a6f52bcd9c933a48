/**
 * Test helpers: the local stack's S3 (demo/stack/s3.ts) and a config pointing at it.
 * demo/ references ingest/ in the TypeScript build, so ingest cannot import demo's types
 * statically; the module is loaded at run time and typed here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';
import { type IngestConfig } from './config.ts';
import { createS3Client } from './s3.ts';
import { parseLadder } from './ladder.ts';

export interface LocalS3 {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

interface S3Module {
  startS3(options: { directory: string; port?: number; buckets?: string[] }): Promise<LocalS3>;
  LOCAL_S3_CREDENTIALS: { accessKeyId: string; secretAccessKey: string };
}

export async function loadLocalS3Module(): Promise<S3Module> {
  const url = pathToFileURL(join(import.meta.dirname, '..', 'demo', 'stack', 's3.ts')).href;
  return (await import(url)) as S3Module;
}

/**
 * Inside a `describe`: a test environment and an S3 client on it for the block's tests, started
 * before them and stopped after. Read `env` and `client` inside the tests.
 */
export function useTestEnv(overrides: Partial<IngestConfig> = {}): { env: TestEnv; client: S3Client } {
  const holder = {} as { env: TestEnv; client: S3Client };
  beforeAll(async () => {
    holder.env = await startTestEnv(overrides);
    holder.client = createS3Client(holder.env.config);
  });
  afterAll(async () => {
    holder.client?.destroy();
    await holder.env?.cleanup();
  });
  return holder;
}

export interface TestEnv {
  root: string;
  s3: LocalS3;
  config: IngestConfig;
  cleanup(): Promise<void>;
}

export async function startTestEnv(overrides: Partial<IngestConfig> = {}): Promise<TestEnv> {
  const root = mkdtempSync(join(tmpdir(), 'hlsgate-ingest-'));
  const module = await loadLocalS3Module();
  const s3 = await module.startS3({ directory: join(root, 's3'), buckets: ['media'] });
  const config = testConfig(root, s3.endpoint, module.LOCAL_S3_CREDENTIALS, overrides);
  return {
    root,
    s3,
    config,
    async cleanup() {
      await s3.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export function testConfig(
  root: string,
  endpoint: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
  overrides: Partial<IngestConfig> = {},
): IngestConfig {
  return {
    s3Bucket: 'media',
    s3Region: 'us-east-1',
    s3Prefix: 'lectures',
    s3Accelerate: false,
    s3Endpoint: endpoint,
    s3ForcePathStyle: true,
    s3AccessKeyId: credentials.accessKeyId,
    s3SecretAccessKey: credentials.secretAccessKey,
    mediaBaseUrl: 'http://localhost:8787/lectures/',
    repositoryRoot: join(root, 'repository'),
    catalogPath: join(root, 'catalog.sqlite'),
    workDir: join(root, 'work'),
    ladder: parseLadder('360:700,240:300'),
    x264Preset: 'ultrafast',
    x264LowerPreset: 'ultrafast',
    segmentFormat: 'mpegts',
    x264Params: '',
    watermarkText: '{institution} {course}',
    institution: 'Test U',
    uploadConcurrency: 8,
    maxFrameRate: 30,
    transcodeTimeout: 600,
    maxAttempts: 3,
    retryDelay: 10,
    maxRetryDelay: 100,
    leaseSeconds: 30,
    zoomUserId: 'me',
    zoomRecordingType: 'shared_screen_with_speaker_view',
    zoomApiBase: 'http://127.0.0.1:9/v2',
    zoomOauthUrl: 'http://127.0.0.1:9/oauth/token',
    zoomWebhookPort: 0,
    zoomWebhookHost: '127.0.0.1',
    asr: 'none',
    asrLanguage: 'en',
    asrMinConfidence: 0.6,
    asrMinWordsPerMinute: 10,
    asrTimeout: 600,
    asrOverTranscript: false,
    chapterMinSeconds: 30,
    ...overrides,
  };
}
