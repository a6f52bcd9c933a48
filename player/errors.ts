/**
 * Errors as data: what went wrong (`code`), what to tell the viewer (`message`, from the labels so a
 * page can translate it), and whether playback is over (`fatal`). Pure: classifies answers of the
 * auth server and failures of `getToken` without touching the network.
 */
import type { ErrorCode } from '../common/contracts.ts';

export type HlsgateErrorCode =
  /** The view token expired and a fresh one expired too, or `getToken` failed: reload the page. */
  | 'session_ended'
  /** Forged or foreign token, resource not allowed, no token at all. */
  | 'no_access'
  /** The auth server or the network failed; retried with backoff while the cookies last. */
  | 'network'
  /** The media could not be played (decode error, bad playlist). */
  | 'media';

export interface HlsgateError {
  code: HlsgateErrorCode;
  /** The viewer-facing message (from the labels). */
  message: string;
  fatal: boolean;
  /** The HTTP status or the auth server's error code behind it, for logs and pages. */
  status?: number;
  cause?: ErrorCode | string;
}

export interface Labels {
  sessionEnded: string;
  noAccess: string;
  network: string;
  networkFatal: string;
  media: string;
  quality: string;
  auto: string;
  playbackRate: string;
  /** The hls.js engine's own control bar. */
  play: string;
  pause: string;
  seek: string;
  mute: string;
  unmute: string;
  volume: string;
  captions: string;
  fullscreen: string;
  exitFullscreen: string;
  player: string;
  /** The transcript panel, its search and the chapters (both engines). */
  transcript: string;
  transcriptSearch: string;
  /** `{count}` hits for the search; announced once typing settles. */
  transcriptHits: string;
  transcriptNoHits: string;
  searchResults: string;
  chapters: string;
  /** The time-fragment offer (`#t=754`): `{time}`. */
  startAt: string;
  startAtAnnounce: string;
  startAtDismiss: string;
}

export const DEFAULT_LABELS: Labels = {
  sessionEnded: 'Your session has ended — reload the page',
  noAccess: "You don't have access to this video",
  network: 'Network trouble — trying again…',
  networkFatal: 'Network trouble — check your connection and reload the page',
  media: 'This video cannot be played',
  quality: 'Quality',
  auto: 'Auto',
  playbackRate: 'Playback rate',
  play: 'Play',
  pause: 'Pause',
  seek: 'Seek',
  mute: 'Mute',
  unmute: 'Unmute',
  volume: 'Volume',
  captions: 'Captions',
  fullscreen: 'Fullscreen',
  exitFullscreen: 'Exit fullscreen',
  player: 'Video player',
  transcript: 'Transcript',
  transcriptSearch: 'Search the transcript',
  transcriptHits: '{count} matches',
  transcriptNoHits: 'No matches',
  searchResults: 'Matches',
  chapters: 'Chapters',
  startAt: 'Start at {time}',
  startAtAnnounce: 'This link starts the video at {time}.',
  startAtDismiss: 'Start from the beginning',
};

/** What one `POST /session` attempt came to, before any retry decision. */
export type SessionOutcome =
  | { kind: 'ok' }
  /** The view token expired: ask `getToken` for a new one. */
  | { kind: 'token_expired' }
  /** Worth retrying with backoff (network, 5xx, 429). */
  | { kind: 'retry'; error: HlsgateError }
  /** Retrying cannot help. */
  | { kind: 'fatal'; error: HlsgateError };

export function makeError(
  code: HlsgateErrorCode,
  labels: Labels,
  fatal: boolean,
  extra: { status?: number; cause?: string } = {},
): HlsgateError {
  const message =
    code === 'session_ended'
      ? labels.sessionEnded
      : code === 'no_access'
        ? labels.noAccess
        : code === 'media'
          ? labels.media
          : fatal
            ? labels.networkFatal
            : labels.network;
  return { code, message, fatal, ...extra };
}

/**
 * Classifies an answer of `POST /session`: `status` 0 means the request never got an answer
 * (offline, DNS, CORS refusal). `errorCode` is the `error.code` of the JSON body, when there was one.
 */
export function classifySessionAnswer(status: number, errorCode: string | undefined, labels: Labels): SessionOutcome {
  if (status >= 200 && status < 300) return { kind: 'ok' };
  const extra = { status, ...(errorCode ? { cause: errorCode } : {}) };
  if (status === 401 && errorCode === 'token_expired') return { kind: 'token_expired' };
  if (status === 0 || status === 408 || status === 429 || status >= 500) {
    return { kind: 'retry', error: makeError('network', labels, false, extra) };
  }
  // 400 malformed, 401 token_invalid, 403 resource_forbidden or origin_forbidden, 404…: the page
  // handed over something the server will never accept.
  return { kind: 'fatal', error: makeError('no_access', labels, true, extra) };
}

/** A `getToken()` that rejected or gave nothing. A TypeError from fetch is network trouble. */
export function classifyTokenFailure(error: unknown, labels: Labels): HlsgateError {
  if (error === undefined || error === null || error === '') return makeError('no_access', labels, true, { cause: 'no_token' });
  const code = (error as { code?: unknown }).code;
  if (code === 'no_access' || code === 'forbidden' || code === 'nopermissions') {
    return makeError('no_access', labels, true, { cause: String(code) });
  }
  if (error instanceof TypeError) return makeError('network', labels, false, { cause: 'get_token_network' });
  return makeError('session_ended', labels, true, { cause: 'get_token_failed' });
}

/** Thrown by `getToken` wrappers when the page returned no token. */
export class NoTokenError extends Error {
  readonly code = 'no_access';
  constructor() {
    super('getToken() returned no token');
    this.name = 'NoTokenError';
  }
}
