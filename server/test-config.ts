/**
 * A complete ServerConfig with a fresh RSA key pair and view-token secret, for the server's tests
 * and benchmark (and anyone who needs a throwaway auth server). Not for production.
 */
import { createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import type { ViewTokenClaims } from '../common/contracts.ts';
import { SERVER_DEFAULTS, type ServerConfig } from './config.ts';
import { signViewToken } from './token.ts';

export interface TestServer {
  config: ServerConfig;
  publicKey: KeyObject;
  /** A signed view token for `res` (defaults: valid for 10 minutes from `nowSeconds`). */
  mint(res: string, overrides?: Partial<ViewTokenClaims> & Record<string, unknown>, nowSeconds?: number): string;
  /** `res` of a video under the first media base URL. */
  res(dir: string): string;
  secret: string;
  kid: string;
}

export const TEST_ISSUER = 'https://moodle.example.edu';

export function makeTestServer(overrides: Partial<ServerConfig> = {}, mediaBaseUrl = 'https://media.example.edu/lectures/'): TestServer {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'test';
  const secret = randomBytes(32).toString('base64url');
  const config: ServerConfig = {
    host: '127.0.0.1',
    port: 0,
    token: {
      secrets: { [kid]: secret },
      issuers: [TEST_ISSUER],
      mediaBaseUrls: [mediaBaseUrl],
      maxLifetimeSeconds: 7200,
      leewaySeconds: 30,
    },
    keyPairs: [{ keyPairId: 'KTESTKEYPAIR01', privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string }],
    activeKeyPairId: 'KTESTKEYPAIR01',
    cookie: { ttlSeconds: SERVER_DEFAULTS.cookieTtl, secure: true },
    allowedOrigins: [TEST_ISSUER],
    rateLimit: {
      perAddressPerMinute: SERVER_DEFAULTS.rateLimitPerAddress,
      perSubPerMinute: SERVER_DEFAULTS.rateLimitPerSub,
      maxEntries: SERVER_DEFAULTS.rateLimitEntries,
    },
    limits: { maxHeaderBytes: SERVER_DEFAULTS.maxHeaderBytes, maxBodyBytes: SERVER_DEFAULTS.maxBodyBytes },
    signatureCacheSize: SERVER_DEFAULTS.signatureCacheSize,
    ...overrides,
  };
  return {
    config,
    publicKey: createPublicKey(privateKey),
    secret,
    kid,
    res: (dir) => `${mediaBaseUrl}${dir}/`,
    mint(res, claimOverrides = {}, nowSeconds = Math.floor(Date.now() / 1000)) {
      const claims = { iss: TEST_ISSUER, aud: 'hlsgate', sub: '42', iat: nowSeconds, exp: nowSeconds + 600, res, ...claimOverrides };
      return signViewToken(claims as ViewTokenClaims, { kid, secret });
    },
  };
}
