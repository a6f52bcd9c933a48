import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, envName, loadConfig, setting } from './config.ts';

const shape = {
  port: setting.integer(1, 65535),
  tokenSecrets: setting.pairs(),
  mediaBaseUrls: setting.list(),
  secureCookies: setting.boolean().default(true),
};

describe('loadConfig', () => {
  it('maps camelCase keys to HLSGATE_ names', () => {
    expect(envName('cookieTtl')).toBe('HLSGATE_COOKIE_TTL');
    expect(envName('s3Bucket')).toBe('HLSGATE_S3_BUCKET');
  });

  it('parses environment strings', () => {
    const config = loadConfig(shape, {
      env: {
        HLSGATE_PORT: '8788',
        HLSGATE_TOKEN_SECRETS: 'k1:abc,k2:d:e',
        HLSGATE_MEDIA_BASE_URLS: 'https://a/x/, https://b/y/',
        HLSGATE_SECURE_COOKIES: 'false',
      },
    });
    expect(config).toEqual({
      port: 8788,
      tokenSecrets: { k1: 'abc', k2: 'd:e' },
      mediaBaseUrls: ['https://a/x/', 'https://b/y/'],
      secureCookies: false,
    });
  });

  it('names every bad or missing setting', () => {
    try {
      loadConfig(shape, { env: { HLSGATE_PORT: 'eighty', HLSGATE_TOKEN_SECRETS: 'nocolon' } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      expect(message).toContain('HLSGATE_PORT');
      expect(message).toContain('HLSGATE_TOKEN_SECRETS');
      expect(message).toContain('HLSGATE_MEDIA_BASE_URLS: is required');
    }
  });

  it('reads a JSON file and lets the environment override it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hlsgate-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ port: 1, tokenSecrets: { a: 'b' }, mediaBaseUrls: ['https://m/l/'] }));
    const config = loadConfig(shape, { file, env: { HLSGATE_PORT: '2' } });
    expect(config.port).toBe(2);
    expect(config.tokenSecrets).toEqual({ a: 'b' });
    writeFileSync(file, JSON.stringify({ port: 1, bogus: true }));
    expect(() => loadConfig(shape, { file, env: {} })).toThrow(/unknown setting "bogus"/);
  });
});
