/**
 * The 403 safety net for hls.js, at its loader level: a loader class that wraps the one hls.js would
 * use (its XHR loader by default) and, for requests under the video's cookies, holds a 403 — or a
 * status 0, which is what a 403 without CORS headers looks like — back from hls.js: one shared
 * refresh (none if another completed since the request was sent), then the same request once more
 * with a fresh inner loader. hls.js never sees the refusal, so it never counts an error, excludes a
 * level or gives up. In query mode the inner loader gets the URL with the current signature appended. Credentials go with every covered request (`xhrSetup`/`fetchSetup`, chained
 * with the page's own). hls.js types only: the page brings hls.js (a peer dependency).
 */
import type { HlsConfig, Loader, LoaderCallbacks, LoaderConfiguration, LoaderContext, LoaderStats } from 'hls.js';
import type { RecoverReason, RequestNet } from './request-retry.ts';

export type LoaderClass = new (config: HlsConfig) => Loader<LoaderContext>;

/** Whether an hls.js loader error deserves one refresh and retry. Pure. */
export function loaderRecoverReason(code: number): RecoverReason | null {
  if (code === 403) return 'forbidden';
  if (code === 0) return 'no_response';
  return null;
}

export function gatedLoader(Base: LoaderClass, net: RequestNet): LoaderClass {
  return class HlsgateLoader implements Loader<LoaderContext> {
    private readonly config: HlsConfig;
    private inner: Loader<LoaderContext>;
    private aborted = false;
    private destroyed = false;
    context: LoaderContext | null = null;

    constructor(config: HlsConfig) {
      this.config = config;
      this.inner = new Base(config);
    }

    get stats(): LoaderStats {
      return this.inner.stats;
    }

    load(context: LoaderContext, config: LoaderConfiguration, callbacks: LoaderCallbacks<LoaderContext>): void {
      this.context = context;
      this.aborted = false;
      if (!net.covers(context.url)) return this.inner.load(context, config, callbacks);
      const send = (retried: boolean) => {
        if (this.aborted || this.destroyed) return;
        const sentGeneration = net.generation();
        // Query mode: the inner loader fetches the signed URL; hls.js only ever sees the unsigned one
        // (its context, and the response URL it resolves relative URIs against), so a refresh's new
        // query goes on the next request and no signature enters a playlist's address or a log.
        const url = net.sign?.(context.url) ?? context.url;
        const signed = url !== context.url;
        const innerContext = signed ? { ...context, url } : context;
        const back = <T extends unknown[]>(fn: ((...args: T) => void) | undefined) =>
          fn && signed ? (...args: T) => fn(...(args.map((a) => (a === innerContext ? context : a)) as T)) : fn;
        this.inner.load(innerContext, config, {
          ...callbacks,
          onSuccess: (response, stats, _ctx, details) => {
            net.onSuccess?.(context.url);
            const seen = signed && net.unsign ? { ...response, url: net.unsign(response.url ?? context.url) } : response;
            callbacks.onSuccess(seen, stats, context, details);
          },
          onTimeout: back(callbacks.onTimeout)!,
          ...(callbacks.onAbort ? { onAbort: back(callbacks.onAbort)! } : {}),
          ...(callbacks.onProgress ? { onProgress: back(callbacks.onProgress)! } : {}),
          onError: (error, _ctx, details, stats) => {
            const ctx = context;
            const reason = retried ? null : loaderRecoverReason(error.code);
            if (!reason || this.aborted) return callbacks.onError(error, ctx, details, stats);
            net.onRecover?.({ uri: context.url, status: error.code, reason, requestType: context.type });
            const started = performance.now();
            const finish = (ok: boolean) => {
              if (this.aborted || this.destroyed) return;
              net.onRecovered?.({ uri: context.url, ok, waitedMs: performance.now() - started });
              if (!ok) return callbacks.onError(error, ctx, details, stats);
              this.inner.destroy();
              this.inner = new Base(this.config);
              send(true);
            };
            net.recover(sentGeneration).then(finish, () => finish(false));
          },
        });
      };
      const gate = net.pending?.();
      if (gate) {
        const go = () => send(false);
        void gate.then(go, go);
      } else send(false);
    }

    abort(): void {
      this.aborted = true;
      this.inner.abort();
    }

    destroy(): void {
      this.destroyed = true;
      this.inner.destroy();
    }

    getCacheAge(): number | null {
      return this.inner.getCacheAge?.() ?? null;
    }

    getResponseHeader(name: string): string | null {
      return this.inner.getResponseHeader?.(name) ?? null;
    }
  };
}

/**
 * Puts credentials and the safety net into an hls.js config (before `loadSource`): the playlist,
 * fragment and default loaders are wrapped, `xhrSetup`/`fetchSetup` send the cookies to covered URLs.
 * Returns what it replaced, for `restoreConfig`.
 */
export function gateConfig(config: HlsConfig, net: RequestNet): () => void {
  const saved = { loader: config.loader, pLoader: config.pLoader, fLoader: config.fLoader, xhrSetup: config.xhrSetup, fetchSetup: config.fetchSetup };
  config.loader = gatedLoader(config.loader as unknown as LoaderClass, net) as unknown as HlsConfig['loader'];
  if (config.pLoader) config.pLoader = gatedLoader(config.pLoader as unknown as LoaderClass, net) as unknown as HlsConfig['pLoader'];
  if (config.fLoader) config.fLoader = gatedLoader(config.fLoader as unknown as LoaderClass, net) as unknown as HlsConfig['fLoader'];
  const pageXhrSetup = saved.xhrSetup;
  config.xhrSetup = (xhr, url, context) => {
    if (net.covers(url)) xhr.withCredentials = true;
    return pageXhrSetup?.(xhr, url, context);
  };
  const pageFetchSetup = saved.fetchSetup;
  config.fetchSetup = (context, init) => {
    const params = net.covers(context.url) ? { ...init, credentials: 'include' } : init;
    return pageFetchSetup ? pageFetchSetup(context, params) : new Request(context.url, params);
  };
  return () => Object.assign(config, saved);
}
