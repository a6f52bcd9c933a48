import { describe, expect, it } from 'vitest';
import { DEFAULT_LABELS, NoTokenError, classifySessionAnswer, classifyTokenFailure } from './errors.ts';

describe('classifySessionAnswer', () => {
  it('asks for a new token on 401 token_expired only', () => {
    expect(classifySessionAnswer(401, 'token_expired', DEFAULT_LABELS)).toEqual({ kind: 'token_expired' });
    const invalid = classifySessionAnswer(401, 'token_invalid', DEFAULT_LABELS);
    expect(invalid).toMatchObject({ kind: 'fatal', error: { code: 'no_access', fatal: true, status: 401, cause: 'token_invalid' } });
  });

  it('says "no access" for a forbidden resource and malformed requests', () => {
    for (const [status, code] of [
      [403, 'resource_forbidden'],
      [400, 'bad_request'],
      [403, 'origin_forbidden'],
    ] as const) {
      const outcome = classifySessionAnswer(status, code, DEFAULT_LABELS);
      expect(outcome.kind).toBe('fatal');
      if (outcome.kind === 'fatal') expect(outcome.error.message).toBe("You don't have access to this video");
    }
  });

  it('retries network trouble, rate limits and server errors, non-fatally', () => {
    for (const status of [0, 408, 429, 500, 502, 503]) {
      const outcome = classifySessionAnswer(status, undefined, DEFAULT_LABELS);
      expect(outcome).toMatchObject({ kind: 'retry', error: { code: 'network', fatal: false, status } });
    }
  });

  it('accepts 2xx', () => {
    expect(classifySessionAnswer(200, undefined, DEFAULT_LABELS)).toEqual({ kind: 'ok' });
  });

  it('uses the labels given, for translation', () => {
    const labels = { ...DEFAULT_LABELS, noAccess: 'Kein Zugriff auf dieses Video' };
    const outcome = classifySessionAnswer(401, 'token_invalid', labels);
    expect(outcome.kind === 'fatal' && outcome.error.message).toBe('Kein Zugriff auf dieses Video');
  });
});

describe('classifyTokenFailure', () => {
  it('no token at all is no access', () => {
    expect(classifyTokenFailure(undefined, DEFAULT_LABELS)).toMatchObject({ code: 'no_access', fatal: true });
    expect(classifyTokenFailure(new NoTokenError(), DEFAULT_LABELS)).toMatchObject({ code: 'no_access', fatal: true });
  });
  it('a failing fetch is network trouble, anything else an ended session', () => {
    expect(classifyTokenFailure(new TypeError('Failed to fetch'), DEFAULT_LABELS)).toMatchObject({ code: 'network', fatal: false });
    expect(classifyTokenFailure(new Error('sesskey'), DEFAULT_LABELS)).toMatchObject({
      code: 'session_ended',
      fatal: true,
      message: 'Your session has ended — reload the page',
    });
  });
});
