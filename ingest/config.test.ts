import { describe, expect, it } from 'vitest';
import { ConfigError } from '../common/config.ts';
import { loadIngestConfig, stagesSources } from './config.ts';
import { s3ClientOptions } from './s3.ts';

const minimal = {
  HLSGATE_S3_BUCKET: 'media',
  HLSGATE_MEDIA_BASE_URL: 'https://media.example.edu/lectures/',
  HLSGATE_REPOSITORY_ROOT: '/srv/moodle-repository',
};

function problems(env: Record<string, string>): string {
  try {
    loadIngestConfig({ env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadIngestConfig', () => {
  it('has production defaults', () => {
    const config = loadIngestConfig({ env: minimal });
    expect(config).toMatchObject({
      s3Prefix: 'lectures',
      s3Accelerate: false,
      x264Preset: 'veryfast',
      uploadConcurrency: 16,
      zoomRecordingType: 'shared_screen_with_speaker_view',
    });
    expect(config.ladder.map((r) => r.height)).toEqual([1080, 720, 480, 360]);
    expect(config.watermarkText).toBe('{institution} {course}');
    expect(loadIngestConfig({ env: { ...minimal, HLSGATE_WATERMARK_TEXT: 'none' } }).watermarkText).toBe('');
    expect(s3ClientOptions(config).endpoint).toBeUndefined();
  });

  it('reads the catalog, staging, segment format and x264 settings, and names a bad one', () => {
    const config = loadIngestConfig({ env: minimal });
    expect(config).toMatchObject({ segmentFormat: 'mpegts', x264LowerPreset: 'superfast', x264Params: 'aq-mode=2' });
    expect(config.catalogUrl).toBeUndefined();
    expect(stagesSources(config)).toBe(false);
    const shared = loadIngestConfig({ env: { ...minimal, HLSGATE_CATALOG_URL: 'postgres://ingest@db.example.edu/hlsgate', HLSGATE_SEGMENT_FORMAT: 'fmp4' } });
    expect(shared).toMatchObject({ catalogUrl: 'postgres://ingest@db.example.edu/hlsgate', segmentFormat: 'fmp4' });
    expect(stagesSources(shared)).toBe(true);
    expect(stagesSources({ ...shared, stageSources: false })).toBe(false);
    const bad = problems({ ...minimal, HLSGATE_CATALOG_URL: 'mysql://x', HLSGATE_SEGMENT_FORMAT: 'webm', HLSGATE_X264_PARAMS: 'ref=2;rm -rf' });
    expect(bad).toContain('HLSGATE_CATALOG_URL');
    expect(bad).toContain('HLSGATE_SEGMENT_FORMAT');
    expect(bad).toContain('HLSGATE_X264_PARAMS');
  });

  it('reads the ladder, the preset and the local S3 endpoint', () => {
    const config = loadIngestConfig({
      env: { ...minimal, HLSGATE_LADDER: '720:2800,360:800', HLSGATE_X264_PRESET: 'ultrafast', HLSGATE_S3_ENDPOINT: 'http://127.0.0.1:4569', HLSGATE_S3_FORCE_PATH_STYLE: 'true' },
    });
    expect(config.ladder).toEqual([{ height: 720, videoKbps: 2800 }, { height: 360, videoKbps: 800 }]);
    const options = s3ClientOptions(config);
    expect(options).toMatchObject({ endpoint: 'http://127.0.0.1:4569', forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  });

  it('names each bad setting', () => {
    const message = problems({ HLSGATE_MEDIA_BASE_URL: 'https://media.example.edu/lectures', HLSGATE_LADDER: '720', HLSGATE_X264_PRESET: 'warp', HLSGATE_UPLOAD_CONCURRENCY: '0' });
    expect(message).toContain('HLSGATE_S3_BUCKET: is required');
    expect(message).toContain('HLSGATE_REPOSITORY_ROOT: is required');
    expect(message).toMatch(/HLSGATE_MEDIA_BASE_URL: must end with \//);
    expect(message).toMatch(/HLSGATE_LADDER: "720" is not height:kbps/);
    expect(message).toContain('HLSGATE_X264_PRESET');
    expect(message).toContain('HLSGATE_UPLOAD_CONCURRENCY');
  });

  it('uses Transfer Acceleration in production and refuses it with path-style or a custom endpoint', () => {
    const config = loadIngestConfig({ env: { ...minimal, HLSGATE_S3_ACCELERATE: 'true' } });
    expect(s3ClientOptions(config).useAccelerateEndpoint).toBe(true);
    expect(problems({ ...minimal, HLSGATE_S3_ACCELERATE: 'true', HLSGATE_S3_ENDPOINT: 'http://127.0.0.1:4569' })).toMatch(
      /HLSGATE_S3_ACCELERATE: .*cannot be combined with a custom endpoint/,
    );
    expect(problems({ ...minimal, HLSGATE_S3_ACCELERATE: 'true', HLSGATE_S3_FORCE_PATH_STYLE: 'true' })).toMatch(/virtual-hosted/);
    expect(() => s3ClientOptions({ ...config, s3ForcePathStyle: true })).toThrow(/virtual-hosted/);
  });

  it('wants the media base URL to end with the S3 prefix', () => {
    expect(problems({ ...minimal, HLSGATE_S3_PREFIX: 'media/lectures' })).toMatch(/HLSGATE_MEDIA_BASE_URL: its path must end with \/media\/lectures\//);
    expect(loadIngestConfig({ env: { ...minimal, HLSGATE_MEDIA_BASE_URL: 'https://m.example.edu/media/lectures/', HLSGATE_S3_PREFIX: 'media/lectures' } }).s3Prefix).toBe('media/lectures');
  });

  it('wants all Zoom credentials or none, and both S3 keys or neither', () => {
    expect(problems({ ...minimal, HLSGATE_ZOOM_CLIENT_ID: 'x' })).toMatch(/set all three or none/);
    expect(problems({ ...minimal, HLSGATE_S3_ACCESS_KEY_ID: 'x' })).toMatch(/set both or neither/);
  });
});
