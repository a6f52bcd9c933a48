/**
 * Keeps one player's video cookies valid: view token → `POST /session` (with credentials, so the
 * browser stores the CloudFront cookies) → refresh before they expire, shared with every other
 * player of the same video → a new token from `getToken()` when the server says `token_expired` →
 * backoff with jitter while the auth server fails, playback going on with the cookies it has.
 * No DOM and no video.js here: the plugin wires it up, the tests drive it against a real server.
 */
import { QUERY_MODE_BODY, type SessionMode, type SessionResponse } from '../common/contracts.ts';
import { AUTH_ROUTE, QUERY_MODE_BODY_SHA256 } from '../common/delivery.ts';
import { retryDelay, sleep, type RetryPolicy } from '../common/retry.ts';
import { classifySessionAnswer, classifyTokenFailure, makeError, type HlsgateError, type Labels } from './errors.ts';
import {
  RefreshScheduler,
  isRefreshDue,
  remainingLifetimeMs,
  sessionTiming,
  systemClock,
  type Clock,
  type DueReason,
  type PageSignals,
  type SessionTiming,
  type Timers,
} from './refresh-scheduler.ts';
import { watermarkFromToken } from './options.ts';
import { SharedRefresh, pageSessions, resourceKey } from './shared-refresh.ts';

export interface SessionState {
  answer: SessionResponse;
  timing: SessionTiming;
  /** The `wm` claim of the token behind it (players that joined another's request never saw that token). */
  watermark?: string;
  /** Query mode: what to append to every request of the video (`answer.query`). */
  query?: string;
}

/** Why and when a player left cookie mode for query mode (`stats().signingSwitch`). */
export interface SigningSwitch {
  from: 'cookie';
  to: 'query';
  reason: string;
  /** `clock.monotonic()` at the switch. */
  at: number;
}

/** Payload of `hlsgate:session` / `hlsgate:refresh`. */
export interface SessionInfo {
  resource: string;
  /** Server epoch seconds; shown, never compared with the client's clock. */
  expiresAt: number;
  serverTime: number;
  refreshIn: number;
  /** Seconds the cookies live from the answer. */
  lifetime: number;
  /** Seconds after the answer at which this player refreshes. */
  refreshAfter: number;
  /** `performance.now()` when the answer arrived; with `lifetime` gives a countdown. */
  receivedAt: number;
}

export type RefreshReason = DueReason | 'initial' | 'request' | 'play';

export interface SessionEvents {
  /** A new session: the first one (`initial`) or a refresh; `joined` when another player's request brought it. */
  onSession?(info: SessionInfo, meta: { reason: RefreshReason; joined: boolean; initial: boolean; durationMs: number }): void;
  onRetry?(detail: { attempt: number; delayMs: number; error: HlsgateError; reason: RefreshReason }): void;
  /** Non-fatal: refreshing failed for now and will be tried again. Fatal: it never will. */
  onError?(error: HlsgateError): void;
  onTokenRequested?(count: number): void;
  onWake?(jumpMs: number): void;
  /** Cookie mode failed the way blocked third-party cookies fail: this player now signs with a query. */
  onSigningSwitch?(detail: SigningSwitch): void;
}

export interface SessionManagerOptions extends SessionEvents {
  src: string;
  sessionUrl: string;
  getToken: () => Promise<string>;
  retry: RetryPolicy;
  /** Seconds before expiry by which a refresh must have happened. */
  refreshMargin: number;
  labels: Labels;
  fetch?: typeof fetch;
  clock?: Clock;
  timers?: Timers;
  signals?: PageSignals;
  random?: () => number;
  hub?: SharedRefresh<SessionState>;
  /** How long a refused media request may wait for cookies while the auth server is unavailable (default 90 s). */
  recoverWindowMs?: number;
  /**
   * Lean until play: no refresh for a player that was never played, or that has been paused for
   * longer than the cookies live; `playing(true)` then refreshes first. Default false (always refresh).
   */
  idleUntilPlay?: boolean;
  /**
   * How the signature travels: `cookie` (default) or `query` (appended to every request, for web
   * views and browsers without third-party cookies). Cookie mode switches to query mode by itself,
   * once, when the cookies of a fresh session are evidently not sent (see `recover`).
   */
  signing?: SessionMode;
}

export class SessionManager {
  /**
   * The hub key: the video's prefix (`…/<dir>/`), plus `#query` in query mode, whose sessions set no
   * cookies and so must never be adopted by a cookie-mode player of the same video (or the reverse).
   */
  key: string;
  /** The video's prefix: the requests under it are this session's. */
  private readonly prefix: string;
  private mode: SessionMode;
  private switched: SigningSwitch | undefined;
  /** A request under the prefix succeeded in cookie mode: the browser sends the cookies. */
  private cookiesProven = false;
  private readonly options: SessionManagerOptions;
  private readonly hub: SharedRefresh<SessionState>;
  private readonly clock: Clock;
  private readonly fetchFn: typeof fetch;
  private readonly scheduler: RefreshScheduler;
  private readonly abort = new AbortController();
  private token: string | undefined;
  private generation = -1;
  private state: SessionState | undefined;
  private tokenRequests = 0;
  private failedRounds = 0;
  private stopped = false;
  private isPlaying = false;
  private everPlayed = false;
  private pausedAt: number | undefined;
  /** A due refresh was skipped because nobody watches: the next `playing(true)` refreshes. */
  private dormant = false;

  constructor(options: SessionManagerOptions) {
    this.options = options;
    this.prefix = resourceKey(options.src);
    this.mode = options.signing ?? 'cookie';
    this.key = hubKey(this.prefix, this.mode);
    this.hub = options.hub ?? (pageSessions as SharedRefresh<SessionState>);
    this.clock = options.clock ?? systemClock;
    this.fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.hub.acquire(this.key);
    this.scheduler = new RefreshScheduler({
      clock: this.clock,
      ...(options.timers ? { timers: options.timers } : {}),
      ...(options.signals ? { signals: options.signals } : {}),
      onDue: (reason) => {
        if (!this.wantsRefresh()) {
          this.dormant = true;
          return;
        }
        void this.refresh(reason).catch(() => undefined);
      },
      onWake: (jump) => options.onWake?.(jump),
    });
  }

  /** The first session; rejects with an `HlsgateError` when there will be none. */
  async start(): Promise<SessionState> {
    return this.refresh('initial');
  }

  /** The current session, if any. */
  get current(): SessionState | undefined {
    return this.state;
  }

  get tokenRequestCount(): number {
    return this.tokenRequests;
  }

  /** Bumped on every completed refresh of this video by any player; requests remember it when sent. */
  get sharedGeneration(): number {
    return this.hub.entry(this.key)?.generation ?? 0;
  }

  /** Whether a URL is under this video's cookies (only those requests get the 403 safety net). */
  covers(url: string): boolean {
    return url.startsWith(this.prefix);
  }

  /** `cookie` or `query`: how this player's requests carry the signature now. */
  get signing(): SessionMode {
    return this.mode;
  }

  /** Set once cookie mode gave way to query mode by itself. */
  get signingSwitch(): SigningSwitch | undefined {
    return this.switched;
  }

  /** Query mode: the query to append to the requests under the prefix (the current session's). */
  get query(): string | undefined {
    return this.mode === 'query' ? this.state?.query : undefined;
  }

  /** A request under the prefix was answered 2xx (the engines report it): in cookie mode, proof the cookies flow. */
  noteSuccess(): void {
    if (this.mode === 'cookie') this.cookiesProven = true;
  }

  /**
   * The 403 safety net's half: a request sent at `sentGeneration` was refused. If another refresh
   * has completed since, the request just goes again; else a shared refresh. While the auth server
   * is only unavailable (a non-fatal failure), the request keeps waiting — the player still has
   * buffered media — for up to `recoverWindowMs`. True when a retry makes sense.
   */
  async recover(sentGeneration: number): Promise<boolean> {
    const started = this.clock.monotonic();
    const window = this.options.recoverWindowMs ?? 90_000;
    if (this.shouldSwitchToQuery(sentGeneration)) {
      this.switchToQuery('a media request right after a fresh cookie session was refused: the browser did not send the cookies (third-party cookies blocked?)');
      // Counted from the query-mode entry now: only a query session completed after this point will do.
      sentGeneration = this.sharedGeneration;
    }
    for (;;) {
      if (this.stopped) return false;
      if (this.sharedGeneration > sentGeneration) return true;
      try {
        await this.refresh('request');
        return true;
      } catch (error) {
        const failure = asHlsgateError(error, this.options.labels);
        if (failure.fatal || this.stopped || this.clock.monotonic() - started >= window) return false;
      }
      const { maxRetryDelayMs } = this.options.retry;
      try {
        await sleep(Math.round(maxRetryDelayMs / 2 + (this.options.random ?? Math.random)() * (maxRetryDelayMs / 2)), this.abort.signal);
      } catch {
        return false;
      }
    }
  }

  /** Refreshes now (shared with the other players of this video). */
  async refresh(reason: RefreshReason): Promise<SessionState> {
    if (this.stopped) throw makeError('network', this.options.labels, true, { cause: 'disposed' });
    const entry = this.hub.entry(this.key);
    // Another player of this video refreshed since ours was planned, and it is not due yet: adopt it.
    if (reason !== 'request' && reason !== 'initial' && entry?.latest && entry.generation > this.generation) {
      if (!isRefreshDue(entry.latest.timing, this.clock)) {
        this.adopt(entry.latest, entry.generation, reason, true, 0);
        return entry.latest;
      }
    }
    if (reason === 'initial' && entry?.latest && !isRefreshDue(entry.latest.timing, this.clock)) {
      this.adopt(entry.latest, entry.generation, reason, true, 0);
      return entry.latest;
    }
    this.scheduler.pause();
    const started = this.clock.monotonic();
    const { promise, joined } = this.hub.run(this.key, (signal) => this.obtain(reason, signal));
    try {
      const state = await promise;
      if (this.stopped) return state;
      this.failedRounds = 0;
      this.adopt(state, this.sharedGeneration, reason, joined, this.clock.monotonic() - started);
      return state;
    } catch (error) {
      if (this.stopped) throw error;
      const failure = asHlsgateError(error, this.options.labels);
      if (failure.fatal) {
        this.stopRefreshing();
        this.options.onError?.(failure);
      } else if (reason === 'initial' && !this.state) {
        // No cookies at all yet: nothing can play; the page shows the error and may start again.
        this.stopRefreshing();
        this.options.onError?.({ ...failure, fatal: true, message: this.options.labels.networkFatal });
      } else {
        // Keep trying while the cookies last, and after: a network that returns brings playback back.
        this.failedRounds += 1;
        this.options.onError?.(failure);
        const { maxRetryDelayMs } = this.options.retry;
        this.scheduler.retryIn(Math.round(maxRetryDelayMs / 2 + (this.options.random ?? Math.random)() * (maxRetryDelayMs / 2)));
      }
      throw failure;
    }
  }

  /**
   * The viewer pressed play (true) or paused (false). Playing after a dormant spell, or with a
   * refresh due, refreshes at once; media requests wait for it (`pending`), the 403 net stays behind.
   */
  playing(isPlaying: boolean): Promise<SessionState | undefined> {
    this.isPlaying = isPlaying;
    if (!isPlaying) {
      this.pausedAt = this.clock.monotonic();
      return Promise.resolve(this.state);
    }
    this.everPlayed = true;
    this.pausedAt = undefined;
    if (this.stopped || !this.state) return Promise.resolve(this.state);
    if (!this.dormant && !isRefreshDue(this.state.timing, this.clock)) return Promise.resolve(this.state);
    this.dormant = false;
    return this.refresh('play').catch(() => undefined);
  }

  /** Whether a refresh now would serve anyone (see `idleUntilPlay`). */
  private wantsRefresh(): boolean {
    if (!this.options.idleUntilPlay || this.isPlaying) return true;
    if (!this.everPlayed || this.pausedAt === undefined || !this.state) return false;
    return this.clock.monotonic() - this.pausedAt < this.state.timing.lifetimeMs;
  }

  /** The refresh of this video in flight, if any: media requests sent now would only be refused. */
  pending(): Promise<unknown> | undefined {
    return this.hub.entry(this.key)?.inflight;
  }

  /** Milliseconds until the current cookies expire, measured from the server's answer. */
  remainingMs(): number | undefined {
    return this.state ? remainingLifetimeMs(this.state.timing, this.clock) : undefined;
  }

  dispose(): void {
    if (this.stopped && this.abort.signal.aborted) return;
    this.stopRefreshing();
    this.abort.abort(new Error('disposed'));
    this.hub.release(this.key);
  }

  private stopRefreshing(): void {
    this.stopped = true;
    this.scheduler.dispose();
  }

  /**
   * The auto-switch's evidence: cookie mode, never switched, no request of the video ever got through
   * with cookies, and the refused request was sent under the current session while it was fresh (not
   * yet due for a refresh). Cookies that the server just set and that have not expired can only be
   * refused when the browser did not send them.
   */
  private shouldSwitchToQuery(sentGeneration: number): boolean {
    if (this.mode !== 'cookie' || this.switched || this.cookiesProven || this.stopped || !this.state) return false;
    return sentGeneration === this.sharedGeneration && sentGeneration > 0 && !isRefreshDue(this.state.timing, this.clock);
  }

  private switchToQuery(reason: string): void {
    this.switched = { from: 'cookie', to: 'query', reason, at: this.clock.monotonic() };
    this.hub.release(this.key);
    this.mode = 'query';
    this.key = hubKey(this.prefix, this.mode);
    this.hub.acquire(this.key);
    this.generation = -1;
    this.options.onSigningSwitch?.(this.switched);
  }

  private adopt(state: SessionState, generation: number, reason: RefreshReason, joined: boolean, durationMs: number): void {
    const initial = this.state === undefined;
    this.state = state;
    this.dormant = false;
    this.generation = generation;
    this.scheduler.schedule(state.timing);
    const { answer, timing } = state;
    this.options.onSession?.(
      {
        resource: answer.resource,
        expiresAt: answer.expiresAt,
        serverTime: answer.serverTime,
        refreshIn: answer.refreshIn,
        lifetime: timing.lifetimeMs / 1000,
        refreshAfter: timing.refreshAfterMs / 1000,
        receivedAt: timing.receivedMono,
      },
      { reason, joined, initial, durationMs },
    );
  }

  /** One round: token, POST, a new token once on `token_expired`, backoff on network trouble. */
  private async obtain(reason: RefreshReason, signal: AbortSignal): Promise<SessionState> {
    const { labels, retry } = this.options;
    let renewed = false;
    let attempt = 0;
    let token = this.token;
    for (;;) {
      let failure: HlsgateError | undefined;
      if (token === undefined) {
        try {
          token = await this.requestToken();
        } catch (error) {
          failure = asHlsgateError(error, labels);
          if (failure.fatal) throw failure;
        }
      }
      if (token !== undefined) {
        const answer = await this.post(token, signal);
        const outcome = classifySessionAnswer(answer.status, answer.errorCode, labels);
        if (outcome.kind === 'ok') {
          this.token = token;
          const body = answer.body as SessionResponse;
          const watermark = watermarkFromToken(token);
          return {
            answer: body,
            timing: sessionTiming(body, this.options.refreshMargin, this.clock),
            ...(watermark ? { watermark } : {}),
            ...(body.query ? { query: body.query } : {}),
          };
        }
        if (outcome.kind === 'token_expired') {
          this.token = undefined;
          token = undefined;
          // A token fresh from getToken() that is already expired will not get better.
          if (renewed) throw makeError('session_ended', labels, true, { status: 401, cause: 'token_expired' });
          renewed = true;
          continue;
        }
        if (outcome.kind === 'fatal') throw outcome.error;
        failure = outcome.error;
      }
      attempt += 1;
      const delayMs = retryDelay(retry, attempt, this.options.random);
      if (delayMs === null) throw failure;
      if (!this.stopped) this.options.onRetry?.({ attempt, delayMs, error: failure!, reason });
      await sleep(delayMs, signal);
    }
  }

  private async requestToken(): Promise<string> {
    this.tokenRequests += 1;
    if (!this.stopped) this.options.onTokenRequested?.(this.tokenRequests);
    let token: string;
    try {
      token = await this.options.getToken();
    } catch (error) {
      throw classifyTokenFailure(error, this.options.labels);
    }
    if (typeof token !== 'string' || token.trim() === '') throw classifyTokenFailure(undefined, this.options.labels);
    return token.trim();
  }

  private async post(token: string, signal: AbortSignal): Promise<{ status: number; body?: unknown; errorCode?: string }> {
    let response: Response;
    try {
      const query = this.mode === 'query';
      response = await this.fetchFn(this.options.sessionUrl, {
        method: 'POST',
        // Query mode needs no cookie either way; cookie mode is how the cookies get stored.
        credentials: query ? 'omit' : 'include',
        cache: 'no-store',
        headers: query
          ? {
              authorization: `Bearer ${token}`,
              'content-type': 'application/json',
              // A Lambda behind origin access control checks a POST body against this hash (common/delivery.ts).
              [AUTH_ROUTE.payloadHashHeader]: QUERY_MODE_BODY_SHA256,
            }
          : { authorization: `Bearer ${token}` },
        ...(query ? { body: QUERY_MODE_BODY } : {}),
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw error;
      return { status: 0 };
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    if (response.ok && !isSessionResponse(body, this.mode)) return { status: 502, errorCode: 'bad_answer' };
    const errorCode = (body as { error?: { code?: unknown } } | undefined)?.error?.code;
    return { status: response.status, body, ...(typeof errorCode === 'string' ? { errorCode } : {}) };
  }
}

function isSessionResponse(body: unknown, mode: SessionMode): body is SessionResponse {
  const b = body as Partial<SessionResponse> | undefined;
  return (
    typeof b === 'object' &&
    b !== null &&
    typeof b.resource === 'string' &&
    Number.isFinite(b.expiresAt) &&
    Number.isFinite(b.refreshIn) &&
    Number.isFinite(b.serverTime) &&
    // A query-mode answer without its query (an auth server that predates query mode) is no session.
    (mode === 'cookie' || (typeof b.query === 'string' && /^Policy=[^&]+&Signature=[^&]+&Key-Pair-Id=[^&]+$/.test(b.query)))
  );
}

function hubKey(prefix: string, mode: SessionMode): string {
  return mode === 'query' ? `${prefix}#query` : prefix;
}

function asHlsgateError(error: unknown, labels: Labels): HlsgateError {
  const e = error as Partial<HlsgateError> | undefined;
  if (e && typeof e.code === 'string' && typeof e.fatal === 'boolean' && typeof e.message === 'string') return e as HlsgateError;
  return makeError('network', labels, false, { cause: error instanceof Error ? error.message : String(error) });
}
