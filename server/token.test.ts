import { createHmac, createSign, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ViewTokenClaims } from '../common/contracts.ts';
import {
  MAX_TOKEN_LENGTH,
  TokenError,
  checkResource,
  compileVerifyOptions,
  mediaBaseUrlProblem,
  signViewToken,
  verifyViewToken,
  verifyViewTokenAllowingExpired,
  type TokenVerifyOptions,
} from './token.ts';

const NOW = 1_800_000_000;
const SECRET = 'k'.repeat(32) + '-first-secret';
const SECRET2 = 's'.repeat(40);
const BASE = 'https://media.example.edu/lectures/';
const DIR = 'AbCdEfGhIjKlMnOpQrStUv';
const RES = `${BASE}${DIR}/`;

const options: TokenVerifyOptions = {
  secrets: { k1: SECRET, k2: SECRET2 },
  issuers: ['https://moodle.example.edu'],
  mediaBaseUrls: [BASE, 'http://localhost:8787/lectures/'],
  maxLifetimeSeconds: 3600,
  leewaySeconds: 30,
};

function claims(overrides: Record<string, unknown> = {}): ViewTokenClaims {
  return {
    iss: 'https://moodle.example.edu',
    aud: 'hlsgate',
    sub: '42',
    iat: NOW - 10,
    exp: NOW + 600,
    res: RES,
    ...overrides,
  } as ViewTokenClaims;
}

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Builds a token from raw parts, HMAC-signed with `secret` unless a signature is given. */
function rawToken(header: unknown, payload: unknown, secret: string | Buffer = SECRET, signature?: string): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${signature ?? createHmac('sha256', secret).update(input).digest('base64url')}`;
}

function refusal(token: string, opts = options, now = NOW): { code: string; message: string } {
  try {
    verifyViewToken(token, opts, now);
  } catch (error) {
    expect(error).toBeInstanceOf(TokenError);
    const e = error as TokenError;
    return { code: e.code, message: e.message };
  }
  throw new Error('the token was accepted');
}

describe('signViewToken', () => {
  it('serialises header and claims in the agreed order, base64url without padding', () => {
    const token = signViewToken(claims({ wm: 'Ana Ruiz · 42', cid: '7' }), { kid: 'k1', secret: SECRET });
    const [h, p, s] = token.split('.');
    expect(Buffer.from(h!, 'base64url').toString()).toBe('{"alg":"HS256","typ":"JWT","kid":"k1"}');
    expect(Buffer.from(p!, 'base64url').toString()).toBe(
      `{"iss":"https://moodle.example.edu","aud":"hlsgate","sub":"42","iat":${NOW - 10},"exp":${NOW + 600},"res":"${RES}","wm":"Ana Ruiz · 42","cid":"7"}`,
    );
    expect(token).not.toContain('=');
    expect(s).toBe(createHmac('sha256', SECRET).update(`${h}.${p}`).digest('base64url'));
  });

  it('round-trips through verifyViewToken with every configured kid', () => {
    const c = claims({ nbf: NOW - 5, wm: 'w', cid: 'c' });
    expect(verifyViewToken(signViewToken(c, { kid: 'k1', secret: SECRET }), options, NOW)).toEqual(c);
    expect(verifyViewToken(signViewToken(c, { kid: 'k2', secret: SECRET2 }), options, NOW)).toEqual(c);
  });

  it('accepts other spellings of a valid header (key order, no typ), checked in full', () => {
    for (const header of [{ typ: 'JWT', kid: 'k1', alg: 'HS256' }, { alg: 'HS256', kid: 'k1' }]) {
      expect(verifyViewToken(rawToken(header, claims()), options, NOW)).toEqual(claims());
    }
    // A canonical header does not vouch for the signature.
    const canonical = Buffer.from('{"alg":"HS256","typ":"JWT","kid":"k1"}').toString('base64url');
    expect(refusal(`${canonical}.${b64(claims())}.${'A'.repeat(43)}`).message).toBe('signature does not match');
    // Another spelling of the same header bytes (stray low bits in the last character) is refused.
    const last = canonical.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = canonical.slice(0, -1) + alphabet[alphabet.indexOf(last) + 1]!;
    expect(Buffer.from(sibling, 'base64url').toString()).toBe(Buffer.from(canonical, 'base64url').toString());
    const input = `${sibling}.${b64(claims())}`;
    expect(refusal(`${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`).message).toBe(
      'header is not canonical base64url',
    );
  });

  it('returns only the known claims', () => {
    const token = rawToken({ alg: 'HS256', typ: 'JWT', kid: 'k1' }, { ...claims(), extra: { a: 1 } });
    expect(verifyViewToken(token, options, NOW)).toEqual(claims());
  });
});

describe('verifyViewToken refuses', () => {
  const header = { alg: 'HS256', typ: 'JWT', kid: 'k1' };

  it('alg none, with or without a signature', () => {
    expect(refusal(rawToken({ alg: 'none', typ: 'JWT', kid: 'k1' }, claims(), SECRET, ''))).toMatchObject({ code: 'token_invalid' });
    expect(refusal(`${b64({ alg: 'none', kid: 'k1' })}.${b64(claims())}.`).code).toBe('token_invalid');
    expect(refusal(rawToken({ alg: 'none', typ: 'JWT', kid: 'k1' }, claims())).message).toMatch(/alg/);
    expect(refusal(rawToken({ alg: 'hs256', typ: 'JWT', kid: 'k1' }, claims())).message).toMatch(/alg/);
  });

  it('RS256 tokens, and HS256 tokens keyed with an RSA public key (algorithm confusion)', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const input = `${b64({ alg: 'RS256', typ: 'JWT', kid: 'k1' })}.${b64(claims())}`;
    const rsSig = createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url');
    expect(refusal(`${input}.${rsSig}`)).toMatchObject({ code: 'token_invalid', message: 'alg must be HS256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
    // The attacker knows the public key and uses it as the HMAC secret.
    expect(refusal(rawToken(header, claims(), pem))).toMatchObject({ code: 'token_invalid', message: 'signature does not match' });
    // Even a kid whose "secret" is the public key cannot be smuggled in through the header.
    expect(refusal(rawToken({ ...header, jwk: { kty: 'RSA' } }, claims(), SECRET)).message).toMatch(/header parameter "jwk"/);
  });

  it('a bad signature, a truncated one, and one from another secret', () => {
    const token = signViewToken(claims(), { kid: 'k1', secret: SECRET });
    const [h, p, s] = token.split('.') as [string, string, string];
    const flipped = (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    expect(refusal(`${h}.${p}.${flipped}`).message).toBe('signature does not match');
    expect(refusal(`${h}.${p}.${s.slice(0, 20)}`).message).toBe('signature does not match');
    expect(refusal(signViewToken(claims(), { kid: 'k1', secret: SECRET2 })).message).toBe('signature does not match');
    // A valid signature over other claims.
    expect(refusal(`${h}.${b64(claims({ sub: '43' }))}.${s}`).message).toBe('signature does not match');
  });

  it('a missing or unknown kid, including inherited property names', () => {
    expect(refusal(rawToken({ alg: 'HS256', typ: 'JWT' }, claims())).message).toBe('kid is missing');
    expect(refusal(rawToken({ ...header, kid: 7 }, claims())).message).toBe('kid is missing');
    expect(refusal(rawToken({ ...header, kid: 'k3' }, claims())).message).toBe('kid is unknown');
    expect(refusal(rawToken({ ...header, kid: 'constructor' }, claims())).message).toBe('kid is unknown');
    expect(refusal(rawToken({ ...header, kid: '__proto__' }, claims())).message).toBe('kid is unknown');
  });

  it('a wrong typ and unexpected header parameters (crit, jku)', () => {
    expect(refusal(rawToken({ ...header, typ: 'at+jwt' }, claims())).message).toBe('typ must be JWT');
    expect(refusal(rawToken({ ...header, crit: ['exp'] }, claims())).code).toBe('token_invalid');
    expect(refusal(rawToken({ ...header, jku: 'https://evil/' }, claims())).code).toBe('token_invalid');
  });

  it('an oversized token before decoding anything', () => {
    const huge = 'a'.repeat(1024 * 1024);
    expect(refusal(huge)).toMatchObject({ code: 'bad_request' });
    expect(refusal(`${huge}.${huge}.${huge}`)).toMatchObject({ code: 'bad_request' });
    const padded = rawToken(header, claims({ wm: 'x'.repeat(MAX_TOKEN_LENGTH) }));
    expect(refusal(padded).code).toBe('bad_request');
  });

  it('not three parts, empty parts, invalid or non-canonical base64url', () => {
    const good = signViewToken(claims(), { kid: 'k1', secret: SECRET });
    const [h, p, s] = good.split('.') as [string, string, string];
    expect(refusal('').message).toBe('token is missing');
    expect(refusal(`${h}.${p}`).code).toBe('token_invalid');
    expect(refusal(`${good}.${s}`).code).toBe('token_invalid');
    expect(refusal(`..`).code).toBe('token_invalid');
    expect(refusal(`${h}.${p}.`).message).toBe('signature is not base64url');
    expect(refusal(`${h}=.${p}.${s}`).message).toBe('header is not base64url');
    const badPayload = `${h}.${p.slice(0, -1)}+`; // signed correctly, so only the decoding can fail
    expect(refusal(`${badPayload}.${createHmac('sha256', SECRET).update(badPayload).digest('base64url')}`).message).toBe(
      'payload is not base64url',
    );
    expect(refusal(`${h}.${p}.${s}=`).message).toBe('signature is not base64url');
    expect(refusal(`${h}.${p}.${s.slice(0, -1)}/`).message).toBe('signature is not base64url');
    expect(refusal(`${h} .${p}.${s}`).code).toBe('token_invalid');
    // Base64 of length 4n+1 cannot exist; a last character with stray low bits is not canonical.
    expect(refusal(`${h}.${p}.${s}AA`).message).toBe('signature is not base64url');
    const sigBytes = Buffer.from(s, 'base64url');
    const lastChar = s.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(lastChar) ^ 1]!; // same decoded bytes, different spelling
    expect(Buffer.from(s.slice(0, -1) + sibling, 'base64url').equals(sigBytes)).toBe(true);
    expect(refusal(`${h}.${p}.${s.slice(0, -1)}${sibling}`).message).toBe('signature is not canonical base64url');
  });

  it('a header or payload that is not a JSON object', () => {
    expect(refusal(`${b64('not json')}.${b64(claims())}.AAAA`).message).toBe('header is not UTF-8 JSON');
    expect(refusal(`${b64([header])}.${b64(claims())}.AAAA`).message).toBe('header must be a JSON object');
    expect(refusal(`${b64('null')}.${b64(claims())}.AAAA`).message).toBe('header must be a JSON object');
    expect(refusal(rawToken(header, [claims()])).message).toBe('payload must be a JSON object');
    expect(refusal(rawToken(header, '"a string"')).message).toBe('payload must be a JSON object');
    expect(refusal(rawToken(header, '42')).message).toBe('payload must be a JSON object');
    expect(refusal(rawToken(header, '{"iss":')).message).toBe('payload is not UTF-8 JSON');
    const invalidUtf8 = Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]).toString('base64url');
    const input = `${b64(header)}.${invalidUtf8}`;
    expect(refusal(`${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`).message).toBe(
      'payload is not UTF-8 JSON',
    );
  });

  it('claims of the wrong type', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ iss: 1 }, /^iss must be/],
      [{ iss: undefined }, /^iss must be/],
      [{ aud: ['hlsgate'] }, /^aud must be/],
      [{ sub: 42 }, /^sub must be/],
      [{ sub: '' }, /^sub must be/],
      [{ sub: 'x'.repeat(600) }, /^sub is too long/],
      [{ sub: null }, /^sub must be/],
      [{ exp: String(NOW + 600) }, /^exp must be/],
      [{ exp: NOW + 0.5 }, /^exp must be/],
      [{ exp: 1e300 }, /^exp must be/],
      [{ iat: undefined }, /^iat must be/],
      [{ iat: -1 }, /^iat must be/],
      [{ nbf: 'now' }, /^nbf must be/],
      [{ res: { href: RES } }, /^res must be/],
      [{ res: undefined }, /^res must be/],
      [{ wm: 5 }, /^wm must be/],
      [{ cid: 7 }, /^cid must be/],
      [{ cid: true }, /^cid must be/],
    ];
    for (const [overrides, message] of cases) {
      const payload = claims(overrides);
      const result = refusal(rawToken(header, payload));
      expect(result.code, JSON.stringify(overrides)).toBe('token_invalid');
      expect(result.message, JSON.stringify(overrides)).toMatch(message);
    }
  });

  it('an issuer outside the allowlist and a wrong audience', () => {
    expect(refusal(rawToken(header, claims({ iss: 'https://evil.example' }))).message).toBe('iss is not an allowed issuer');
    expect(refusal(rawToken(header, claims({ iss: 'https://moodle.example.edu/' }))).message).toBe('iss is not an allowed issuer');
    expect(refusal(rawToken(header, claims({ aud: 'other' }))).message).toBe('aud must be "hlsgate"');
  });

  it('a kid bound to another issuer, when keys are bound (several sites on one auth server)', () => {
    const shared: TokenVerifyOptions = {
      ...options,
      issuers: ['https://moodle.example.edu', 'https://other.example.org'],
      keyIssuers: { k1: ['https://moodle.example.edu'], k2: ['https://other.example.org'] },
    };
    const k1 = { kid: 'k1', secret: SECRET };
    const k2 = { kid: 'k2', secret: SECRET2 };
    expect(verifyViewToken(signViewToken(claims(), k1), shared, NOW).sub).toBe('42');
    expect(verifyViewToken(signViewToken(claims({ iss: 'https://other.example.org' }), k2), shared, NOW).sub).toBe('42');
    // The other site's key speaking for this one, and this one's for the other: refused.
    for (const token of [signViewToken(claims(), k2), signViewToken(claims({ iss: 'https://other.example.org' }), k1)]) {
      expect(() => verifyViewToken(token, shared, NOW)).toThrow('kid is not bound to this iss');
    }
    // Unbound (one site): either key for either issuer, as before.
    const unbound = { ...shared, keyIssuers: undefined };
    expect(verifyViewToken(signViewToken(claims(), k2), unbound, NOW).sub).toBe('42');
  });

  it('an expired token, within and beyond the leeway', () => {
    const token = rawToken(header, claims({ iat: NOW - 700, exp: NOW - 30 }));
    expect(refusal(token)).toEqual({ code: 'token_expired', message: 'token has expired' });
    expect(verifyViewToken(token, options, NOW - 1).sub).toBe('42'); // exp + leeway not yet reached
    expect(refusal(token, { ...options, leewaySeconds: 0 }, NOW - 29).code).toBe('token_expired');
    // Clearing a session accepts an expired token, but nothing else that is wrong with it.
    expect(verifyViewTokenAllowingExpired(token, options, NOW + 86_400).sub).toBe('42');
    const forged = rawToken(header, claims({ iat: NOW - 700, exp: NOW - 30 }), SECRET2);
    expect(() => verifyViewTokenAllowingExpired(forged, options, NOW)).toThrow('signature does not match');
  });

  it('a token not yet valid or issued in the future', () => {
    expect(refusal(rawToken(header, claims({ nbf: NOW + 31 }))).message).toBe('token is not valid yet (nbf)');
    expect(verifyViewToken(rawToken(header, claims({ nbf: NOW + 30 })), options, NOW).nbf).toBe(NOW + 30);
    expect(refusal(rawToken(header, claims({ iat: NOW + 31, exp: NOW + 600 }))).message).toBe('iat is in the future');
  });

  it('a lifetime above the maximum, and exp not after iat', () => {
    expect(refusal(rawToken(header, claims({ iat: NOW, exp: NOW + 3601 }))).message).toBe('token lives longer than 3600 s');
    expect(verifyViewToken(rawToken(header, claims({ iat: NOW, exp: NOW + 3600 })), options, NOW).exp).toBe(NOW + 3600);
    expect(refusal(rawToken(header, claims({ iat: NOW, exp: NOW }))).message).toBe('exp must be after iat');
  });

  it('a res on another host, and every other res rule, with resource_forbidden', () => {
    const result = refusal(rawToken(header, claims({ res: `https://evil.example/lectures/${DIR}/` })));
    expect(result).toEqual({ code: 'resource_forbidden', message: 'res is not under an allowed media base URL' });
  });
});

describe('checkResource', () => {
  const bases = [BASE, 'http://localhost:8787/lectures/'];
  const refused = (res: string) => {
    try {
      checkResource(res, bases);
    } catch (error) {
      expect((error as TokenError).code).toBe('resource_forbidden');
      return (error as TokenError).message;
    }
    throw new Error(`accepted ${res}`);
  };

  it('accepts a base plus one dir and a trailing slash, and gives the cookie path', () => {
    expect(checkResource(RES, bases)).toEqual({ res: RES, base: BASE, dir: DIR, path: `/lectures/${DIR}/` });
    expect(checkResource(`http://localhost:8787/lectures/${DIR}/`, bases).path).toBe(`/lectures/${DIR}/`);
  });

  it('with nested bases, the longest base counts and a res at or above any base is refused', () => {
    const nested = ['https://media.example.edu/', BASE];
    expect(checkResource(RES, nested)).toMatchObject({ base: BASE, dir: DIR, path: `/lectures/${DIR}/` });
    expect(checkResource(RES, [...nested].reverse())).toMatchObject({ base: BASE, dir: DIR });
    expect(checkResource(`https://media.example.edu/${DIR}/`, nested)).toMatchObject({ base: 'https://media.example.edu/', path: `/${DIR}/` });
    expect(() => checkResource(`${BASE}${DIR}/x/`, nested)).toThrow('exactly one video directory');
    // A base whose last segment looks like a <dir>: under the shorter base it would pass as one
    // video and its cookies would open every video of the longer base.
    const folder = 'https://media.example.edu/lecture-recordings/';
    expect(() => checkResource(folder, ['https://media.example.edu/', folder])).toThrow('is a media base URL or lies above one');
    expect(() => checkResource(folder, [folder, 'https://media.example.edu/'])).toThrow('is a media base URL or lies above one');
    const deeper = `https://media.example.edu/${DIR}/sub/`;
    expect(() => checkResource(`https://media.example.edu/${DIR}/`, ['https://media.example.edu/', deeper])).toThrow('lies above one');
    expect(checkResource(`${folder}${DIR}/`, ['https://media.example.edu/', folder])).toMatchObject({ base: folder, dir: DIR });
  });

  it.each([
    [`${BASE}${DIR}`, /must end with \//],
    [`${BASE}${DIR}/seg/`, /exactly one video directory/],
    [`${BASE}`, /is a media base URL or lies above one/],
    [`https://media.example.edu/`, /is a media base URL or lies above one/],
    [`${BASE}short/`, /exactly one video directory/],
    [`${BASE}${'a'.repeat(129)}/`, /exactly one video directory/],
    [`${BASE}${DIR}/../`, /dot segments/],
    [`${BASE}../${DIR}/`, /dot segments/],
    [`${BASE}./${DIR}/`, /dot segments/],
    [`${BASE}${DIR}%2f/`, /percent-encoding/],
    [`${BASE}${DIR}%2F/`, /percent-encoding/],
    [`${BASE}%2e%2e/${DIR}/`, /percent-encoding/],
    [`${BASE}${DIR}\\/`, /backslashes/],
    [`https://media.example.edu\\lectures\\${DIR}/`, /backslashes/],
    [`${BASE}${DIR}/?a=1`, /query/],
    [`${BASE}${DIR}/#x`, /fragment/],
    [`${BASE}${DIR}/*`, /wildcard/],
    [`https://user@media.example.edu/lectures/${DIR}/`, /userinfo/],
    [`https://media.example.edu@evil.example/lectures/${DIR}/`, /userinfo/],
    [`ftp://media.example.edu/lectures/${DIR}/`, /http\(s\) URL/],
    [`//media.example.edu/lectures/${DIR}/`, /http\(s\) URL/],
    [`HTTPS://media.example.edu/lectures/${DIR}/`, /http\(s\) URL/],
    [`http://media.example.edu/lectures/${DIR}/`, /not under an allowed/],
    [`https://media.example.edu:8443/lectures/${DIR}/`, /not under an allowed/],
    [`https://media.example.edu:443/lectures/${DIR}/`, /not under an allowed/],
    [`https://MEDIA.example.edu/lectures/${DIR}/`, /not under an allowed/],
    [`https://media.example.edu.evil.example/lectures/${DIR}/`, /not under an allowed/],
    [`https://media.example.edu/other/${DIR}/`, /not under an allowed/],
    [`https://media.example.edu/lectures${DIR}/`, /not under an allowed/],
    [`http://127.0.0.1:8787/lectures/${DIR}/`, /not under an allowed/],
    [`${BASE}${DIR} /`, /printable ASCII/],
    [`${BASE}${DIR}\u0000/`, /printable ASCII/],
    [`${BASE}АbCdEfGhIjKlMnOpQrStUv/`, /printable ASCII/],
    [`${BASE}${'a'.repeat(3000)}/`, /too long/],
  ])('refuses %s', (res, message) => {
    expect(refused(res)).toMatch(message);
  });
});

describe('verify options', () => {
  it('bind every kid to configured issuers only', () => {
    expect(() => compileVerifyOptions({ ...options, keyIssuers: { k1: ['https://moodle.example.edu'] } })).toThrow(
      'keyIssuers: kid "k2" is bound to no issuer',
    );
    expect(() =>
      compileVerifyOptions({ ...options, keyIssuers: { k1: ['https://moodle.example.edu'], k2: ['https://evil.example'] } }),
    ).toThrow('keyIssuers: "https://evil.example" (kid "k2") is not one of the issuers');
    expect(() =>
      compileVerifyOptions({ ...options, keyIssuers: { k1: ['https://moodle.example.edu'], k2: ['https://moodle.example.edu'], k3: ['x'] } }),
    ).toThrow('keyIssuers: kid "k3" has no secret');
  });

  it('are checked once, naming the bad option', () => {
    expect(() => compileVerifyOptions({ ...options, secrets: {} })).toThrow(/^secrets/);
    expect(() => compileVerifyOptions({ ...options, secrets: { k: 'short' } })).toThrow(/shorter than 32 bytes/);
    expect(() => compileVerifyOptions({ ...options, issuers: [] })).toThrow(/^issuers/);
    expect(() => compileVerifyOptions({ ...options, mediaBaseUrls: ['https://m.example/lectures'] })).toThrow(/must end with \//);
    expect(() => compileVerifyOptions({ ...options, maxLifetimeSeconds: 0 })).toThrow(/^maxLifetimeSeconds/);
    expect(() => compileVerifyOptions({ ...options, leewaySeconds: 61 })).toThrow(/^leewaySeconds/);
  });

  it('media base URLs must be canonical http(s) with no query, fragment, userinfo or encoding', () => {
    expect(mediaBaseUrlProblem('https://media.example.edu/lectures/')).toBeNull();
    expect(mediaBaseUrlProblem('http://localhost:8787/lectures/')).toBeNull();
    expect(mediaBaseUrlProblem('https://media.example.edu/')).toBeNull();
    expect(mediaBaseUrlProblem('lectures/')).toMatch(/absolute/);
    expect(mediaBaseUrlProblem('ftp://m/x/')).toMatch(/http/);
    expect(mediaBaseUrlProblem('https://u:p@m.example/x/')).toMatch(/userinfo/);
    expect(mediaBaseUrlProblem('https://m.example/x/?a')).toMatch(/query/);
    expect(mediaBaseUrlProblem('https://m.example/x/#a')).toMatch(/fragment/);
    expect(mediaBaseUrlProblem('https://m.example/x%20y/')).toMatch(/%/);
    expect(mediaBaseUrlProblem('https://M.example/x/')).toMatch(/canonical/);
    expect(mediaBaseUrlProblem('https://m.example:443/x/')).toMatch(/canonical/);
    expect(mediaBaseUrlProblem('https://m.example/a/../x/')).toMatch(/canonical/);
  });
});
