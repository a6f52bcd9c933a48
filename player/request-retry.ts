/**
 * The 403 safety net. VHS's `onRequest`/`onResponse` hooks are synchronous and cannot hold or retry a
 * request, and VHS answers a 403 by excluding the rendition (segment), turning the track off
 * (subtitles) or failing (master). So the xhr function VHS calls is wrapped: a 403 on a request under
 * the video's cookies — or a status 0, which is what a 403 without CORS headers looks like — is held
 * back from VHS, one shared refresh runs (or none, if another finished since the request was sent),
 * and the same request goes again. VHS keeps one handle throughout: reads go to the request of the
 * moment, `abort()` works at every stage, and `progress`/`loadend` listeners hear the request that
 * answers, never the refused one.
 */

/** An XMLHttpRequest-like object, as `videojs.xhr` returns. */
export interface RawRequest {
  abort(): void;
  addEventListener(type: string, listener: (event: unknown) => void): void;
  removeEventListener(type: string, listener: (event: unknown) => void): void;
  readonly status: number;
  [key: string]: unknown;
}

export interface XhrOptions {
  uri?: string;
  url?: string;
  requestType?: string;
  [key: string]: unknown;
}

export type XhrCallback = (error: unknown, request: RawRequest) => void;
export type XhrFunction = (options: XhrOptions, callback: XhrCallback) => RawRequest;

export type RecoverReason = 'forbidden' | 'no_response';

export interface RequestNet {
  /** True for URLs under the video's cookies; other requests pass untouched. */
  covers(uri: string): boolean;
  /** A counter of completed refreshes, remembered when a request is sent. */
  generation(): number;
  /** Refresh (shared) unless one completed after `sentGeneration`; true when retrying makes sense. */
  recover(sentGeneration: number): Promise<boolean>;
  /** A refresh of the video in flight (play after a rest): a request waits for it rather than be refused. */
  pending?(): Promise<unknown> | undefined;
  onRecover?(detail: { uri: string; status: number; reason: RecoverReason; requestType: string | undefined }): void;
  /** A covered request was answered 2xx (query mode's auto-switch wants to know that cookies work). */
  onSuccess?(uri: string): void;
  /** Query mode: the URL to request for `uri` (the current signature appended), else `uri`. */
  sign?(uri: string): string;
  /** Query mode: a URL the engine will see again (a response URL) without the signature. */
  unsign?(url: string): string;
  onRecovered?(detail: { uri: string; ok: boolean; waitedMs: number }): void;
}

/** Whether a finished request deserves one refresh and retry. Pure. */
export function recoverReason(error: unknown, request: Pick<RawRequest, 'status'> & { aborted?: unknown; timedout?: unknown }): RecoverReason | null {
  if (request.aborted) return null;
  if (request.status === 403) return 'forbidden';
  if (request.status === 0 && error && !request.timedout && (error as { code?: unknown }).code !== 'ETIMEDOUT') return 'no_response';
  return null;
}

/** Events relayed from the request of the moment to VHS's listeners on the handle. */
const RELAYED = ['progress', 'loadend'] as const;

export function wrapXhr(inner: XhrFunction, net: RequestNet, now: () => number = () => Date.now()): XhrFunction {
  return function hlsgateXhr(options: XhrOptions, callback: XhrCallback): RawRequest {
    const uri = String(options.uri ?? options.url ?? '');
    if (!net.covers(uri)) return inner(options, callback);

    const listeners = new Map<string, Set<(event: unknown) => void>>();
    const local: Record<string | symbol, unknown> = {};
    let current: RawRequest | undefined; // undefined while the request waits for a pending refresh
    let held: RawRequest | undefined; // the refused request, while the refresh runs
    let retried = false;
    let aborted = false;

    const dispatch = (type: string, source: { loaded?: unknown; total?: unknown; lengthComputable?: unknown } = {}) => {
      const event = {
        type,
        target: handle,
        currentTarget: handle,
        loaded: source.loaded ?? 0,
        total: source.total ?? 0,
        lengthComputable: source.lengthComputable ?? false,
      };
      for (const listener of [...(listeners.get(type) ?? [])]) listener(event);
    };

    const send = (): void => {
      const sentGeneration = net.generation();
      const raw = inner(options, (error, request) => {
        if (aborted || raw !== current) return;
        const reason = retried ? null : recoverReason(error, request);
        if (request.status >= 200 && request.status < 300) net.onSuccess?.(uri);
        if (!reason) return callback(error, request);
        retried = true;
        held = raw;
        const started = now();
        net.onRecover?.({ uri, status: request.status, reason, requestType: options.requestType });
        void net.recover(sentGeneration).then(
          (ok) => finish(ok),
          () => finish(false),
        );
        function finish(ok: boolean): void {
          if (aborted) return;
          net.onRecovered?.({ uri, ok, waitedMs: now() - started });
          held = undefined;
          if (ok) return send();
          // Refreshing failed: VHS gets the original answer, as it would have without us.
          callback(error, request);
          dispatch('loadend');
        }
      });
      current = raw;
      for (const type of RELAYED) {
        raw.addEventListener(type, (event: unknown) => {
          if (raw !== current || held === raw) return;
          // A refused request's body (AccessDenied XML) is not media: only relay good answers' progress.
          if (type === 'progress' && !(raw.status >= 200 && raw.status < 300)) return;
          dispatch(type, event as Record<string, unknown>);
        });
      }
    };

    const abort = (): void => {
      if (aborted) return;
      aborted = true;
      if (held || !current) {
        // Nothing in flight: the refused request is done and the retry not sent. Say so as XHR would.
        held = undefined;
        dispatch('abort');
        dispatch('loadend');
        return;
      }
      current!.abort();
    };

    const own: Record<string, unknown> = {
      abort,
      addEventListener: (type: string, listener: (event: unknown) => void) => {
        if (!listeners.has(type)) listeners.set(type, new Set());
        listeners.get(type)!.add(listener);
      },
      removeEventListener: (type: string, listener: (event: unknown) => void) => {
        listeners.get(type)?.delete(listener);
      },
    };

    const handle = new Proxy(local, {
      get(target, prop) {
        if (prop === 'aborted') return aborted || target.aborted === true;
        if (typeof prop === 'string' && prop in own) return own[prop];
        if (prop in target) return target[prop];
        if (!current) return prop === 'status' || prop === 'readyState' ? 0 : undefined;
        const value = (current as unknown as Record<string | symbol, unknown>)[prop];
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(current) : value;
      },
      set(target, prop, value) {
        if (prop === 'aborted') aborted = aborted || value === true;
        else target[prop] = value;
        return true;
      },
      has(target, prop) {
        return prop in target || (typeof prop === 'string' && prop in own) || (current !== undefined && prop in current);
      },
    }) as unknown as RawRequest;

    const gate = net.pending?.();
    if (gate) {
      const go = () => {
        if (!aborted) send();
      };
      void gate.then(go, go);
    } else send();
    return handle;
  };
}
