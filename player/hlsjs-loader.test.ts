/**
 * hls.js's 403 net against a real HTTP server. Node has no XMLHttpRequest, so `FetchLoader` below is
 * a small loader with the contract of hls.js's own (`load(context, config, callbacks)`, `onSuccess`,
 * `onError({ code })` with the HTTP status or 0 when no answer came, `abort`, `destroy`, `stats`);
 * the browser tests prove the wrapper around hls.js's real XHR loader.
 */
import type { HlsConfig, LoaderCallbacks, LoaderConfiguration, LoaderContext, LoaderStats } from 'hls.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MEDIA_BYTES, useMediaServer } from './test-media-server.ts';
import { gateConfig, gatedLoader, loaderRecoverReason, type LoaderClass } from './hlsjs-loader.ts';
import type { RequestNet } from './request-retry.ts';
import { appendSignedQuery, stripSignedQuery } from './signed-url.ts';

const newStats = (): LoaderStats =>
  ({ aborted: false, loaded: 0, retry: 0, total: 0, chunkCount: 0, bwEstimate: 0, loading: { start: 0, first: 0, end: 0 }, parsing: { start: 0, end: 0 }, buffering: { start: 0, first: 0, end: 0 } }) as LoaderStats;

let sent = 0;
const requested: string[] = [];
class FetchLoader {
  context: LoaderContext | null = null;
  stats = newStats();
  private controller = new AbortController();
  load(context: LoaderContext, _config: LoaderConfiguration, callbacks: LoaderCallbacks<LoaderContext>): void {
    this.context = context;
    sent += 1;
    requested.push(context.url);
    fetch(context.url, { signal: this.controller.signal }).then(
      async (res) => {
        const text = await res.text();
        if (res.ok) callbacks.onSuccess({ url: context.url, data: text, code: res.status }, this.stats, context, null);
        else callbacks.onError({ code: res.status, text: res.statusText }, context, null, this.stats);
      },
      () => {
        if (!this.stats.aborted) callbacks.onError({ code: 0, text: 'no answer' }, context, null, this.stats);
      },
    );
  }
  abort(): void {
    this.stats.aborted = true;
    this.controller.abort();
  }
  destroy(): void {
    this.abort();
  }
}

const served = useMediaServer({ beforeAll, afterAll, beforeEach }, () => {
  sent = 0;
  requested.length = 0;
});

function net(overrides: Partial<RequestNet> = {}) {
  const calls = { recover: 0, recovered: [] as boolean[] };
  const n: RequestNet = {
    covers: (uri) => uri.startsWith(`${served.server.base}/lectures/`),
    generation: () => 0,
    recover: async () => {
      calls.recover += 1;
      served.server.state.authorized = true;
      return true;
    },
    onRecovered: ({ ok }) => calls.recovered.push(ok),
    ...overrides,
  };
  return { n, calls };
}

function load(Loader: LoaderClass, url: string): { loader: InstanceType<LoaderClass>; done: Promise<{ ok: boolean; code: number; data?: unknown }> } {
  const loader = new Loader({} as HlsConfig);
  const done = new Promise<{ ok: boolean; code: number; data?: unknown }>((resolve) => {
    loader.load({ url, responseType: 'text', type: 'manifest' } as unknown as LoaderContext, {} as LoaderConfiguration, {
      onSuccess: (response) => resolve({ ok: true, code: response.code ?? 200, data: response.data }),
      onError: (error) => resolve({ ok: false, code: error.code }),
      onTimeout: () => resolve({ ok: false, code: -1 }),
    });
  });
  return { loader, done };
}

describe('hls.js loader net', () => {
  it('classifies 403 and status 0, nothing else', () => {
    expect(loaderRecoverReason(403)).toBe('forbidden');
    expect(loaderRecoverReason(0)).toBe('no_response');
    expect(loaderRecoverReason(404)).toBeNull();
    expect(loaderRecoverReason(500)).toBeNull();
  });

  it('holds a 403 back from hls.js: one refresh, the same request again, hls.js hears only the 200', async () => {
    const { n, calls } = net();
    const result = await load(gatedLoader(FetchLoader as unknown as LoaderClass, n), `${served.server.base}/lectures/x/720p/index.m3u8`).done;
    expect(result).toMatchObject({ ok: true, code: 200 });
    expect((result.data as string).length).toBe(MEDIA_BYTES);
    expect(calls).toEqual({ recover: 1, recovered: [true] });
    expect(sent).toBe(2);
  });

  it('recovers a status 0 the same way', async () => {
    served.server.state.dropNext = 1;
    served.server.state.authorized = true;
    const { n, calls } = net();
    const result = await load(gatedLoader(FetchLoader as unknown as LoaderClass, n), `${served.server.base}/lectures/x/seg_1.ts`).done;
    expect(result.ok).toBe(true);
    expect(calls.recover).toBe(1);
  });

  it('hands hls.js the original 403 when refreshing fails, and retries only once', async () => {
    const { n, calls } = net({ recover: async () => false });
    expect(await load(gatedLoader(FetchLoader as unknown as LoaderClass, n), `${served.server.base}/lectures/x/seg_1.ts`).done).toEqual({ ok: false, code: 403 });
    expect(calls.recovered).toEqual([false]);
    expect(sent).toBe(1);
    const again = net({ recover: async () => true }); // refreshed, but still refused: no loop
    expect(await load(gatedLoader(FetchLoader as unknown as LoaderClass, again.n), `${served.server.base}/lectures/x/seg_1.ts`).done).toEqual({ ok: false, code: 403 });
    expect(sent).toBe(3);
  });

  it('leaves requests outside the video alone', async () => {
    const { n, calls } = net({ covers: () => false });
    expect(await load(gatedLoader(FetchLoader as unknown as LoaderClass, n), `${served.server.base}/lectures/x/seg_1.ts`).done).toEqual({ ok: false, code: 403 });
    expect(calls.recover).toBe(0);
  });

  it('waits for a refresh in flight before sending (play after a rest)', async () => {
    let release!: () => void;
    const pending = new Promise<void>((resolve) => (release = resolve));
    const { n, calls } = net({ pending: () => pending });
    const { done } = load(gatedLoader(FetchLoader as unknown as LoaderClass, n), `${served.server.base}/lectures/x/seg_1.ts`);
    await new Promise((r) => setTimeout(r, 50));
    expect(sent).toBe(0);
    served.server.state.authorized = true;
    release();
    expect((await done).ok).toBe(true);
    expect(calls.recover).toBe(0);
  });

  it('after abort() during the refresh, hls.js hears nothing and nothing is sent again', async () => {
    let release!: (ok: boolean) => void;
    const { n } = net({ recover: () => new Promise<boolean>((resolve) => (release = resolve)) });
    let heard = false;
    const Loader = gatedLoader(FetchLoader as unknown as LoaderClass, n);
    const loader = new Loader({} as HlsConfig);
    loader.load({ url: `${served.server.base}/lectures/x/seg_1.ts`, responseType: 'text', type: 'manifest' } as unknown as LoaderContext, {} as LoaderConfiguration, {
      onSuccess: () => (heard = true),
      onError: () => (heard = true),
      onTimeout: () => (heard = true),
    });
    for (let i = 0; i < 100 && !release; i += 1) await new Promise((r) => setTimeout(r, 10));
    loader.abort();
    served.server.state.authorized = true;
    release(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(heard).toBe(false);
    expect(sent).toBe(1);
  });

  it('gateConfig: credentials only for the video, wrapped loaders, and everything put back', () => {
    const { n } = net();
    const pageSetup: string[] = [];
    const config = { loader: FetchLoader, xhrSetup: (_x: XMLHttpRequest, url: string) => void pageSetup.push(url) } as unknown as HlsConfig;
    const restore = gateConfig(config, n);
    expect(config.loader).not.toBe(FetchLoader);
    const mine = { withCredentials: false } as XMLHttpRequest;
    const other = { withCredentials: false } as XMLHttpRequest;
    config.xhrSetup!(mine, `${served.server.base}/lectures/x/seg_1.ts`, {} as LoaderContext);
    config.xhrSetup!(other, 'https://elsewhere.example/x.m3u8', {} as LoaderContext);
    expect([mine.withCredentials, other.withCredentials]).toEqual([true, false]);
    expect(pageSetup).toHaveLength(2); // the page's own setup still runs
    restore();
    expect(config.loader).toBe(FetchLoader);
  });
});

describe('hls.js loader in query mode', () => {
  it('requests the signed URL, retries a refusal with the refreshed query, and hands hls.js only unsigned URLs', async () => {
    let query = 'Policy=P1&Signature=S1&Key-Pair-Id=K';
    const successes: string[] = [];
    const { n } = net({
      sign: (uri) => appendSignedQuery(uri, query),
      unsign: stripSignedQuery,
      onSuccess: (uri) => successes.push(uri),
      recover: async () => {
        query = 'Policy=P2&Signature=S2&Key-Pair-Id=K';
        served.server.state.authorized = true;
        return true;
      },
    });
    const Loader = gatedLoader(FetchLoader as unknown as LoaderClass, n);
    const url = `${served.server.base}/lectures/AbCdEfGhIjKlMnOp/720p/index.m3u8`;
    const loader = new Loader({} as HlsConfig);
    const context = { url, responseType: 'text', type: 'manifest' } as unknown as LoaderContext;
    const seen = await new Promise<{ url: string; context: LoaderContext }>((resolve, reject) => {
      loader.load(context, {} as LoaderConfiguration, {
        onSuccess: (response, _stats, ctx) => resolve({ url: response.url, context: ctx }),
        onError: (error) => reject(new Error(String(error.code))),
        onTimeout: () => reject(new Error('timeout')),
      });
    });
    expect(requested).toEqual([`${url}?Policy=P1&Signature=S1&Key-Pair-Id=K`, `${url}?Policy=P2&Signature=S2&Key-Pair-Id=K`]);
    expect(seen.url).toBe(url);
    expect(seen.context).toBe(context);
    expect(context.url).toBe(url);
    expect(successes).toEqual([url]);
  });

  it('leaves URLs outside the video alone', async () => {
    served.server.state.authorized = true;
    const { n } = net({ sign: (uri) => appendSignedQuery(uri, 'Policy=P&Signature=S&Key-Pair-Id=K') });
    const { done } = load(gatedLoader(FetchLoader as unknown as LoaderClass, n), `${served.server.base}/other/file.ts`);
    expect((await done).ok).toBe(true);
    expect(requested).toEqual([`${served.server.base}/other/file.ts`]);
  });
});
