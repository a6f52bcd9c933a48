import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromCloudFrontBase64 } from '../common/cloudfront-base64.ts';
import { buildPolicy, clearingCookieStrings, cookieStrings, signPolicy } from './policy.ts';

const RES = 'https://media.example.edu/lectures/AbCdEfGhIjKlMnOpQrStUv/';
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keyPair = { keyPairId: 'K2JCJMDEHXQW5F', privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
const publicKey = createPublicKey(privateKey);

describe('buildPolicy', () => {
  it('is the custom policy with the wildcard resource, seconds, and no whitespace', () => {
    expect(buildPolicy(RES, 1_800_000_060)).toBe(
      '{"Statement":[{"Resource":"https://media.example.edu/lectures/AbCdEfGhIjKlMnOpQrStUv/*","Condition":{"DateLessThan":{"AWS:EpochTime":1800000060}}}]}',
    );
  });

  it('refuses milliseconds-looking or fractional expiries', () => {
    expect(() => buildPolicy(RES, 1.5)).toThrow(RangeError);
    expect(() => buildPolicy(RES, 0)).toThrow(RangeError);
    expect(() => buildPolicy(RES, Number.NaN)).toThrow(RangeError);
  });
});

describe('signPolicy', () => {
  it('signs the exact policy bytes with RSA-SHA1 and encodes both in CloudFront base64', () => {
    const policy = buildPolicy(RES, 1_800_000_060);
    const values = signPolicy(policy, keyPair);
    expect(values.keyPairId).toBe('K2JCJMDEHXQW5F');
    expect(values.policy).toMatch(/^[A-Za-z0-9~_-]+$/);
    expect(values.signature).toMatch(/^[A-Za-z0-9~_-]+$/);
    expect(Buffer.from(fromCloudFrontBase64(values.policy), 'base64').toString('utf8')).toBe(policy);
    const signature = Buffer.from(fromCloudFrontBase64(values.signature), 'base64');
    expect(signature).toHaveLength(256);
    expect(verify('RSA-SHA1', Buffer.from(policy), publicKey, signature)).toBe(true);
    // Not over anything else: one changed byte of the policy and the signature fails.
    expect(verify('RSA-SHA1', Buffer.from(policy.replace('1800000060', '1800000061')), publicKey, signature)).toBe(false);
    expect(verify('RSA-SHA256', Buffer.from(policy), publicKey, signature)).toBe(false);
  });

  it('is deterministic (PKCS#1 v1.5), which is what makes a shared signature cacheable', () => {
    const policy = buildPolicy(RES, 1_800_000_060);
    expect(signPolicy(policy, keyPair)).toEqual(signPolicy(policy, keyPair));
  });
});

describe('cookie strings', () => {
  const values = { policy: 'eyJTdGF0ZW1lbnQiOlt7~', signature: 'abc-_~', keyPairId: 'K2JCJMDEHXQW5F' };
  const path = '/lectures/AbCdEfGhIjKlMnOpQrStUv/';

  it('are scoped to the video path, HttpOnly, Secure, SameSite=Lax', () => {
    expect(cookieStrings(values, { path, secure: true })).toEqual([
      'CloudFront-Policy=eyJTdGF0ZW1lbnQiOlt7~; Path=/lectures/AbCdEfGhIjKlMnOpQrStUv/; HttpOnly; Secure; SameSite=Lax',
      'CloudFront-Signature=abc-_~; Path=/lectures/AbCdEfGhIjKlMnOpQrStUv/; HttpOnly; Secure; SameSite=Lax',
      'CloudFront-Key-Pair-Id=K2JCJMDEHXQW5F; Path=/lectures/AbCdEfGhIjKlMnOpQrStUv/; HttpOnly; Secure; SameSite=Lax',
    ]);
  });

  it('carry Domain when configured, and drop Secure only when asked', () => {
    expect(cookieStrings(values, { path, domain: 'media.example.edu', secure: true })[0]).toBe(
      'CloudFront-Policy=eyJTdGF0ZW1lbnQiOlt7~; Path=/lectures/AbCdEfGhIjKlMnOpQrStUv/; Domain=media.example.edu; HttpOnly; Secure; SameSite=Lax',
    );
    expect(cookieStrings(values, { path, secure: false })[2]).toBe(
      'CloudFront-Key-Pair-Id=K2JCJMDEHXQW5F; Path=/lectures/AbCdEfGhIjKlMnOpQrStUv/; HttpOnly; SameSite=Lax',
    );
  });

  it('clear the same three cookies on the same path', () => {
    expect(clearingCookieStrings({ path, secure: true })).toEqual([
      'CloudFront-Policy=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/lectures/AbCdEfGhIjKlMnOpQrStUv/; HttpOnly; Secure; SameSite=Lax',
      'CloudFront-Signature=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/lectures/AbCdEfGhIjKlMnOpQrStUv/; HttpOnly; Secure; SameSite=Lax',
      'CloudFront-Key-Pair-Id=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/lectures/AbCdEfGhIjKlMnOpQrStUv/; HttpOnly; Secure; SameSite=Lax',
    ]);
  });
});
