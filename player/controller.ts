/**
 * What both engines share around the session core: the session manager with the plugin's options,
 * the counters behind `stats()`, the events (declared in events.ts), errors turned into the viewer's
 * words, and the request net that the engine's loader (VHS's xhr, hls.js's loader) calls on a 403.
 * No DOM beyond `document`/`window` for the page signals, and no engine here: the adapters
 * (`plugin.ts` for video.js, `hlsjs.ts` for hls.js) feed it what their engine reports.
 */
import { makeError, type HlsgateError } from './errors.ts';
import type { EventPayloads, HlsgateEventType, HlsgateStats, SessionEventPayload } from './events.ts';
import type { ResolvedOptions } from './options.ts';
import type { RequestNet } from './request-retry.ts';
import { SessionManager, type SessionInfo, type SessionState } from './session-manager.ts';
import { appendSignedQuery, stripSignedQuery } from './signed-url.ts';

export interface ControllerHost {
  /** Fires an event on the engine's player (video.js `trigger`, the hls.js handle's listeners). */
  emit<T extends HlsgateEventType>(type: T, payload: EventPayloads[T]): void;
  /** Shows a fatal error to the viewer, once. */
  showFatal(error: HlsgateError): void;
  document: Document | undefined;
}

export class HlsgateController {
  readonly options: ResolvedOptions;
  private readonly host: ControllerHost;
  private manager: SessionManager | undefined;
  private readonly counters = { sessions: 0, refreshes: 0, sessionRetries: 0, requestRecoveries: 0, requestRecoveryFailures: 0 };
  private currentInfo: SessionInfo | undefined;
  private lastError: HlsgateError | undefined;
  private fatalError: HlsgateError | undefined;
  private started: Promise<SessionState | undefined> | undefined;
  private disposed = false;

  constructor(options: ResolvedOptions, host: ControllerHost) {
    this.options = options;
    this.host = host;
  }

  /** The first session (once; later calls get the same promise). Undefined when there is none: the error is shown. */
  start(): Promise<SessionState | undefined> {
    this.started ??= this.run();
    return this.started;
  }

  get isStarted(): boolean {
    return this.started !== undefined;
  }

  get fatal(): HlsgateError | undefined {
    return this.fatalError;
  }

  private async run(): Promise<SessionState | undefined> {
    const { options, host } = this;
    const doc = host.document;
    const manager = new SessionManager({
      src: options.src,
      sessionUrl: options.sessionUrl,
      getToken: options.getToken,
      retry: options.retry,
      refreshMargin: options.refreshMargin,
      labels: options.labels,
      idleUntilPlay: options.lean,
      signing: options.signing,
      onSigningSwitch: (detail) => {
        // Once per player, silently for the viewer; the page's console and stats() say why.
        console.info(`hlsgate: switched to query signing: ${detail.reason}`);
        host.emit('hlsgate:signing', detail);
      },
      signals: { document: doc, window: doc?.defaultView ?? undefined },
      onSession: (info, meta) => {
        this.currentInfo = info;
        this.counters.sessions += 1;
        const payload: SessionEventPayload = { ...info, ...meta };
        host.emit('hlsgate:session', payload);
        if (!meta.initial) {
          this.counters.refreshes += 1;
          host.emit('hlsgate:refresh', payload);
        }
      },
      onRetry: (detail) => {
        this.counters.sessionRetries += 1;
        host.emit('hlsgate:retry', { kind: 'session', ...detail });
      },
      onError: (error) => this.report(error),
    });
    this.manager = manager;
    try {
      const state = await manager.start();
      return this.disposed ? undefined : state;
    } catch {
      return undefined; // reported through onError
    }
  }

  /** The watermark text: the option, else the `wm` claim of the session's token. */
  watermarkText(): string | undefined {
    const { watermark } = this.options;
    if (watermark === false) return undefined;
    return watermark ?? this.manager?.current?.watermark;
  }

  /** What the engine's loader needs for the 403 safety net. */
  net(): RequestNet {
    return {
      covers: (uri) => this.manager?.covers(uri) ?? false,
      generation: () => this.manager?.sharedGeneration ?? 0,
      recover: (sent) => this.manager?.recover(sent) ?? Promise.resolve(false),
      pending: () => this.manager?.pending(),
      onRecover: ({ status, reason, requestType }) => {
        this.counters.requestRecoveries += 1;
        this.host.emit('hlsgate:retry', { kind: 'request', status, cause: reason, requestType });
      },
      onRecovered: ({ ok }) => {
        if (!ok) this.counters.requestRecoveryFailures += 1;
      },
      onSuccess: () => this.manager?.noteSuccess(),
      sign: (uri) => this.signUrl(uri),
      unsign: (url) => this.unsignUrl(url),
    };
  }

  /**
   * GET a text resource of the video (the transcript's playlists and cues, chapters) as the engine's
   * requests go: with the cookies (`credentials: 'include'`) or, in query mode, signed; a 403 or a
   * refused CORS answer (status 0) gets the 403 safety net's treatment — one shared refresh, the same
   * request once more.
   */
  async fetchText(url: string, signal?: AbortSignal): Promise<string> {
    for (let attempt = 0; ; attempt += 1) {
      // A refresh in flight (the one a play starts after a long pause) first, as the engine's requests wait for it.
      await this.manager?.pending()?.catch(() => undefined);
      const sent = this.manager?.sharedGeneration ?? 0;
      let status = 0;
      try {
        const response = await fetch(this.signUrl(url), { credentials: 'include', ...(signal ? { signal } : {}) });
        if (response.ok) {
          this.manager?.noteSuccess();
          return await response.text();
        }
        status = response.status;
      } catch (error) {
        if (signal?.aborted) throw error;
      }
      if (attempt > 0 || (status !== 403 && status !== 0) || !this.manager?.covers(url) || !(await this.manager.recover(sent))) {
        throw new Error(`hlsgate: ${status || 'no answer'} for ${url}`);
      }
    }
  }

  /** A URL the engine will see again (a response URL) without the signature (query mode). */
  unsignUrl(url: string): string {
    return this.manager?.signing === 'query' ? stripSignedQuery(url) : url;
  }

  /**
   * Query mode: `uri` (already resolved against the unsigned playlist URL) with the current session's
   * query appended; any other URL, and every URL in cookie mode, as it is.
   */
  signUrl(uri: string): string {
    const query = this.manager?.query;
    return query && this.manager!.covers(uri) ? appendSignedQuery(uri, query) : uri;
  }

  /** The viewer pressed play or paused (lean until play: see `SessionManager.playing`). */
  playing(isPlaying: boolean): Promise<unknown> {
    return this.manager?.playing(isPlaying) ?? Promise.resolve();
  }

  stats(): HlsgateStats {
    return {
      ...this.counters,
      tokenRequests: this.manager?.tokenRequestCount ?? 0,
      session: this.currentInfo,
      cookieRemainingMs: this.manager?.remainingMs(),
      lastError: this.lastError,
      signing: this.manager?.signing ?? this.options.signing,
      signingSwitch: this.manager?.signingSwitch,
    };
  }

  /** Refreshes the cookies now (shared with the other players of this video). */
  refresh(): Promise<unknown> {
    return this.manager ? this.manager.refresh('scheduled') : Promise.reject(new Error('not started'));
  }

  report(error: HlsgateError): void {
    this.lastError = error;
    this.host.emit('hlsgate:error', error);
    if (error.fatal && !this.fatalError) {
      this.fatalError = error;
      this.host.showFatal(error);
    }
  }

  /**
   * The engine gave up (a media error, or a network error its own retries did not fix): the viewer
   * gets our cause when we know one, the friendly message otherwise; refreshing stops.
   */
  engineFailure(kind: 'network' | 'media', cause: string): HlsgateError {
    const error = this.fatalError ?? makeError(kind, this.options.labels, true, { cause });
    this.manager?.dispose();
    if (!this.fatalError) this.report(error);
    return error;
  }

  dispose(): void {
    this.disposed = true;
    this.manager?.dispose();
  }
}
