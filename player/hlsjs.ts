/**
 * hlsgate on hls.js: `attachHlsgate(hls, video, options)` plays the lecture with the same session
 * core as the video.js plugin — cookies before the first request, refresh, the 403/status-0 net at
 * hls.js's loader level (hlsjs-loader.ts), the same events and stats — on a bare `<video>` that it
 * wraps in a box with its own accessible control bar, the watermark and the notices. hls.js is the
 * page's (a peer dependency, as video.js is): nothing of it is bundled here.
 *
 * ```ts
 * import Hls from 'hls.js';
 * import { attachHlsgate } from 'hlsgate/player/hlsjs';
 * const handle = attachHlsgate(new Hls(), document.querySelector('video'), { src, getToken });
 * handle.on('hlsgate:refresh', (e) => console.log(e.lifetime));
 * ```
 */
import type Hls from 'hls.js';
import type { ErrorData, Level } from 'hls.js';
import { ControlBar, type QualitySource } from './control-bar.ts';
import { HlsgateController } from './controller.ts';
import { EVENTS, type EventPayloads, type HlsgateEventType, type HlsgateStats } from './events.ts';
import { gateConfig } from './hlsjs-loader.ts';
import { Notice, StallNotice, mediaEvents } from './notice.ts';
import { resolveOptions, type HlsgateOptions, type ResolvedOptions } from './options.ts';
import type { PlayerContext } from './player-context.ts';
import type { LevelLike } from './quality.ts';
import { HLSJS_CSS, injectStyle } from './style.ts';
import { offerTimeFragment, registerPlayerBox } from './time-fragment.ts';
import { TranscriptFeature } from './transcript-panel.ts';
import { whenVisible } from './visibility.ts';
import { Watermark } from './watermark.ts';

export const VERSION = '0.2.0';
export { EVENTS };

export interface HlsjsOptions extends HlsgateOptions {
  /** hlsgate's control bar on the video (default true); `false` leaves the page to draw its own. */
  controls?: boolean;
}

export interface HlsgateHandle {
  readonly hls: Hls;
  readonly media: HTMLVideoElement;
  /** The box around the video: what goes fullscreen, where the bar and the overlays are. */
  readonly box: HTMLElement;
  readonly options: ResolvedOptions;
  on<T extends HlsgateEventType>(type: T, fn: (payload: EventPayloads[T]) => void): void;
  off<T extends HlsgateEventType>(type: T, fn: (payload: EventPayloads[T]) => void): void;
  stats(): HlsgateStats;
  refresh(): Promise<unknown>;
  /** Stops refreshing and listening, detaches the box and puts the video back as it was. hls.js stays the page's. */
  dispose(): void;
}

type HlsStatic = typeof Hls;

const MEDIA_ATTRIBUTES = ['controls', 'controlsList', 'disableRemotePlayback', 'crossorigin', 'preload'] as const;

export function attachHlsgate(hls: Hls, video: HTMLVideoElement, input: HlsjsOptions): HlsgateHandle {
  const options = resolveOptions(input);
  const Static = hls.constructor as HlsStatic;
  const { Events } = Static;
  const doc = video.ownerDocument;
  injectStyle(doc, HLSJS_CSS);
  const listeners = new Map<string, Set<(payload: never) => void>>();
  const cleanups: (() => void)[] = [];
  const listen = <K extends keyof HTMLVideoElementEventMap>(target: EventTarget, type: K | string, fn: (event: Event) => void) => {
    target.addEventListener(type, fn);
    cleanups.push(() => target.removeEventListener(type, fn));
  };

  // The box: the video's parent if the page made one, else a new one in the video's place.
  const ownBox = !video.parentElement?.classList.contains('hlsgate-player');
  const box = ownBox ? doc.createElement('div') : video.parentElement!;
  if (ownBox) {
    box.className = 'hlsgate-player';
    video.replaceWith(box);
    box.appendChild(video);
  }
  registerPlayerBox(box);
  box.setAttribute('role', 'region');
  box.setAttribute('aria-label', options.labels.player);
  const saved = MEDIA_ATTRIBUTES.map((name) => [name, video.getAttribute(name)] as const);
  const savedRate = video.playbackRate;
  video.setAttribute('controlsList', 'nodownload noremoteplayback');
  video.setAttribute('disableRemotePlayback', '');
  video.setAttribute('crossorigin', 'use-credentials');
  if (options.lean) video.preload = 'none';
  if (input.controls !== false) video.controls = false;
  listen(box, 'contextmenu', (event) => event.preventDefault());

  const alert = new Notice(box, 'alert');
  const controller = new HlsgateController(options, {
    document: doc,
    emit: <T extends HlsgateEventType>(type: T, payload: EventPayloads[T]) => {
      for (const fn of [...(listeners.get(type) ?? [])]) (fn as (p: EventPayloads[T]) => void)(payload);
    },
    showFatal: (error) => {
      alert.show(error.message);
      video.pause();
    },
  });
  const restoreConfig = gateConfig(hls.config, controller.net());
  if (options.lean) hls.config.autoStartLoad = false;
  const stall = new StallNotice(box, mediaEvents(video), () => video.paused, () => (controller.fatal ? undefined : options.labels.network));

  // Quality: hls.js levels as the quality rules see them.
  const quality: QualitySource = {
    levels: () =>
      hls.levels.map((level: Level, i: number): LevelLike => ({
        id: String(i),
        height: level.height,
        bitrate: level.bitrate,
        enabled: hls.autoLevelEnabled || hls.manualLevel === i,
      })),
    playingIndex: () => hls.currentLevel,
    choose: (key, label) => {
      if (key === 'auto') hls.currentLevel = -1;
      else hls.currentLevel = Number(key);
      emitQuality(key, label);
    },
    subscribe: (fn) => {
      const events = [Events.MANIFEST_PARSED, Events.LEVEL_SWITCHED, Events.LEVELS_UPDATED] as const;
      for (const e of events) hls.on(e, fn);
      return () => {
        for (const e of events) hls.off(e, fn);
      };
    },
  };
  const emitQuality = (key: string, label: string) => {
    for (const fn of [...(listeners.get('hlsgate:quality') ?? [])]) (fn as (p: EventPayloads['hlsgate:quality']) => void)({ key, label });
  };
  const bar = input.controls === false ? undefined : new ControlBar(box, video, { labels: options.labels, playbackRates: options.playbackRates, quality });

  // Errors: hls.js's fatal ones become the viewer's words; a media error gets one recovery first.
  let mediaRecovered = false;
  const onError = (_event: unknown, data: ErrorData) => {
    if (!data.fatal) return;
    if (data.type === Static.ErrorTypes.MEDIA_ERROR && !mediaRecovered) {
      mediaRecovered = true;
      hls.recoverMediaError();
      return;
    }
    controller.engineFailure(data.type === Static.ErrorTypes.NETWORK_ERROR ? 'network' : 'media', data.details);
  };
  hls.on(Events.ERROR, onError);
  cleanups.push(() => hls.off(Events.ERROR, onError));

  let loading = !options.lean;
  /** Play was pressed before the source was attached (the session in flight): start() loads and plays. */
  let playWanted = false;
  // The transcript and the chapters: read after the first play, as the engine's own requests.
  const transcript = options.transcript
    ? new TranscriptFeature({
        src: options.src,
        media: video,
        box,
        labels: options.labels,
        fetchText: (url) => controller.fetchText(url),
        seek: (seconds) => {
          video.currentTime = seconds;
        },
        duration: () => (Number.isFinite(video.duration) ? video.duration : 0),
        progressTrack: () => bar?.seekWrap,
        showTranscriptButton: (toggle, panelId) => bar?.addTranscriptButton(toggle, panelId) ?? (() => undefined),
        showChapters: (chapters) =>
          bar?.setChapters(chapters, (seconds) => {
            video.currentTime = seconds;
          }),
      })
    : undefined;
  const onPlay = async () => {
    if (!started) {
      // Before the source: startLoad now would be lost (loadSource starts over), and attaching the
      // source may reset the element to paused. start() loads and plays once the source is there.
      playWanted = true;
      await start();
      // The session manager exists now: it must know the viewer plays (lean until play refreshes only then).
      if (!video.paused) await controller.playing(true);
      return;
    }
    await controller.playing(true);
    // The transcript's requests go after the refresh a play may need, as the engine's do.
    if (transcript && !video.paused) void transcript.start();
    if (!loading) {
      loading = true;
      hls.startLoad(-1);
    }
  };
  listen(video, 'play', () => void onPlay());
  listen(video, 'pause', () => {
    if (!started) playWanted = false;
    void controller.playing(false);
  });

  let watermark: Watermark | undefined;
  let started = false;
  const start = async () => {
    const state = await controller.start();
    if (started || !state || disposed) return;
    started = true;
    const text = controller.watermarkText();
    if (text) watermark = new Watermark(box, video, text);
    hls.loadSource(options.src);
    hls.attachMedia(video);
    // Autoplay waits for data that lean loading would only fetch on play: it is the play; so is a
    // play pressed while the session was in flight (the element may still be playing, or have been
    // reset to paused by the new source: then it is played again).
    const wanted = playWanted;
    playWanted = false;
    if (!loading && (video.autoplay || wanted || !video.paused)) {
      loading = true;
      hls.startLoad(-1);
    }
    if (wanted && video.paused) void video.play().catch(() => undefined);
    if (transcript && (wanted || !video.paused)) void transcript.start();
    if (options.timeFragment) cleanups.push(offerTimeFragment({ box, media: video, labels: options.labels }));
    if (options.onPlayer) {
      const context: PlayerContext = { engine: 'hlsjs', media: video, box, on: handle.on, off: handle.off, stats: () => controller.stats() };
      const cleanup = options.onPlayer(context);
      if (typeof cleanup === 'function') cleanups.push(cleanup);
    }
  };
  if (options.lean) cleanups.push(whenVisible(box, () => void start()));
  else void start();

  let disposed = false;
  const handle: HlsgateHandle = {
    hls,
    media: video,
    box,
    options,
    on: (type, fn) => {
      if (!listeners.has(type)) listeners.set(type, new Set());
      listeners.get(type)!.add(fn as (payload: never) => void);
    },
    off: (type, fn) => {
      listeners.get(type)?.delete(fn as (payload: never) => void);
    },
    stats: () => controller.stats(),
    refresh: () => controller.refresh(),
    dispose: () => {
      if (disposed) return;
      disposed = true;
      controller.dispose();
      for (const cleanup of cleanups.splice(0)) cleanup();
      transcript?.dispose();
      bar?.dispose();
      stall.dispose();
      alert.dispose();
      watermark?.dispose();
      restoreConfig();
      listeners.clear();
      for (const [name, value] of saved) {
        if (value === null) video.removeAttribute(name);
        else video.setAttribute(name, value);
      }
      video.playbackRate = savedRate;
      if (ownBox && box.parentNode) box.replaceWith(video);
    },
  };
  return handle;
}
