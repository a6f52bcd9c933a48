/**
 * What a page's per-player hook (`onPlayer` option) gets, the same for both engines: the media
 * element (its `currentTime`, `paused`, events), the player's box (for components of its own, such
 * as a resume offer), the hlsgate events, and the stats. Called once the source is set; a function
 * it returns runs on dispose.
 */
import type { EventPayloads, HlsgateEventType, HlsgateStats } from './events.ts';

export interface PlayerContext {
  engine: 'videojs' | 'hlsjs';
  media: HTMLMediaElement;
  /** The player's element: what goes fullscreen, where overlays go. */
  box: HTMLElement;
  on<T extends HlsgateEventType>(type: T, fn: (payload: EventPayloads[T]) => void): void;
  off<T extends HlsgateEventType>(type: T, fn: (payload: EventPayloads[T]) => void): void;
  stats(): HlsgateStats;
}

export type OnPlayer = (context: PlayerContext) => void | (() => void);
