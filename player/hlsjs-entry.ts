/**
 * Entry of the hls.js builds: `attachHlsgate(hls, video, options)`; hls.js is the page's (ESM: a
 * peer import; `<script>`: the global `Hls` is not even needed, the adapter reads what it needs
 * from the instance it is given).
 */
export { VERSION, EVENTS, attachHlsgate, type HlsgateHandle, type HlsjsOptions } from './hlsjs.ts';
export { DEFAULT_LABELS, type HlsgateError, type Labels } from './errors.ts';
export { HlsgateOptionsError, type HlsgateOptions } from './options.ts';
export type { EventPayloads, HlsgateEventType, HlsgateStats } from './events.ts';
export type { PlayerContext, OnPlayer } from './player-context.ts';
export { trackProgress, type TrackProgressOptions } from './progress.ts';
export { ProgressTracker, type ProgressReport } from './progress-tracker.ts';
