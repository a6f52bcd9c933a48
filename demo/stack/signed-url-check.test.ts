import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { toCloudFrontBase64 } from '../../common/cloudfront-base64.ts';
import type { CookieCheckResult } from './cookie-check.ts';
import { checkSignedRequest, checkSignedUrl, isSignedUrl, parseQuery } from './signed-url-check.ts';
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

/** `Policy=…&Signature=…&Key-Pair-Id=…` for `policy`, from the same independent signer as the cookie tests. */
function signedQuery(policy: string, key = trusted.privateKey, keyPairId = KEY_ID): string {
  const c = signedCookies(policy, key, keyPairId);
  return `Policy=${c['CloudFront-Policy']}&Signature=${c['CloudFront-Signature']}&Key-Pair-Id=${c['CloudFront-Key-Pair-Id']}`;
}
const goodPolicy = (extra: Partial<Parameters<typeof customPolicy>[0]> = {}) =>
  customPolicy({ resource: `${BASE}${DIR}/*`, dateLessThan: NOW + 60, ...extra });
const good = (extra: Partial<Parameters<typeof customPolicy>[0]> = {}) => signedQuery(goodPolicy(extra));

function check(url: string, clientIp = '127.0.0.1', now = NOW): CookieCheckResult {
  return checkSignedUrl({ url, clientIp }, { publicKeys, nowSeconds: now });
}
const reason = (result: CookieCheckResult) => (result.ok ? 'ok' : result.reason);
const at = (query: string, url = URL_720) => `${url}?${query}`;
const param = (query: string, name: string) => new URLSearchParams(query).get(name)!;
const replaceParam = (query: string, name: string, value: string) =>
  query.replace(new RegExp(`(^|&)${name}=[^&]*`), `$1${name}=${value}`);

describe('checkSignedUrl', () => {
  it('accepts a custom policy signed by a trusted key for the requested URL', () => {
    expect(check(at(good()))).toEqual({ ok: true, resource: `${BASE}${DIR}/*`, expiresAt: NOW + 60 });
    expect(reason(check(at(good(), `${BASE}${DIR}/master.m3u8`)))).toBe('ok');
    expect(reason(check(`${BASE}${DIR}/480p/seg_00001.ts?x=1&${good()}`))).toBe('ok');
    // Percent-encoded unreserved characters are the same characters.
    expect(reason(check(at(good().replace(/~/g, '%7E'))))).toBe('ok');
  });

  it('refuses when any of the three parameters is missing, empty or given twice', () => {
    for (const name of ['Policy', 'Signature', 'Key-Pair-Id']) {
      const without = good()
        .split('&')
        .filter((p) => !p.startsWith(`${name}=`))
        .join('&');
      const result = check(at(without));
      expect(result).toMatchObject({ ok: false, reason: 'missing_param' });
      expect(result.ok || result.detail).toContain(name);
      expect(reason(check(at(replaceParam(good(), name, ''))))).toBe('missing_param');
      expect(reason(check(at(`${good()}&${name}=${param(good(), name)}`)))).toBe('missing_param');
    }
    expect(reason(check(at('Key-Pair-Id=' + KEY_ID)))).toBe('missing_param');
  });

  it('refuses a canned-policy URL even when its signature is valid', () => {
    const expires = NOW + 60;
    const canned = `{"Statement":[{"Resource":"${URL_720}","Condition":{"DateLessThan":{"AWS:EpochTime":${expires}}}}]}`;
    const url = at(`Expires=${expires}&Signature=${cloudFrontSignature(canned, trusted.privateKey)}&Key-Pair-Id=${KEY_ID}`);
    expect(reason(check(url))).toBe('canned_policy');
  });

  it('refuses a tampered policy (other resource or later expiry under the old signature)', () => {
    const query = good();
    const forged = toCloudFrontBase64(Buffer.from(customPolicy({ resource: `${BASE}*`, dateLessThan: NOW + 60 })).toString('base64'));
    expect(reason(check(at(replaceParam(query, 'Policy', forged))))).toBe('bad_signature');
    const longer = toCloudFrontBase64(Buffer.from(goodPolicy({ dateLessThan: NOW + 6000 })).toString('base64'));
    expect(reason(check(at(replaceParam(query, 'Policy', longer))))).toBe('bad_signature');
    const signature = param(query, 'Signature');
    const flipped = signature.slice(0, 10) + (signature[10] === 'A' ? 'B' : 'A') + signature.slice(11);
    expect(reason(check(at(replaceParam(query, 'Signature', flipped))))).toBe('bad_signature');
  });

  it('refuses a signature by a key outside the trusted key group, and an unknown key pair id', () => {
    expect(reason(check(at(signedQuery(goodPolicy(), stranger.privateKey))))).toBe('bad_signature');
    expect(reason(check(at(signedQuery(goodPolicy(), trusted.privateKey, 'KUNKNOWN'))))).toBe('unknown_key_pair');
    expect(reason(check(at(signedQuery(goodPolicy(), trusted.privateKey, '__proto__'))))).toBe('unknown_key_pair');
  });

  it('refuses expired and not-yet-valid URLs, in seconds', () => {
    expect(reason(check(at(good({ dateLessThan: NOW }))))).toBe('expired');
    expect(reason(check(at(good({ dateLessThan: NOW + 1 }))))).toBe('ok');
    expect(reason(check(at(good()), '127.0.0.1', NOW + 60))).toBe('expired');
    expect(reason(check(at(good({ dateGreaterThan: NOW + 1 }))))).toBe('not_yet_valid');
  });

  it('refuses an expiry in milliseconds (a signing bug that would never expire)', () => {
    expect(check(at(good({ dateLessThan: (NOW + 60) * 1000 })))).toMatchObject({ ok: false, reason: 'policy_invalid' });
  });

  it("refuses another video's policy and URLs outside the resource", () => {
    expect(reason(check(at(good(), `${BASE}${OTHER}/720p/index.m3u8`)))).toBe('resource_mismatch');
    const otherVideo = signedQuery(customPolicy({ resource: `${BASE}${OTHER}/*`, dateLessThan: NOW + 60 }));
    expect(reason(check(at(otherVideo)))).toBe('resource_mismatch');
    expect(reason(check(at(good(), `http://127.0.0.1:8787/lectures/${DIR}/720p/index.m3u8`)))).toBe('resource_mismatch');
    expect(reason(check(at(good(), `${BASE}${DIR}`)))).toBe('resource_mismatch');
  });

  it('matches the resource against the URL without the signing parameters, other parameters kept', () => {
    const exact = signedQuery(customPolicy({ resource: `${URL_720}?size=large`, dateLessThan: NOW + 60 }));
    expect(reason(check(`${URL_720}?size=large&${exact}`))).toBe('ok');
    expect(reason(check(`${URL_720}?${exact}&size=large`))).toBe('ok');
    expect(reason(check(`${URL_720}?size=small&${exact}`))).toBe('resource_mismatch');
    expect(reason(check(at(exact)))).toBe('resource_mismatch');
    const bare = signedQuery(customPolicy({ resource: URL_720, dateLessThan: NOW + 60 }));
    expect(reason(check(at(bare)))).toBe('ok');
  });

  it('checks the IpAddress condition', () => {
    expect(reason(check(at(good({ sourceIp: '127.0.0.0/8' }))))).toBe('ok');
    expect(reason(check(at(good({ sourceIp: '192.0.2.0/24' }))))).toBe('ip_mismatch');
  });

  it('refuses values that are not CloudFront base64 and queries that are not percent-encoding', () => {
    const query = good();
    expect(reason(check(at(replaceParam(query, 'Policy', 'not%20base64!'))))).toBe('bad_encoding');
    expect(reason(check(at(replaceParam(query, 'Signature', 'abc%2Fdef%3D%3D'))))).toBe('bad_encoding');
    expect(reason(check(at(replaceParam(query, 'Signature', 'A'))))).toBe('bad_encoding');
    expect(reason(check(at(`${query}&x=%E0%A4%A`)))).toBe('bad_encoding');
  });

  it('refuses a validly signed policy of the wrong shape', () => {
    const resource = `${BASE}${DIR}/*`;
    expect(reason(check(at(signedQuery(`{"Statement":[{"Resource":"${resource}"}]}`))))).toBe('policy_invalid');
    expect(reason(check(at(signedQuery(`{"Statement": [{"Resource":"${resource}","Condition":{"DateLessThan":{"AWS:EpochTime":${NOW + 60}}}}]}`))))).toBe(
      'policy_invalid',
    );
  });

  it('verifies with the Hash-Algorithm the URL names (SHA1 by default, or SHA256), and no other', () => {
    const policy = goodPolicy();
    const sha256 = toCloudFrontBase64(sign('RSA-SHA256', Buffer.from(policy), trusted.privateKey).toString('base64'));
    const query256 = replaceParam(signedQuery(policy), 'Signature', sha256);
    expect(reason(check(at(`${query256}&Hash-Algorithm=SHA256`)))).toBe('ok');
    expect(reason(check(at(query256)))).toBe('bad_signature');
    expect(reason(check(at(`${good()}&Hash-Algorithm=SHA1`)))).toBe('ok');
    expect(reason(check(at(`${good()}&Hash-Algorithm=MD5`)))).toBe('bad_encoding');
  });
});

describe('checkSignedRequest: a signed URL decides alone, as CloudFront documents', () => {
  const cookies = cookieHeader(signedCookies(goodPolicy(), trusted.privateKey, KEY_ID));
  const badCookies = cookieHeader(signedCookies(goodPolicy({ dateLessThan: NOW - 1 }), trusted.privateKey, KEY_ID));
  const decide = (url: string, cookieHeaderValue: string | undefined) =>
    checkSignedRequest({ url, cookieHeader: cookieHeaderValue, clientIp: '127.0.0.1' }, { publicKeys, nowSeconds: NOW });

  it('uses the cookies when the URL carries no signing parameter', () => {
    expect(decide(URL_720, cookies)).toMatchObject({ ok: true, via: 'cookie' });
    expect(decide(`${URL_720}?x=1&policy=lowercase`, cookies)).toMatchObject({ ok: true, via: 'cookie' });
    expect(decide(URL_720, badCookies)).toMatchObject({ ok: false, reason: 'expired', via: 'cookie' });
  });

  it('uses the query alone when it carries any signing parameter, whatever the cookies', () => {
    expect(decide(at(good()), badCookies)).toMatchObject({ ok: true, via: 'query' });
    expect(decide(at(good()), undefined)).toMatchObject({ ok: true, via: 'query' });
    expect(decide(at(good({ dateLessThan: NOW - 1 })), cookies)).toMatchObject({ ok: false, reason: 'expired', via: 'query' });
    for (const name of ['Expires', 'Policy', 'Signature', 'Key-Pair-Id', 'Hash-Algorithm']) {
      expect(decide(at(`${name}=x`), cookies), name).toMatchObject({ ok: false, via: 'query' });
    }
  });

  it('knows a signed URL by its parameter names, exactly', () => {
    expect(isSignedUrl(at(good()))).toBe(true);
    expect(isSignedUrl(URL_720)).toBe(false);
    expect(isSignedUrl(`${URL_720}?Policyx=1&xSignature=2`)).toBe(false);
    expect(isSignedUrl(`${URL_720}?Key-Pair-Id`)).toBe(true);
    expect(parseQuery('a=1&&b&c=%41')).toEqual([
      { raw: 'a=1', name: 'a', value: '1' },
      { raw: 'b', name: 'b', value: '' },
      { raw: 'c=%41', name: 'c', value: 'A' },
    ]);
  });
});
