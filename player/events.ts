/**
 * Every event hlsgate fires, declared up front with its payload, the same for both engines: on the
 * video.js player (`player.on(type, e => …)`, payload fields on the event object) and on the hls.js
 * handle (`handle.on(type, payload => …)`).
 */
import type { HlsgateError } from './errors.ts';
import type { RecoverReason } from './request-retry.ts';
import type { RefreshReason, SessionInfo, SigningSwitch } from './session-manager.ts';

export const EVENTS = ['hlsgate:session', 'hlsgate:refresh', 'hlsgate:retry', 'hlsgate:error', 'hlsgate:quality', 'hlsgate:signing'] as const;
export type HlsgateEventType = (typeof EVENTS)[number];

/** `hlsgate:session`: cookies obtained (the first time or again). */
export interface SessionEventPayload extends SessionInfo {
  reason: RefreshReason;
  /** Another player of the same video made the request. */
  joined: boolean;
  initial: boolean;
  durationMs: number;
}
/** `hlsgate:refresh`: a refresh completed (every session but the first). */
export type RefreshEventPayload = SessionEventPayload;
/** `hlsgate:retry`: the auth server failed and is asked again (`session`), or a refused media request is being recovered (`request`). */
export type RetryEventPayload =
  | { kind: 'session'; attempt: number; delayMs: number; error: HlsgateError; reason: RefreshReason }
  | { kind: 'request'; status: number; cause: RecoverReason; requestType: string | undefined };
/** `hlsgate:error`: errors as data; `fatal` ones are shown in the player. */
export type ErrorEventPayload = HlsgateError;
/** `hlsgate:quality`: the viewer chose a rung in the quality menu (`auto`, or the rung's height as `720p`). */
export interface QualityEventPayload {
  key: string;
  label: string;
}

/** `hlsgate:signing`: cookie mode gave way to query mode by itself (once per player), and why. */
export type SigningEventPayload = SigningSwitch;

export interface EventPayloads {
  'hlsgate:session': SessionEventPayload;
  'hlsgate:refresh': RefreshEventPayload;
  'hlsgate:retry': RetryEventPayload;
  'hlsgate:error': ErrorEventPayload;
  'hlsgate:quality': QualityEventPayload;
  'hlsgate:signing': SigningEventPayload;
}

export interface HlsgateStats {
  sessions: number;
  refreshes: number;
  sessionRetries: number;
  requestRecoveries: number;
  requestRecoveryFailures: number;
  tokenRequests: number;
  session: SessionInfo | undefined;
  /** Milliseconds until the cookies expire, from the server's answer. */
  cookieRemainingMs: number | undefined;
  lastError: HlsgateError | undefined;
  /** How the requests carry the signature now: `cookie` or `query`. */
  signing: 'cookie' | 'query';
  /** Set when cookie mode switched to query mode by itself: why, and when. */
  signingSwitch: SigningSwitch | undefined;
  /**
   * Option `signedPlaylist` where the browser plays HLS itself: `playing` with the playlist's expiry
   * (epoch s), or why the player stayed on cookies (`not_offered`, `refused`, `network`, `bad_answer`).
   */
  signedPlaylist?: { state: 'playing'; expiresAt: number } | { state: 'not_offered' | 'refused' | 'network' | 'bad_answer'; status: number };
}
