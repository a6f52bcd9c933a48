/**
 * hlsgate's player for video.js 8: a plugin that plays a lecture's HLS master playlist behind
 * CloudFront signed cookies and keeps them fresh. `registerHlsgate(videojs)` once, then
 * `player.hlsgate({ src, getToken })`. The same core on hls.js: `hlsjs.ts` (`attachHlsgate`). See README.md.
 */
export { VERSION, hasMediaSource, html5Options, registerHlsgate } from './plugin.ts';
export {
  EVENTS,
  type ErrorEventPayload,
  type EventPayloads,
  type HlsgateEventType,
  type HlsgateStats,
  type QualityEventPayload,
  type RefreshEventPayload,
  type RetryEventPayload,
  type SessionEventPayload,
} from './events.ts';
export { DEFAULT_PLAYBACK_RATES, DEFAULT_RETRY, HlsgateOptionsError, type HlsgateOptions } from './options.ts';
export { DEFAULT_LABELS, type HlsgateError, type HlsgateErrorCode, type Labels } from './errors.ts';
export type { PlayerContext, OnPlayer } from './player-context.ts';
export type { SessionInfo } from './session-manager.ts';
export { trackProgress, type TrackProgressOptions } from './progress.ts';
export { ProgressTracker, type ProgressReport, type MediaLike } from './progress-tracker.ts';
export { createResumeOffer, type ResumeLabels } from './resume-offer.ts';
