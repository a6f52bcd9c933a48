/**
 * HLSGATE_MOODLE_URL: a developer's own Moodle may use the local stack. Its origin passes both
 * CORS lists, a token it issues (iss = its URL, the filter's default) opens a session, and the
 * filter settings the stack prints are the ones that work.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_AUDIENCE } from '../../common/contracts.ts';
import { createLogger } from '../../common/log.ts';
import { signViewToken } from '../../server/token.ts';
import { type Stack, startStack } from './stack.ts';

const MOODLE = 'http://localhost:8100';

describe('the stack with HLSGATE_MOODLE_URL', () => {
  let dataDir: string;
  let stack: Stack;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'hlsgate-stack-moodle-'));
    stack = await startStack({ dataDir, ports: { media: 0, auth: 0, s3: 0, demo: 0 }, moodleUrl: `${MOODLE}/`, logger: createLogger({ name: 't', level: 'silent' }) });
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('names the settings to paste into the filter', () => {
    expect(stack.moodleSettings).toEqual({
      authurl: `${stack.urls.media}/_auth`,
      issuer: MOODLE,
      tokenkid: 'dev',
      tokensecret: expect.stringMatching(/^.{32,}$/),
      mediabaseurls: stack.mediaBaseUrl,
    });
  });

  it('lets the Moodle origin through both CORS lists, and no other', async () => {
    for (const origin of [MOODLE, 'http://localhost:8101']) {
      const preflight = await fetch(`${stack.urls.media}/_auth/session`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' },
      });
      expect(preflight.headers.get('access-control-allow-origin'), origin).toBe(origin === MOODLE ? MOODLE : null);
      const media = await fetch(`${stack.mediaBaseUrl}Xx/master.m3u8`, { headers: { Origin: origin } });
      expect(media.headers.get('access-control-allow-origin'), origin).toBe(origin === MOODLE ? MOODLE : null);
    }
  });

  it('accepts a token the Moodle issues with the printed settings', async () => {
    const s = stack.moodleSettings!;
    const iat = Math.floor(Date.now() / 1000);
    const token = signViewToken(
      { iss: s.issuer, aud: TOKEN_AUDIENCE, sub: '4', iat, exp: iat + 300, res: `${s.mediabaseurls}AbCdEfGhIjKlMnOpQrSt12/` },
      { kid: s.tokenkid, secret: s.tokensecret },
    );
    const response = await fetch(`${s.authurl}/session`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, Origin: MOODLE } });
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie().map((c) => c.split('=')[0])).toEqual(
      expect.arrayContaining(['CloudFront-Policy', 'CloudFront-Signature', 'CloudFront-Key-Pair-Id']),
    );
  });
});
