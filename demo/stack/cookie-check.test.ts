import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { toCloudFrontBase64 } from '../../common/cloudfront-base64.ts';
import {
  type CookieCheckResult,
  checkSignedCookies,
  ipInCidr,
  parseCookies,
  parsePolicy,
  resourceMatches,
} from './cookie-check.ts';
import { cloudFrontSignature, cookieHeader, customPolicy, signedCookies } from './test-cookies.ts';

const trusted = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
const KEY_ID = 'KDEVTRUSTED01';
const publicKeys = { [KEY_ID]: trusted.publicKey.export({ type: 'spki', format: 'pem' }) as string };

const NOW = 1_800_000_000;
const DIR = 'AbCdEfGhIjKlMnOpQrStUv';
const OTHER = 'ZyXwVuTsRqPoNmLkJiHgFe';
const BASE = 'http://localhost:8787/lectures/';
const URL_720 = `${BASE}${DIR}/720p/index.m3u8`;

function check(cookies: Record<string, string> | string | undefined, url = URL_720, clientIp = '127.0.0.1', now = NOW): CookieCheckResult {
  const header = cookies === undefined || typeof cookies === 'string' ? cookies : cookieHeader(cookies);
  return checkSignedCookies({ cookieHeader: header, url, clientIp }, { publicKeys, nowSeconds: now });
}

const good = (extra: Partial<Parameters<typeof customPolicy>[0]> = {}) =>
  signedCookies(customPolicy({ resource: `${BASE}${DIR}/*`, dateLessThan: NOW + 60, ...extra }), trusted.privateKey, KEY_ID);

const reason = (result: CookieCheckResult) => (result.ok ? 'ok' : result.reason);

describe('checkSignedCookies', () => {
  it('accepts a custom policy signed by a trusted key for the requested URL', () => {
    expect(check(good())).toEqual({ ok: true, resource: `${BASE}${DIR}/*`, expiresAt: NOW + 60 });
    expect(reason(check(good(), `${BASE}${DIR}/master.m3u8`))).toBe('ok');
    expect(reason(check(good(), `${BASE}${DIR}/480p/seg_00001.ts?x=1`))).toBe('ok');
  });

  it('refuses when any of the three cookies is missing or empty', () => {
    expect(reason(check(undefined))).toBe('missing_cookie');
    expect(reason(check(''))).toBe('missing_cookie');
    for (const name of ['CloudFront-Policy', 'CloudFront-Signature', 'CloudFront-Key-Pair-Id']) {
      const cookies = good();
      delete cookies[name];
      const result = check(cookies);
      expect(result).toMatchObject({ ok: false, reason: 'missing_cookie' });
      expect(result.ok || result.detail).toContain(name);
      expect(reason(check({ ...good(), [name]: '' }))).toBe('missing_cookie');
    }
  });

  it('refuses a canned-policy cookie even when its signature is valid', () => {
    const expires = NOW + 60;
    const canned = `{"Statement":[{"Resource":"${URL_720}","Condition":{"DateLessThan":{"AWS:EpochTime":${expires}}}}]}`;
    const cookies = {
      'CloudFront-Expires': String(expires),
      'CloudFront-Signature': cloudFrontSignature(canned, trusted.privateKey),
      'CloudFront-Key-Pair-Id': KEY_ID,
    };
    expect(reason(check(cookies))).toBe('canned_policy');
  });

  it('refuses a tampered policy (other resource or later expiry under the old signature)', () => {
    const cookies = good();
    const forged = customPolicy({ resource: `${BASE}*`, dateLessThan: NOW + 60 });
    expect(reason(check({ ...cookies, 'CloudFront-Policy': toCloudFrontBase64(Buffer.from(forged).toString('base64')) }))).toBe(
      'bad_signature',
    );
    const longer = customPolicy({ resource: `${BASE}${DIR}/*`, dateLessThan: NOW + 6000 });
    expect(reason(check({ ...cookies, 'CloudFront-Policy': toCloudFrontBase64(Buffer.from(longer).toString('base64')) }))).toBe(
      'bad_signature',
    );
    const signature = cookies['CloudFront-Signature']!;
    const flipped = (signature[10] === 'A' ? 'B' : 'A');
    expect(reason(check({ ...cookies, 'CloudFront-Signature': signature.slice(0, 10) + flipped + signature.slice(11) }))).toBe(
      'bad_signature',
    );
  });

  it('refuses a signature by a key outside the trusted key group, and an unknown key pair id', () => {
    const policy = customPolicy({ resource: `${BASE}${DIR}/*`, dateLessThan: NOW + 60 });
    expect(reason(check(signedCookies(policy, stranger.privateKey, KEY_ID)))).toBe('bad_signature');
    expect(reason(check(signedCookies(policy, trusted.privateKey, 'KUNKNOWN')))).toBe('unknown_key_pair');
    expect(reason(check(signedCookies(policy, trusted.privateKey, 'constructor')))).toBe('unknown_key_pair');
    expect(reason(check(signedCookies(policy, trusted.privateKey, '__proto__')))).toBe('unknown_key_pair');
  });

  it('refuses expired and not-yet-valid cookies, in seconds', () => {
    expect(reason(check(good({ dateLessThan: NOW })))).toBe('expired');
    expect(reason(check(good({ dateLessThan: NOW + 1 })))).toBe('ok');
    expect(reason(check(good(), URL_720, '127.0.0.1', NOW + 60))).toBe('expired');
    expect(reason(check(good({ dateGreaterThan: NOW + 1 })))).toBe('not_yet_valid');
    expect(reason(check(good({ dateGreaterThan: NOW })))).toBe('ok');
  });

  it('refuses an expiry in milliseconds (a signing bug that would never expire)', () => {
    expect(check(good({ dateLessThan: (NOW + 60) * 1000 }))).toMatchObject({ ok: false, reason: 'policy_invalid' });
  });

  it("refuses another video's cookies and URLs outside the resource", () => {
    expect(reason(check(good(), `${BASE}${OTHER}/720p/index.m3u8`))).toBe('resource_mismatch');
    expect(reason(check(good(), `http://127.0.0.1:8787/lectures/${DIR}/720p/index.m3u8`))).toBe('resource_mismatch');
    expect(reason(check(good(), `https://localhost:8787/lectures/${DIR}/720p/index.m3u8`))).toBe('resource_mismatch');
    expect(reason(check(good(), `${BASE}${DIR}`))).toBe('resource_mismatch');
  });

  it('checks the IpAddress condition', () => {
    expect(reason(check(good({ sourceIp: '127.0.0.0/8' })))).toBe('ok');
    expect(reason(check(good({ sourceIp: '127.0.0.0/8' }), URL_720, '::ffff:127.0.0.1'))).toBe('ok');
    expect(reason(check(good({ sourceIp: '192.0.2.0/24' })))).toBe('ip_mismatch');
    expect(reason(check(good({ sourceIp: '::1/128' }), URL_720, '::1'))).toBe('ok');
    expect(reason(check(good({ sourceIp: '2001:db8::/32' }), URL_720, '::1'))).toBe('ip_mismatch');
    expect(reason(check(good({ sourceIp: 'localhost' })))).toBe('policy_invalid');
  });

  it('refuses values that are not CloudFront base64', () => {
    const cookies = good();
    expect(reason(check({ ...cookies, 'CloudFront-Policy': cookies['CloudFront-Policy']!.replace(/[-_~]/g, '+') + '+' }))).toBe(
      'bad_encoding',
    );
    expect(reason(check({ ...cookies, 'CloudFront-Policy': 'not base64!' }))).toBe('bad_encoding');
    expect(reason(check({ ...cookies, 'CloudFront-Signature': 'abc/def==' }))).toBe('bad_encoding');
    expect(reason(check({ ...cookies, 'CloudFront-Signature': 'A' }))).toBe('bad_encoding');
  });

  it('refuses a validly signed policy of the wrong shape', () => {
    const signed = (policy: string) => reason(check(signedCookies(policy, trusted.privateKey, KEY_ID)));
    const resource = `${BASE}${DIR}/*`;
    expect(signed(`{"Statement":[{"Resource":"${resource}"}]}`)).toBe('policy_invalid');
    expect(signed(`{"Statement":[{"Resource":"${resource}","Condition":{"DateGreaterThan":{"AWS:EpochTime":1}}}]}`)).toBe(
      'policy_invalid',
    );
    expect(signed(`{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":${NOW + 60}}}}]}`)).toBe('policy_invalid');
    const statement = `{"Resource":"${resource}","Condition":{"DateLessThan":{"AWS:EpochTime":${NOW + 60}}}}`;
    expect(signed(`{"Statement":[${statement}]}`)).toBe('ok');
    expect(signed(`{"Statement":[${statement},${statement}]}`)).toBe('policy_invalid');
    expect(signed(`{"Statement":${statement}}`)).toBe('policy_invalid');
    expect(signed(`{"Statement": [${statement}]}`)).toBe('policy_invalid');
    expect(signed(`{"Statement":[${statement}],"Extra":1}`)).toBe('policy_invalid');
    expect(signed(`{"Statement":[{"Resource":"${resource}","Condition":{"DateLessThan":{"AWS:EpochTime":"${NOW + 60}"}}}]}`)).toBe(
      'policy_invalid',
    );
    expect(signed('[1,2]')).toBe('policy_invalid');
    expect(signed('not json')).toBe('policy_invalid');
  });

  it('uses the first cookie of a name, as browsers send the longest path first', () => {
    const other = signedCookies(customPolicy({ resource: `${BASE}${OTHER}/*`, dateLessThan: NOW + 60 }), trusted.privateKey, KEY_ID);
    expect(reason(check(`${cookieHeader(good())}; ${cookieHeader(other)}`))).toBe('ok');
    expect(reason(check(`${cookieHeader(other)}; ${cookieHeader(good())}`))).toBe('resource_mismatch');
  });
});

describe('resourceMatches', () => {
  it('treats * as any run of characters and ? as exactly one', () => {
    expect(resourceMatches('http://h/a/*', 'http://h/a/')).toBe(true);
    expect(resourceMatches('http://h/a/*', 'http://h/a/b/c?d=e')).toBe(true);
    expect(resourceMatches('http://h/a/*', 'http://h/ab')).toBe(false);
    expect(resourceMatches('http*://h/a/*', 'https://h/a/x')).toBe(true);
    expect(resourceMatches('http://h/a/?.ts', 'http://h/a/1.ts')).toBe(true);
    expect(resourceMatches('http://h/a/?.ts', 'http://h/a/12.ts')).toBe(false);
    expect(resourceMatches('http://h/a/?.ts', 'http://h/a/.ts')).toBe(false);
    expect(resourceMatches('http://h/a/x.ts', 'http://h/a/x.ts')).toBe(true);
    expect(resourceMatches('http://h/a/x.ts', 'http://h/a/xxts')).toBe(false);
    expect(resourceMatches('http://h/a/(x)+[y]{1}$^|\\', 'http://h/a/(x)+[y]{1}$^|\\')).toBe(true);
    expect(resourceMatches('*', 'anything at all')).toBe(true);
  });
});

describe('ipInCidr', () => {
  it('matches IPv4, IPv6, mapped addresses and bare addresses', () => {
    expect(ipInCidr('10.1.2.3', '10.0.0.0/8')).toBe(true);
    expect(ipInCidr('11.1.2.3', '10.0.0.0/8')).toBe(false);
    expect(ipInCidr('::ffff:10.1.2.3', '10.0.0.0/8')).toBe(true);
    expect(ipInCidr('192.0.2.7', '192.0.2.7')).toBe(true);
    expect(ipInCidr('192.0.2.8', '192.0.2.7/32')).toBe(false);
    expect(ipInCidr('2001:db8::1', '2001:db8::/32')).toBe(true);
    expect(ipInCidr('10.1.2.3', '10.0.0.0/33')).toBe(false);
    expect(ipInCidr('junk', '10.0.0.0/8')).toBe(false);
  });
});

describe('parseCookies and parsePolicy', () => {
  it('parses cookie headers, arrays and quoted values', () => {
    expect([...parseCookies(['a=1; b="2"', 'c=3;;d'])]).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
    ]);
  });

  it('describes what is wrong with a policy', () => {
    expect(parsePolicy('{"Statement":[{"Resource":"x","Condition":{"DateLessThan":{"AWS:EpochTime":1},"Foo":{}}}]}')).toBe(
      'unknown condition "Foo"',
    );
    expect(parsePolicy('{"Statement":[{"Resource":"x","Condition":{"DateLessThan":{"AWS:EpochTime":1}}}]}')).toEqual({
      resource: 'x',
      dateLessThan: 1,
    });
  });
});
