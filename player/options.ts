/**
 * The plugin's options, validated once: a bad option throws at `player.hlsgate(options)` with a
 * message naming it, never later in the middle of playback.
 */
import { SESSION_MODES, type SessionMode } from '../common/contracts.ts';
import type { RetryPolicy } from '../common/retry.ts';
import { DEFAULT_LABELS, type Labels } from './errors.ts';
import type { OnPlayer } from './player-context.ts';

export interface HlsgateOptions {
  /** Absolute URL of the master playlist (`https://media.example.edu/lectures/<dir>/master.m3u8`). */
  src: string;
  /** How the page gets a view token (Moodle's web service, the demo's `/_dev/token`, …). Called again when the token expired. */
  getToken: () => Promise<string>;
  /** `POST`/`DELETE` session endpoint. Default: `/_auth/session` on the media host. */
  sessionUrl?: string;
  /** Seconds before the cookies expire by which a refresh must have happened (default 10). */
  refreshMargin?: number;
  /** Backoff for failing refreshes (default `{ maxRetry: 6, retryDelayMs: 1000, maxRetryDelayMs: 8000 }`). */
  retry?: Partial<RetryPolicy>;
  /** Text of the moving viewer watermark; default the token's `wm` claim; `false` for none. */
  watermark?: string | false;
  /** Viewer-facing texts, for translation. */
  labels?: Partial<Labels>;
  /** Playback rates offered in the control bar (default 0.5–2). `[]` hides the control. */
  playbackRates?: number[];
  /** MIME type of the source (default `application/x-mpegURL`). */
  type?: string;
  /**
   * Lean until play (default true): nothing before the player comes into view, then only the token
   * and the session; no media before play; no refresh while nobody watches. `false`: start at once
   * and keep the cookies fresh whether the video plays or not.
   */
  lean?: boolean;
  /** A page's per-player hook (progress tracking, a resume offer…): see `PlayerContext`. */
  onPlayer?: OnPlayer;
  /**
   * Let the browser play HLS itself where it can, as Safari does on an iPhone without MSE (default
   * false: VHS wherever MSE exists). No MSE means no 403 safety net: only the proactive refresh keeps
   * the cookies valid. Browsers without HLS of their own still get VHS.
   */
  native?: boolean;
  /**
   * How the signature reaches CloudFront (default `cookie`): `cookie`, the three CloudFront cookies;
   * `query`, the same signature appended to every playlist and segment request (web views, browsers
   * that block third-party cookies). Cookie mode switches to query mode by itself, once, when the
   * browser evidently does not send the cookies.
   */
  signing?: SessionMode;
  /**
   * Where the browser plays HLS itself (no MSE nor ManagedMediaSource, or `native`): ask the auth
   * server for a per-viewer signed playlist and play that, with no cookie (default false). Only
   * where the server offers it (`HLSGATE_SIGNED_PLAYLISTS`); otherwise the player stays on cookies.
   * Such a playlist cannot be withdrawn before it expires (server/README.md).
   */
  signedPlaylist?: boolean;
  /**
   * The transcript panel and the chapters (default true): after the first play, the lecture's
   * subtitles rendition and `chapters.vtt` are read (see transcript-panel.ts). `false`: none, and
   * where the browser plays HLS itself, no captions either (video.js's captions track is made from
   * that same read there).
   */
  transcript?: boolean;
  /**
   * Honour a page URL's time fragment (`#t=754`, `#t=12:34`, `#t=1h2m3s`; `&p=<id>` names the
   * player) with a "Start at 12:34" offer (default true). Only the first player on the page, or the
   * one named, takes it.
   */
  timeFragment?: boolean;
}

export interface ResolvedOptions {
  src: string;
  getToken: () => Promise<string>;
  sessionUrl: string;
  refreshMargin: number;
  retry: RetryPolicy;
  watermark: string | false | undefined;
  labels: Labels;
  playbackRates: number[];
  type: string;
  lean: boolean;
  onPlayer: OnPlayer | undefined;
  native: boolean;
  signing: SessionMode;
  signedPlaylist: boolean;
  transcript: boolean;
  timeFragment: boolean;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetry: 6, retryDelayMs: 1_000, maxRetryDelayMs: 8_000 };
export const DEFAULT_PLAYBACK_RATES = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2];

export class HlsgateOptionsError extends Error {
  readonly code = 'options_invalid';
  constructor(readonly option: string, problem: string) {
    super(`hlsgate: option "${option}" ${problem}`);
    this.name = 'HlsgateOptionsError';
  }
}

function httpUrl(option: string, value: unknown, base?: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new HlsgateOptionsError(option, 'must be a URL');
  let url: URL;
  try {
    url = base ? new URL(value, base) : new URL(value);
  } catch {
    throw new HlsgateOptionsError(option, `must be an absolute http(s) URL, got "${value.slice(0, 80)}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HlsgateOptionsError(option, `must be an http(s) URL, got "${url.protocol}"`);
  }
  return url.href;
}

function nonNegative(option: string, value: unknown, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new HlsgateOptionsError(option, `must be a ${integer ? 'whole ' : ''}number ≥ 0`);
  }
  return value;
}

export function resolveOptions(input: HlsgateOptions | undefined): ResolvedOptions {
  if (!input || typeof input !== 'object') throw new HlsgateOptionsError('options', 'must be an object with src and getToken');
  const src = httpUrl('src', input.src);
  if (typeof input.getToken !== 'function') throw new HlsgateOptionsError('getToken', 'must be a function returning a Promise of a view token');
  const sessionUrl = httpUrl('sessionUrl', input.sessionUrl ?? '/_auth/session', src);
  const retry: RetryPolicy = {
    maxRetry: nonNegative('retry.maxRetry', input.retry?.maxRetry, DEFAULT_RETRY.maxRetry, true),
    retryDelayMs: nonNegative('retry.retryDelayMs', input.retry?.retryDelayMs, DEFAULT_RETRY.retryDelayMs),
    maxRetryDelayMs: nonNegative('retry.maxRetryDelayMs', input.retry?.maxRetryDelayMs, DEFAULT_RETRY.maxRetryDelayMs),
  };
  if (retry.maxRetryDelayMs < retry.retryDelayMs) throw new HlsgateOptionsError('retry.maxRetryDelayMs', 'must be ≥ retry.retryDelayMs');
  const watermark = input.watermark;
  if (watermark !== undefined && watermark !== false && typeof watermark !== 'string') {
    throw new HlsgateOptionsError('watermark', 'must be a string or false');
  }
  const labels = { ...DEFAULT_LABELS };
  for (const [key, value] of Object.entries(input.labels ?? {})) {
    if (!(key in DEFAULT_LABELS)) throw new HlsgateOptionsError(`labels.${key}`, 'is not a known label');
    if (typeof value !== 'string') throw new HlsgateOptionsError(`labels.${key}`, 'must be a string');
    labels[key as keyof typeof labels] = value;
  }
  const playbackRates = input.playbackRates ?? DEFAULT_PLAYBACK_RATES;
  if (!Array.isArray(playbackRates) || playbackRates.some((r) => typeof r !== 'number' || !(r > 0) || r > 16)) {
    throw new HlsgateOptionsError('playbackRates', 'must be an array of numbers between 0 and 16');
  }
  if (input.lean !== undefined && typeof input.lean !== 'boolean') throw new HlsgateOptionsError('lean', 'must be true or false');
  if (input.onPlayer !== undefined && typeof input.onPlayer !== 'function') throw new HlsgateOptionsError('onPlayer', 'must be a function');
  if (input.native !== undefined && typeof input.native !== 'boolean') throw new HlsgateOptionsError('native', 'must be true or false');
  if (input.signedPlaylist !== undefined && typeof input.signedPlaylist !== 'boolean') throw new HlsgateOptionsError('signedPlaylist', 'must be true or false');
  if (input.signing !== undefined && !(SESSION_MODES as readonly unknown[]).includes(input.signing)) {
    throw new HlsgateOptionsError('signing', `must be ${SESSION_MODES.map((m) => `"${m}"`).join(' or ')}`);
  }
  for (const name of ['transcript', 'timeFragment'] as const) {
    if (input[name] !== undefined && typeof input[name] !== 'boolean') throw new HlsgateOptionsError(name, 'must be true or false');
  }
  return {
    src,
    getToken: input.getToken,
    sessionUrl,
    refreshMargin: nonNegative('refreshMargin', input.refreshMargin, 10),
    retry,
    watermark,
    labels,
    playbackRates,
    type: input.type ?? 'application/x-mpegURL',
    lean: input.lean ?? true,
    onPlayer: input.onPlayer,
    native: input.native ?? false,
    signing: input.signing ?? 'cookie',
    signedPlaylist: input.signedPlaylist ?? false,
    transcript: input.transcript ?? true,
    timeFragment: input.timeFragment ?? true,
  };
}

/** The `wm` claim of a view token, read without verifying (the server verifies; this only draws text). */
export function watermarkFromToken(token: string): string | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (payload.length % 4)) % 4));
    const bytes = Uint8Array.from(json, (c) => c.charCodeAt(0));
    const wm = (JSON.parse(new TextDecoder().decode(bytes)) as { wm?: unknown }).wm;
    return typeof wm === 'string' && wm.trim() ? wm : undefined;
  } catch {
    return undefined;
  }
}
