/**
 * Entry of the AMD module for Moodle: video.js bundled inside (Moodle ships none), the plugin
 * registered on it, and `create(target, options)` for the filter's JavaScript.
 */
import videojs from 'video.js';
import type { HlsgateOptions } from './options.ts';
import { VERSION, html5Options, registerHlsgate } from './plugin.ts';

registerHlsgate(videojs);

/** Options of `create`: the plugin's, plus video.js player options. */
export interface CreateOptions extends HlsgateOptions {
  /** Passed to `videojs(el, …)`; merged over hlsgate's defaults. */
  player?: Record<string, unknown>;
}

/** Builds a `<video-js>` player inside `target` and starts hlsgate on it. */
export function create(target: HTMLElement, options: CreateOptions): ReturnType<typeof videojs> {
  const el = target.ownerDocument.createElement('video-js');
  el.className = 'video-js vjs-fluid vjs-big-play-centered';
  el.setAttribute('playsinline', '');
  target.appendChild(el);
  const { player: playerOptions, ...hlsgateOptions } = options;
  const player = videojs(el, {
    controls: true,
    html5: html5Options(options.native),
    ...playerOptions,
  });
  (player as unknown as { hlsgate(o: HlsgateOptions): unknown }).hlsgate(hlsgateOptions);
  return player;
}

export { VERSION, videojs };
// Progress and resume (an onPlayer hook, the same on both engines).
export { trackProgress } from './progress.ts';
