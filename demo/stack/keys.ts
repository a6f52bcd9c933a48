/**
 * Dev secrets of the local stack: a CloudFront key pair (RSA 2048) and the view-token secret,
 * generated on first start into `<dataDir>/keys/` (mode 0600) and reused after, so cookies and
 * tokens minted before a restart stay valid.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** `kid` of the dev view-token secret. */
export const DEV_TOKEN_KID = 'dev';

export interface DevKeys {
  /** Derived from the public key, in the shape of a CloudFront public key id (`K` + 13 characters). */
  keyPairId: string;
  privateKeyFile: string;
  privateKeyPem: string;
  publicKeyPem: string;
  tokenKid: string;
  /** ≥ 32 bytes of UTF-8 (base64url of 48 random bytes). */
  tokenSecret: string;
}

/**
 * Writes `content` to `file` only if it does not exist yet, atomically (a temp file linked into
 * place), and returns what the file holds afterwards: two stacks starting together agree.
 */
function createOnce(file: string, make: () => string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, make(), { mode: 0o600 });
  try {
    linkSync(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(temp, { force: true });
  }
  return readFileSync(file, 'utf8');
}

/** CloudFront public key ids are `K` + 13 upper-case letters and digits. */
export function keyPairIdOf(publicKeyPem: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const digest = createHash('sha256').update(publicKeyPem).digest();
  let id = 'K';
  for (let i = 0; i < 13; i++) id += alphabet[digest[i]! % 32];
  return id;
}

export interface DevKeyPair {
  keyPairId: string;
  privateKeyFile: string;
  privateKeyPem: string;
  publicKeyPem: string;
}

/**
 * A CloudFront key pair in `<dataDir>/keys/<name>-private.pem`, made on first use. The stack's is
 * `cloudfront`; a key rotation adds another (`loadOrCreateDevKeyPair(dir, 'cloudfront-next')`).
 */
export function loadOrCreateDevKeyPair(dataDir: string, name = 'cloudfront'): DevKeyPair {
  if (!/^[a-z0-9-]+$/.test(name)) throw new TypeError(`key name "${name}": use a-z, 0-9 and -`);
  const dir = join(dataDir, 'keys');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const privateKeyFile = join(dir, `${name}-private.pem`);
  const privateKeyPem = createOnce(privateKeyFile, () =>
    generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  );
  chmodSync(privateKeyFile, 0o600);
  const publicKeyPem = createPublicKey(createPrivateKey(privateKeyPem)).export({ type: 'spki', format: 'pem' }) as string;
  return { keyPairId: keyPairIdOf(publicKeyPem), privateKeyFile, privateKeyPem, publicKeyPem };
}

export function loadOrCreateDevKeys(dataDir: string): DevKeys {
  const keyPair = loadOrCreateDevKeyPair(dataDir);
  const tokenFile = join(dataDir, 'keys', 'token-secret');
  const tokenSecret = createOnce(tokenFile, () => randomBytes(48).toString('base64url')).trim();
  chmodSync(tokenFile, 0o600);
  return { ...keyPair, tokenKid: DEV_TOKEN_KID, tokenSecret };
}
