/**
 * The shared view-token vectors, seen from the auth server: signViewToken mints exactly the bytes
 * PHP mints (moodle-filter/classes/local/token_minter.php, checked by PHPUnit against the same file),
 * verifyViewToken accepts or refuses each vector with the expected code, and a token minted by
 * running PHP here is accepted.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ViewTokenClaims } from '../../common/contracts.ts';
import { signViewToken, TokenError, verifyViewToken, type TokenVerifyOptions } from '../../server/token.ts';

const here = dirname(fileURLToPath(import.meta.url));

interface Vector {
  name: string;
  description: string;
  kid?: string;
  secret?: string;
  claims?: ViewTokenClaims;
  token: string;
  expect: 'ok' | 'token_expired' | 'token_invalid' | 'resource_forbidden' | 'bad_request';
}

const file = JSON.parse(readFileSync(join(here, 'fixtures/token-vectors.json'), 'utf8')) as {
  now: number;
  verify: TokenVerifyOptions;
  vectors: Vector[];
};

function outcome(token: string, now = file.now): string {
  try {
    verifyViewToken(token, file.verify, now);
    return 'ok';
  } catch (error) {
    if (error instanceof TokenError) return error.code;
    throw error;
  }
}

/** Mints with the PHP minter, as Moodle's web service does: one php process for all requests. */
function phpMint(requests: { kid: string; secret: string; claims: unknown }[]): string[] {
  const out = execFileSync('php', [join(here, 'core/mint_token_cli.php')], { input: JSON.stringify(requests), encoding: 'utf8' });
  return out.trim().split('\n');
}

describe('shared token vectors', () => {
  it('covers acceptance and every refusal code the server gives for a bad token', () => {
    const expects = new Set(file.vectors.map((vector) => vector.expect));
    for (const code of ['ok', 'token_expired', 'token_invalid', 'resource_forbidden']) expect(expects).toContain(code);
  });

  for (const vector of file.vectors) {
    it(`${vector.name}: verifyViewToken → ${vector.expect}`, () => {
      expect(outcome(vector.token)).toBe(vector.expect);
    });
    if (vector.claims) {
      it(`${vector.name}: signViewToken mints the same bytes`, () => {
        expect(signViewToken(vector.claims!, { kid: vector.kid!, secret: vector.secret! })).toBe(vector.token);
      });
    }
  }

  it('PHP mints every mintable vector byte for byte', () => {
    const mintable = file.vectors.filter((v) => v.claims);
    const tokens = phpMint(mintable.map((v) => ({ kid: v.kid!, secret: v.secret!, claims: v.claims })));
    expect(tokens).toEqual(mintable.map((v) => v.token));
  });

  it('accepts a fresh token minted by PHP, and refuses it once expired', () => {
    const now = Math.floor(Date.now() / 1000);
    const [kid, secret] = Object.entries(file.verify.secrets)[0]!;
    const claims = {
      iss: file.verify.issuers[0],
      aud: 'hlsgate',
      sub: '1234',
      iat: now,
      exp: now + 120,
      res: `${file.verify.mediaBaseUrls[0]}Zz09_-AbCdEfGhIjKlMnOp/`,
      wm: 'Test Student · student@example.test',
      cid: '2',
    };
    const [token] = phpMint([{ kid, secret, claims }]);
    expect(verifyViewToken(token!, file.verify, now)).toEqual(claims);
    expect(outcome(token!, now + 120 + 31)).toBe('token_expired');
  });
});
