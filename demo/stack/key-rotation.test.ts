/**
 * A CloudFront key rotation end to end, on the local stand-in and the real auth server, following
 * the procedure of deploy/README.md: (1) the key group trusts the new key too; (2) the server holds
 * both and HLSGATE_CLOUDFRONT_ACTIVE_KEY_PAIR_ID names the new one; (3) once the old cookies have
 * expired, the old key leaves the key group and the server. No viewer is refused on the way.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_AUDIENCE } from '../../common/contracts.ts';
import { createLogger } from '../../common/log.ts';
import { loadServerConfig } from '../../server/config.ts';
import { type RunningServer, startServer } from '../../server/node.ts';
import { signViewToken } from '../../server/token.ts';
import { type DevKeyPair, loadOrCreateDevKeyPair } from './keys.ts';
import { type MediaHost, startMediaHost } from './media-host.ts';
import { type LocalS3, s3ClientConfig, startS3 } from './s3.ts';

const DIR = 'KeyRotationTestDir01';
const silent = createLogger({ name: 'test', level: 'silent' });

describe('CloudFront key rotation (stand-in + auth server)', () => {
  let dataDir: string;
  let s3: LocalS3;
  let client: S3Client;
  let host: MediaHost;
  let oldKey: DevKeyPair;
  let newKey: DevKeyPair;
  const secret = randomBytes(32).toString('base64url');
  const servers: RunningServer[] = [];

  /** The auth server as configured at one step of the rotation, behind the stand-in. */
  const authServer = async (settings: Record<string, string>) => {
    const config = loadServerConfig({
      HLSGATE_TOKEN_SECRETS: `moodle1:${secret}`,
      HLSGATE_TOKEN_ISSUERS: 'https://moodle.example.edu',
      HLSGATE_MEDIA_BASE_URLS: `${host.url}/lectures/`,
      HLSGATE_COOKIE_SECURE: 'false',
      HLSGATE_CLIENT_ADDRESS_HEADER: 'x-forwarded-for',
      HLSGATE_PORT: '0',
      ...settings,
    });
    const server = await startServer(config, { logger: silent });
    servers.push(server);
    host.setAuthTarget(server.url);
  };

  /** A session through the stand-in: the `Cookie` header a browser would send, and the key pair id. */
  const session = async () => {
    const iat = Math.floor(Date.now() / 1000);
    const token = signViewToken(
      { iss: 'https://moodle.example.edu', aud: TOKEN_AUDIENCE, sub: 'student', iat, exp: iat + 600, res: `${host.url}/lectures/${DIR}/` },
      { kid: 'moodle1', secret },
    );
    const res = await fetch(`${host.url}/_auth/session`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]!);
    return { cookie: cookies.join('; '), keyPairId: cookies.find((c) => c.startsWith('CloudFront-Key-Pair-Id='))!.split('=')[1] };
  };
  const play = async (cookie: string) => {
    const res = await fetch(`${host.url}/lectures/${DIR}/master.m3u8`, { headers: { Cookie: cookie } });
    await res.arrayBuffer();
    return { status: res.status, denied: res.headers.get('x-hlsgate-denied') };
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'hlsgate-rotation-'));
    oldKey = loadOrCreateDevKeyPair(dataDir);
    newKey = loadOrCreateDevKeyPair(dataDir, 'cloudfront-next');
    s3 = await startS3({ directory: join(dataDir, 's3'), buckets: ['media'] });
    client = new S3Client(s3ClientConfig(s3.endpoint));
    await client.send(new PutObjectCommand({ Bucket: 'media', Key: `lectures/${DIR}/master.m3u8`, Body: '#EXTM3U\n', ContentType: 'application/vnd.apple.mpegurl' }));
    host = await startMediaHost({ s3: client, bucket: 'media', prefix: 'lectures', publicKeys: { [oldKey.keyPairId]: oldKey.publicKeyPem }, allowedOrigins: [], logger: silent });
  });

  afterAll(async () => {
    for (const server of servers) await server.stop(1000);
    await host?.stop();
    client?.destroy();
    await s3?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('rolls from the old key to the new one without refusing a viewer', async () => {
    expect(newKey.keyPairId).not.toBe(oldKey.keyPairId);
    // Before: one key.
    await authServer({ HLSGATE_CLOUDFRONT_KEY_PAIR_ID: oldKey.keyPairId, HLSGATE_CLOUDFRONT_PRIVATE_KEY_FILE: oldKey.privateKeyFile });
    const before = await session();
    expect(before.keyPairId).toBe(oldKey.keyPairId);
    expect(await play(before.cookie)).toEqual({ status: 200, denied: null });
    // A key the distribution does not trust yet is refused: why step 1 comes first.
    host.setTrustedKeys({ [oldKey.keyPairId]: oldKey.publicKeyPem });
    await authServer({ HLSGATE_CLOUDFRONT_KEY_PAIR_ID: newKey.keyPairId, HLSGATE_CLOUDFRONT_PRIVATE_KEY_FILE: newKey.privateKeyFile });
    expect(await play((await session()).cookie)).toEqual({ status: 403, denied: 'unknown_key_pair' });

    // 1. The key group trusts both keys.
    host.setTrustedKeys({ [oldKey.keyPairId]: oldKey.publicKeyPem, [newKey.keyPairId]: newKey.publicKeyPem });
    // 2. The server holds both; the new one signs.
    await authServer({
      HLSGATE_CLOUDFRONT_KEY_PAIR_ID: oldKey.keyPairId,
      HLSGATE_CLOUDFRONT_PRIVATE_KEY_FILE: oldKey.privateKeyFile,
      HLSGATE_CLOUDFRONT_SECOND_KEY_PAIR_ID: newKey.keyPairId,
      HLSGATE_CLOUDFRONT_SECOND_PRIVATE_KEY_FILE: newKey.privateKeyFile,
      HLSGATE_CLOUDFRONT_ACTIVE_KEY_PAIR_ID: newKey.keyPairId,
    });
    const during = await session();
    expect(during.keyPairId).toBe(newKey.keyPairId);
    expect(await play(during.cookie)).toEqual({ status: 200, denied: null });
    // Cookies signed before the switch keep working until they expire.
    expect(await play(before.cookie)).toEqual({ status: 200, denied: null });

    // 3. After the cookie lifetime: the old key leaves the key group and the server.
    host.setTrustedKeys({ [newKey.keyPairId]: newKey.publicKeyPem });
    await authServer({ HLSGATE_CLOUDFRONT_KEY_PAIR_ID: newKey.keyPairId, HLSGATE_CLOUDFRONT_PRIVATE_KEY_FILE: newKey.privateKeyFile });
    const after = await session();
    expect(after.keyPairId).toBe(newKey.keyPairId);
    expect(await play(after.cookie)).toEqual({ status: 200, denied: null });
    expect(await play(during.cookie)).toEqual({ status: 200, denied: null });
    // A cookie of the old key that somehow outlived the wait is refused, as CloudFront would.
    expect(await play(before.cookie)).toEqual({ status: 403, denied: 'unknown_key_pair' });
  });
});
