/**
 * Progress and resume on either engine: `trackProgress({ send, lastPosition })` gives an `onPlayer`
 * hook (see `PlayerContext`) that runs a `ProgressTracker` on the player's media element and, when
 * there is a position worth it, the "Resume at 12:34" offer in the player's box.
 *
 * ```ts
 * player.hlsgate({ src, getToken, onPlayer: trackProgress({ send: (report, { keepalive }) => save(report, keepalive), lastPosition: 754 }) });
 * attachHlsgate(hls, video, { src, getToken, onPlayer: trackProgress({ send }) });
 * ```
 */
import type { OnPlayer } from './player-context.ts';
import { ProgressTracker, type ProgressTrackerOptions } from './progress-tracker.ts';
import { createResumeOffer, type ResumeLabels } from './resume-offer.ts';

export interface TrackProgressOptions {
  send: ProgressTrackerOptions['send'];
  onError?: ProgressTrackerOptions['onError'];
  /** Where the viewer stopped last time (seconds); 0 or absent offers nothing. */
  lastPosition?: number;
  /** The duration known from last time, so that a position near the end is not offered. */
  duration?: number;
  labels?: Partial<ResumeLabels>;
  /** The page autoplays the player (a muted autoplay is not watching). */
  autoplay?: boolean;
  /** Passed to the tracker (tests). */
  tracker?: Partial<Omit<ProgressTrackerOptions, 'media' | 'send' | 'onError'>>;
  /** The tracker of each player, for a page that wants to flush it itself. */
  onTracker?: (tracker: ProgressTracker) => void;
}

/** Seeks once the media knows its duration (with preload "none" it may not yet), then plays. */
export function resumeAt(media: HTMLMediaElement, position: number): void {
  const seek = (): void => {
    media.currentTime = position;
  };
  if (media.readyState >= 1) seek();
  else media.addEventListener('loadedmetadata', seek, { once: true });
  const played = media.play();
  if (played && typeof played.catch === 'function') played.catch(() => undefined);
}

export function trackProgress(options: TrackProgressOptions): OnPlayer {
  if (!options || typeof options.send !== 'function') throw new TypeError('trackProgress: send must be a function');
  return (context) => {
    const doc = context.box.ownerDocument;
    const tracker = new ProgressTracker({
      ...options.tracker,
      media: context.media,
      send: options.send,
      onError: options.onError,
      ...(options.autoplay ? { autoplay: true } : {}),
      signals: options.tracker?.signals ?? { document: doc, window: doc.defaultView ?? undefined },
    });
    options.onTracker?.(tracker);
    const offer = options.lastPosition
      ? createResumeOffer({
          container: context.box,
          media: context.media,
          position: options.lastPosition,
          duration: options.duration && options.duration > 0 ? options.duration : undefined,
          labels: options.labels,
          onResume: (position) => resumeAt(context.media, position),
        })
      : null;
    return () => {
      tracker.dispose();
      offer?.dispose();
    };
  };
}
