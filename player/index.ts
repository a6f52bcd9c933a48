/**
 * hlsgate's player: a video.js 8 plugin that plays a lecture's HLS master playlist behind CloudFront
 * signed cookies and keeps them fresh. `registerHlsgate(videojs)` once, then
 * `player.hlsgate({ src, getToken })`. See README.md.
 */
export {
  EVENTS,
  VERSION,
  hasMediaSource,
  registerHlsgate,
  type ErrorEventPayload,
  type HlsgateEventType,
  type HlsgateStats,
  type RefreshEventPayload,
  type RetryEventPayload,
  type SessionEventPayload,
} from './plugin.ts';
export { DEFAULT_PLAYBACK_RATES, DEFAULT_RETRY, HlsgateOptionsError, type HlsgateOptions } from './options.ts';
export { DEFAULT_LABELS, type HlsgateError, type HlsgateErrorCode, type Labels } from './errors.ts';
export type { SessionInfo } from './session-manager.ts';
