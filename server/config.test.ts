import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../common/config.ts';
import { loadServerConfig } from './config.ts';

const dir = mkdtempSync(join(tmpdir(), 'hlsgate-server-config-'));
const pem = (bits = 2048) =>
  generateKeyPairSync('rsa', { modulusLength: bits }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const PEM1 = pem();
const PEM2 = pem();
const keyFile = join(dir, 'cf.pem');
writeFileSync(keyFile, PEM1);

const valid = {
  HLSGATE_TOKEN_SECRETS: `moodle1:${'a'.repeat(32)},moodle2:${'b'.repeat(40)}`,
  HLSGATE_TOKEN_ISSUERS: 'https://moodle.example.edu',
  HLSGATE_MEDIA_BASE_URLS: 'https://media.example.edu/lectures/',
  HLSGATE_CLOUDFRONT_KEY_PAIR_ID: 'K2JCJMDEHXQW5F',
  HLSGATE_CLOUDFRONT_PRIVATE_KEY_FILE: keyFile,
};

function problems(env: Record<string, string>): string {
  try {
    loadServerConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('the configuration was accepted');
}

describe('loadServerConfig', () => {
  it('applies the defaults', () => {
    const config = loadServerConfig(valid);
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8788,
      token: {
        secrets: { moodle1: 'a'.repeat(32), moodle2: 'b'.repeat(40) },
        issuers: ['https://moodle.example.edu'],
        mediaBaseUrls: ['https://media.example.edu/lectures/'],
        maxLifetimeSeconds: 7200,
        leewaySeconds: 30,
      },
      keyPairs: [{ keyPairId: 'K2JCJMDEHXQW5F', privateKeyPem: PEM1 }],
      activeKeyPairId: 'K2JCJMDEHXQW5F',
      cookie: { ttlSeconds: 600, secure: true },
      allowedOrigins: [],
      rateLimit: { perAddressPerMinute: 1200, perSubPerMinute: 120, maxEntries: 20_000 },
      limits: { maxHeaderBytes: 8192, maxBodyBytes: 1024 },
      signatureCacheSize: 2000,
    });
  });

  it('names every missing required variable at once', () => {
    const message = problems({});
    for (const name of [
      'HLSGATE_TOKEN_SECRETS',
      'HLSGATE_TOKEN_ISSUERS',
      'HLSGATE_MEDIA_BASE_URLS',
      'HLSGATE_CLOUDFRONT_KEY_PAIR_ID',
    ]) {
      expect(message).toContain(`${name}: is required`);
    }
    expect(message).toContain('HLSGATE_CLOUDFRONT_PRIVATE_KEY_FILE or HLSGATE_CLOUDFRONT_PRIVATE_KEY: one is required');
  });

  it.each([
    ['HLSGATE_TOKEN_SECRETS', 'k1:short', /HLSGATE_TOKEN_SECRETS: the secret of kid "k1" is shorter than 32 bytes/],
    ['HLSGATE_TOKEN_SECRETS', 'nocolon', /HLSGATE_TOKEN_SECRETS: .*not key:value/],
    ['HLSGATE_TOKEN_ISSUERS', ' , ', /HLSGATE_TOKEN_ISSUERS: at least one issuer/],
    ['HLSGATE_TOKEN_KEY_ISSUERS', 'k1:https://evil.example', /HLSGATE_TOKEN_KEY_ISSUERS: "https:\/\/evil.example" is not in HLSGATE_TOKEN_ISSUERS/],
    ['HLSGATE_TOKEN_KEY_ISSUERS', 'k9:https://moodle.example.edu', /HLSGATE_TOKEN_KEY_ISSUERS: kid "k9" has no secret/],
    ['HLSGATE_TOKEN_MAX_LIFETIME', '10', /HLSGATE_TOKEN_MAX_LIFETIME/],
    ['HLSGATE_TOKEN_LEEWAY', '61', /HLSGATE_TOKEN_LEEWAY/],
    ['HLSGATE_MEDIA_BASE_URLS', 'https://media.example.edu/lectures', /HLSGATE_MEDIA_BASE_URLS: "https:\/\/media.example.edu\/lectures" must end with \//],
    ['HLSGATE_MEDIA_BASE_URLS', 'https://media.example.edu/lectures/?x', /HLSGATE_MEDIA_BASE_URLS: .* must not have a query/],
    ['HLSGATE_MEDIA_BASE_URLS', 'media.example.edu/lectures/', /HLSGATE_MEDIA_BASE_URLS: .* absolute/],
    ['HLSGATE_COOKIE_TTL', '5', /HLSGATE_COOKIE_TTL/],
    ['HLSGATE_COOKIE_TTL', 'ten', /HLSGATE_COOKIE_TTL/],
    ['HLSGATE_COOKIE_DOMAIN', 'media example', /HLSGATE_COOKIE_DOMAIN: is not a host name/],
    ['HLSGATE_COOKIE_SECURE', 'maybe', /HLSGATE_COOKIE_SECURE/],
    ['HLSGATE_COOKIE_SECURE', 'false', /HLSGATE_COOKIE_SECURE: false is allowed only when every media base URL is http:\/\/localhost/],
    ['HLSGATE_ALLOWED_ORIGINS', 'https://moodle.example.edu/', /HLSGATE_ALLOWED_ORIGINS: .* must be an origin like "https:\/\/moodle.example.edu"/],
    ['HLSGATE_ALLOWED_ORIGINS', '*', /HLSGATE_ALLOWED_ORIGINS: "\*" is not an origin/],
    ['HLSGATE_ALLOWED_ORIGINS', 'moodleappfs://localhost/', /HLSGATE_ALLOWED_ORIGINS: .* app origin like "moodleappfs:\/\/localhost"/],
    ['HLSGATE_ALLOWED_ORIGINS', 'javascript:alert(1)', /HLSGATE_ALLOWED_ORIGINS: .* must use http or https/],
    ['HLSGATE_PORT', '70000', /HLSGATE_PORT/],
    ['HLSGATE_RATE_LIMIT_PER_ADDRESS', '-1', /HLSGATE_RATE_LIMIT_PER_ADDRESS/],
    ['HLSGATE_RATE_LIMIT_PER_SUB', 'many', /HLSGATE_RATE_LIMIT_PER_SUB/],
    ['HLSGATE_RATE_LIMIT_ENTRIES', '5', /HLSGATE_RATE_LIMIT_ENTRIES/],
    ['HLSGATE_CLIENT_ADDRESS_HEADER', 'x forwarded', /HLSGATE_CLIENT_ADDRESS_HEADER: is not a header name/],
    ['HLSGATE_MAX_HEADER_BYTES', '10', /HLSGATE_MAX_HEADER_BYTES/],
    ['HLSGATE_MAX_BODY_BYTES', 'big', /HLSGATE_MAX_BODY_BYTES/],
    ['HLSGATE_SIGNATURE_CACHE_SIZE', '-5', /HLSGATE_SIGNATURE_CACHE_SIZE/],
    ['HLSGATE_CLOUDFRONT_PRIVATE_KEY_FILE', join(dir, 'missing.pem'), /HLSGATE_CLOUDFRONT_PRIVATE_KEY_FILE: cannot read .*ENOENT/],
    ['HLSGATE_CLOUDFRONT_ACTIVE_KEY_PAIR_ID', 'KOTHER', /HLSGATE_CLOUDFRONT_ACTIVE_KEY_PAIR_ID: "KOTHER" is neither/],
  ])('names %s when it is %j', (name, value, message) => {
    expect(problems({ ...valid, [name]: value })).toMatch(message);
  });

  it('binds key ids to issuers when HLSGATE_TOKEN_KEY_ISSUERS is set, and then every kid', () => {
    expect(loadServerConfig(valid).token.keyIssuers).toBeUndefined();
    const two = { ...valid, HLSGATE_TOKEN_ISSUERS: 'https://moodle.example.edu,https://b.example.org' };
    const config = loadServerConfig({ ...two, HLSGATE_TOKEN_KEY_ISSUERS: 'moodle1:https://moodle.example.edu,moodle2:https://b.example.org https://moodle.example.edu' });
    expect(config.token.keyIssuers).toEqual({
      moodle1: ['https://moodle.example.edu'],
      moodle2: ['https://b.example.org', 'https://moodle.example.edu'],
    });
    expect(problems({ ...two, HLSGATE_TOKEN_KEY_ISSUERS: 'moodle1:https://moodle.example.edu' })).toContain(
      'HLSGATE_TOKEN_KEY_ISSUERS: kid "moodle2" is bound to no issuer',
    );
  });

  it('allows Secure off for plain-http localhost media only', () => {
    const config = loadServerConfig({
      ...valid,
      HLSGATE_MEDIA_BASE_URLS: 'http://localhost:8787/lectures/,http://127.0.0.1:8787/lectures/',
      HLSGATE_COOKIE_SECURE: 'false',
    });
    expect(config.cookie.secure).toBe(false);
  });

  it('reads the private key from the environment, with literal \\n too', () => {
    const env = { ...valid, HLSGATE_CLOUDFRONT_PRIVATE_KEY_FILE: '', HLSGATE_CLOUDFRONT_PRIVATE_KEY: PEM1.replace(/\n/g, '\\n') };
    expect(loadServerConfig(env).keyPairs[0]!.privateKeyPem).toBe(PEM1);
  });

  it('wants exactly one source of the private key, and an RSA one of 2048 bits or more', () => {
    expect(problems({ ...valid, HLSGATE_CLOUDFRONT_PRIVATE_KEY_FILE: '' })).toContain(
      'HLSGATE_CLOUDFRONT_PRIVATE_KEY_FILE or HLSGATE_CLOUDFRONT_PRIVATE_KEY: one is required',
    );
    expect(problems({ ...valid, HLSGATE_CLOUDFRONT_PRIVATE_KEY: PEM2 })).toContain('set only one');
    expect(problems({ ...valid, HLSGATE_CLOUDFRONT_PRIVATE_KEY_FILE: '', HLSGATE_CLOUDFRONT_PRIVATE_KEY: 'not a pem' })).toMatch(
      /HLSGATE_CLOUDFRONT_PRIVATE_KEY: not a usable RSA private key/,
    );
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(problems({ ...valid, HLSGATE_CLOUDFRONT_PRIVATE_KEY_FILE: '', HLSGATE_CLOUDFRONT_PRIVATE_KEY: ec })).toMatch(/CloudFront needs RSA/);
    expect(problems({ ...valid, HLSGATE_CLOUDFRONT_PRIVATE_KEY_FILE: '', HLSGATE_CLOUDFRONT_PRIVATE_KEY: pem(1024) })).toMatch(/shorter than 2048/);
  });

  it('holds a second key pair for rotation and signs with the active one', () => {
    const env = {
      ...valid,
      HLSGATE_CLOUDFRONT_SECOND_KEY_PAIR_ID: 'K3NEWKEYPAIRID',
      HLSGATE_CLOUDFRONT_SECOND_PRIVATE_KEY: PEM2,
      HLSGATE_CLOUDFRONT_ACTIVE_KEY_PAIR_ID: 'K3NEWKEYPAIRID',
    };
    const config = loadServerConfig(env);
    expect(config.keyPairs.map((k) => k.keyPairId)).toEqual(['K2JCJMDEHXQW5F', 'K3NEWKEYPAIRID']);
    expect(config.keyPairs[1]!.privateKeyPem).toBe(PEM2.trim());
    expect(config.activeKeyPairId).toBe('K3NEWKEYPAIRID');
    expect(problems({ ...valid, HLSGATE_CLOUDFRONT_SECOND_PRIVATE_KEY: PEM2 })).toContain(
      'HLSGATE_CLOUDFRONT_SECOND_KEY_PAIR_ID: required when a second private key is given',
    );
    expect(problems({ ...valid, HLSGATE_CLOUDFRONT_SECOND_KEY_PAIR_ID: 'K3' })).toContain(
      'HLSGATE_CLOUDFRONT_SECOND_PRIVATE_KEY_FILE or HLSGATE_CLOUDFRONT_SECOND_PRIVATE_KEY: one is required',
    );
    expect(
      problems({ ...valid, HLSGATE_CLOUDFRONT_SECOND_KEY_PAIR_ID: 'K2JCJMDEHXQW5F', HLSGATE_CLOUDFRONT_SECOND_PRIVATE_KEY: PEM2 }),
    ).toContain('must differ');
  });

  it("takes the Moodle App's web-view origins: moodleappfs://localhost (iOS) beside http ones", () => {
    const config = loadServerConfig({ ...valid, HLSGATE_ALLOWED_ORIGINS: 'https://moodle.example.edu,http://localhost,moodleappfs://localhost' });
    expect(config.allowedOrigins).toEqual(['https://moodle.example.edu', 'http://localhost', 'moodleappfs://localhost']);
  });

  it('reads a JSON file named by HLSGATE_SERVER_CONFIG, under the environment', () => {
    const file = join(dir, 'server.json');
    writeFileSync(file, JSON.stringify({ cookieTtl: 120, allowedOrigins: ['https://moodle.example.edu'], port: 9000 }));
    const config = loadServerConfig({ ...valid, HLSGATE_SERVER_CONFIG: file, HLSGATE_PORT: '9001' });
    expect(config.cookie.ttlSeconds).toBe(120);
    expect(config.allowedOrigins).toEqual(['https://moodle.example.edu']);
    expect(config.port).toBe(9001);
  });
});
