import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY, HlsgateOptionsError, resolveOptions, watermarkFromToken } from './options.ts';

const src = 'http://localhost:8787/lectures/AAAAAAAAAAAAAAAAAAAA/master.m3u8';
const getToken = async () => 't';

describe('resolveOptions', () => {
  it('fills defaults; the session URL defaults to /_auth/session on the media host', () => {
    const o = resolveOptions({ src, getToken });
    expect(o.sessionUrl).toBe('http://localhost:8787/_auth/session');
    expect(o.retry).toEqual(DEFAULT_RETRY);
    expect(o.refreshMargin).toBe(10);
    expect(o.lean).toBe(true);
    expect(o.native).toBe(false);
    expect(o.signing).toBe('cookie');
    expect(resolveOptions({ src, getToken, signing: 'query' }).signing).toBe('query');
    expect(o.labels.sessionEnded).toBe('Your session has ended — reload the page');
  });

  it('names the bad option', () => {
    const cases: [unknown, string][] = [
      [{ getToken }, 'src'],
      [{ src: 'lectures/x/master.m3u8', getToken }, 'src'],
      [{ src: 'ftp://x/y', getToken }, 'src'],
      [{ src }, 'getToken'],
      [{ src, getToken, refreshMargin: -1 }, 'refreshMargin'],
      [{ src, getToken, retry: { maxRetry: 1.5 } }, 'retry.maxRetry'],
      [{ src, getToken, retry: { retryDelayMs: 10_000 } }, 'retry.maxRetryDelayMs'],
      [{ src, getToken, labels: { nope: 'x' } }, 'labels.nope'],
      [{ src, getToken, watermark: 3 }, 'watermark'],
      [{ src, getToken, playbackRates: [0] }, 'playbackRates'],
      [{ src, getToken, lean: 'yes' }, 'lean'],
      [{ src, getToken, onPlayer: {} }, 'onPlayer'],
      [{ src, getToken, native: 'yes' }, 'native'],
      [{ src, getToken, signing: 'url' }, 'signing'],
      [{ src, getToken, signing: true }, 'signing'],
    ];
    for (const [input, option] of cases) {
      expect(() => resolveOptions(input as never)).toThrow(HlsgateOptionsError);
      try {
        resolveOptions(input as never);
      } catch (error) {
        expect((error as HlsgateOptionsError).option).toBe(option);
        expect((error as Error).message).toContain(`"${option}"`);
      }
    }
  });

  it('merges labels for translation', () => {
    expect(resolveOptions({ src, getToken, labels: { auto: 'Automatisch' } }).labels.auto).toBe('Automatisch');
  });
});

describe('watermarkFromToken', () => {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  it('reads the wm claim, UTF-8 included', () => {
    expect(watermarkFromToken(`${b64({ alg: 'HS256' })}.${b64({ wm: 'Zoë 12345' })}.sig`)).toBe('Zoë 12345');
  });
  it('gives nothing for tokens without it or garbage', () => {
    expect(watermarkFromToken(`${b64({})}.${b64({ sub: '1' })}.s`)).toBeUndefined();
    expect(watermarkFromToken('garbage')).toBeUndefined();
    expect(watermarkFromToken('a.!!!.c')).toBeUndefined();
  });
});
