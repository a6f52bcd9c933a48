/**
 * One hlsgate player on the demo pages, on either engine (`?engine=hlsjs`, default video.js), with
 * what the browser tests and the panel read through one engine-neutral face: every hlsgate and
 * engine event in `log`, the number of getToken calls, position, rungs, stats.
 */
import Hls from 'hls.js';
import videojsImport from 'video.js';
import 'video.js/dist/video-js.css';
import { attachHlsgate, type HlsgateHandle } from '../../player/hlsjs-entry.ts';
import { EVENTS, html5Options, registerHlsgate, trackProgress, type HlsgateStats } from '../../player/index.ts';
import type { DevVideo } from '../../common/contracts.ts';
import { token } from './dev-api.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const videojs: any = (videojsImport as any).default ?? videojsImport;
registerHlsgate(videojs);

export type Engine = 'videojs' | 'hlsjs';

export interface LogEntry {
  t: number;
  type: string;
  detail?: Record<string, unknown>;
}

export interface Rung {
  height: number;
  enabled: boolean;
  playing: boolean;
}

export interface DemoPlayer {
  engine: Engine;
  /** The video.js player (video.js engine). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  player: any;
  /** The hls.js instance and hlsgate's handle (hls.js engine). */
  hls?: Hls;
  handle?: HlsgateHandle;
  media: HTMLVideoElement;
  /** The player's element (what goes fullscreen). */
  box: HTMLElement;
  video: DevVideo;
  log: LogEntry[];
  tokenCalls: number;
  /** The last view token the page got (for "delete the cookies", which needs it). */
  lastToken: string | undefined;
  stats(): HlsgateStats;
  currentTime(): number;
  duration(): number;
  paused(): boolean;
  seek(seconds: number): void;
  /** Every rung, highest first. */
  rungs(): Rung[];
  /** Seconds buffered ahead of the playhead. */
  bufferAhead(): number;
  /** The engine's bandwidth estimate, bits/s. */
  bandwidth(): number | undefined;
  /** Stops hlsgate only (the player stays). */
  disposeHlsgate(): void;
  /** Removes the whole player. */
  dispose(): void;
}

export interface SetupOptions {
  engine?: Engine;
  /** Seconds the view tokens live (the stack's default when absent). */
  tokenTtl?: number;
  /** `none`: getToken gives nothing; `forged`: a token with a bad signature. */
  tokenMode?: 'none' | 'forged';
  watermark?: string;
  autoplay?: boolean;
  /** A WebVTT file added as an English subtitles track (the samples have none of their own). */
  captions?: string;
  /** `false`: the player as it was before "lean until play" (starts at once, buffers, always refreshes). */
  lean?: boolean;
  /** The browser's own HLS where it has one (Safari's native path; the plugin's `native` option). */
  native?: boolean;
  /** How the signature travels (`?signing=query`; default cookie, which switches to query by itself where cookies are blocked). */
  signing?: 'cookie' | 'query';
  /** Where the browser plays HLS itself, the auth server's signed playlist (`signedPlaylist=1`; the stack needs HLSGATE_SIGNED_PLAYLISTS=true). */
  signedPlaylist?: boolean;
  /** Progress reports go to the log as `progress` entries; a position offers "Resume at …" (`progress=1`, `resume=<s>`). */
  progress?: { resume?: number };
}

const MEDIA_EVENTS = ['error', 'waiting', 'playing', 'stalled', 'loadedmetadata', 'play', 'pause'];
const TECH_EVENTS = ['excludeplaylist', 'retryplaylist'];

export function engineFromQuery(params: URLSearchParams): Engine {
  return params.get('engine') === 'hlsjs' ? 'hlsjs' : 'videojs';
}

/** What the pages share of their query: `engine`, `autoplay=1`, `lean=0`, `native=1`, `signing=query`, `signedPlaylist=1`, `progress=1` (+ `resume=<s>`). */
export function setupFromQuery(params: URLSearchParams): SetupOptions {
  const resume = Number(params.get('resume') ?? 0);
  return {
    engine: engineFromQuery(params),
    autoplay: params.get('autoplay') === '1',
    ...(params.get('lean') === '0' ? { lean: false } : {}),
    ...(params.get('native') === '1' ? { native: true } : {}),
    ...(params.get('signing') === 'query' ? { signing: 'query' as const } : {}),
    ...(params.get('signedPlaylist') === '1' ? { signedPlaylist: true } : {}),
    ...(params.get('progress') === '1' ? { progress: resume > 0 ? { resume } : {} } : {}),
  };
}

export function createDemoPlayer(container: HTMLElement, video: DevVideo, options: SetupOptions = {}): DemoPlayer {
  const log: LogEntry[] = [];
  const push = (type: string, detail?: Record<string, unknown>) => log.push({ t: performance.now(), type, ...(detail ? { detail } : {}) });
  const state = { tokenCalls: 0, lastToken: undefined as string | undefined };
  const getToken = async () => {
    state.tokenCalls += 1;
    push('getToken', { count: state.tokenCalls });
    if (options.tokenMode === 'none') return '';
    const t = await token(video.res, { ...(options.tokenTtl ? { ttl: options.tokenTtl } : {}), wm: 'student 4711 · demo' });
    state.lastToken = t;
    if (options.tokenMode === 'forged') return `${t.slice(0, t.lastIndexOf('.') + 1)}${'A'.repeat(43)}`;
    return t;
  };
  const hlsgateOptions = {
    src: video.src,
    getToken,
    ...(options.watermark ? { watermark: options.watermark } : {}),
    ...(options.lean === false ? { lean: false } : {}),
    ...(options.native ? { native: true } : {}),
    ...(options.signing ? { signing: options.signing } : {}),
    ...(options.signedPlaylist ? { signedPlaylist: true } : {}),
    ...(options.progress
      ? {
          onPlayer: trackProgress({
            send: async (report, { keepalive }) => {
              push('progress', { ...report, ranges: JSON.stringify(report.ranges), keepalive });
            },
            ...(options.progress.resume ? { lastPosition: options.progress.resume } : {}),
            ...(options.autoplay ? { autoplay: true } : {}),
          }),
        }
      : {}),
  };
  const flat = (event: Record<string, unknown>) => {
    const detail: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(event ?? {})) {
      if (['type', 'target', 'currentTarget', 'srcElement', 'timeStamp', 'isTrusted'].includes(key)) continue;
      if (typeof value !== 'function' && typeof value !== 'object') detail[key] = value;
    }
    return detail;
  };
  const demo = options.engine === 'hlsjs' ? hlsjsPlayer(container, options, hlsgateOptions, push, flat) : videojsPlayer(container, options, hlsgateOptions, push, flat);
  const out = Object.assign(demo, { video, log }) as DemoPlayer;
  Object.defineProperty(out, 'tokenCalls', { get: () => state.tokenCalls });
  Object.defineProperty(out, 'lastToken', { get: () => state.lastToken });
  if (options.captions) {
    const track = document.createElement('track');
    Object.assign(track, { kind: 'subtitles', srclang: 'en', label: 'English', src: options.captions });
    if (out.engine === 'videojs') out.player.addRemoteTextTrack({ kind: 'subtitles', srclang: 'en', label: 'English', src: options.captions }, true); // kept when the source is set
    else out.media.appendChild(track);
  }
  return out;
}

type Push = (type: string, detail?: Record<string, unknown>) => void;
type Flat = (event: Record<string, unknown>) => Record<string, unknown>;
type Partial = Omit<DemoPlayer, 'video' | 'log' | 'tokenCalls' | 'lastToken'>;

function videojsPlayer(container: HTMLElement, options: SetupOptions, hlsgateOptions: object, push: Push, flat: Flat): Partial {
  const el = document.createElement('video-js');
  el.className = 'video-js vjs-fluid vjs-big-play-centered';
  el.setAttribute('playsinline', '');
  container.appendChild(el);
  const player = videojs(el, {
    controls: true,
    preload: 'auto',
    muted: Boolean(options.autoplay),
    autoplay: options.autoplay ? 'muted' : false,
    // video.js draws the captions itself (with the viewer's text-track settings) wherever VHS plays.
    html5: html5Options(options.native),
  });
  for (const type of [...EVENTS, ...MEDIA_EVENTS]) {
    player.on(type, (event: Record<string, unknown>) => {
      const detail = flat(event);
      if (type === 'error') detail.message = player.error()?.message;
      detail.currentTime = player.currentTime();
      push(type, detail);
    });
  }
  player.on('loadstart', () => {
    const tech = player.tech(true);
    for (const type of TECH_EVENTS) tech?.on(type, () => push(type, { currentTime: player.currentTime() }));
  });
  player.hlsgate(hlsgateOptions);
  const levels = () => {
    const list = player.qualityLevels();
    const out: Rung[] = [];
    for (let i = 0; i < list.length; i += 1) out.push({ height: list[i].height, enabled: list[i].enabled, playing: i === list.selectedIndex });
    return out.sort((a, b) => b.height - a.height);
  };
  return {
    engine: 'videojs',
    player,
    media: el.querySelector('video') as HTMLVideoElement,
    box: player.el(),
    stats: () => player.hlsgate().stats(),
    currentTime: () => player.currentTime(),
    duration: () => player.duration() || 0,
    paused: () => player.paused(),
    seek: (s) => player.currentTime(s),
    rungs: levels,
    bufferAhead: () => ahead(player.currentTime(), player.buffered()),
    bandwidth: () => {
      const vhs = player.tech(true)?.vhs;
      return vhs?.systemBandwidth ?? vhs?.bandwidth;
    },
    disposeHlsgate: () => player.hlsgate().dispose(),
    dispose: () => player.dispose(),
  };
}

function hlsjsPlayer(container: HTMLElement, options: SetupOptions, hlsgateOptions: object, push: Push, flat: Flat): Partial {
  const media = document.createElement('video');
  media.setAttribute('playsinline', '');
  media.muted = Boolean(options.autoplay);
  media.autoplay = Boolean(options.autoplay);
  container.appendChild(media);
  // Buffer as VHS does (30 s ahead, at most 60): hls.js would otherwise fetch up to 600 s ahead,
  // the whole lecture, which nobody may watch.
  const hls = new Hls({ maxBufferLength: 30, maxMaxBufferLength: 60 });
  const handle = attachHlsgate(hls, media, hlsgateOptions as Parameters<typeof attachHlsgate>[2]);
  handle.box.classList.add('demo-hlsjs');
  for (const type of EVENTS) handle.on(type, (payload) => push(type, { ...flat(payload as unknown as Record<string, unknown>), currentTime: media.currentTime }));
  for (const type of MEDIA_EVENTS) {
    media.addEventListener(type, () =>
      push(type, { currentTime: media.currentTime, ...(type === 'error' ? { message: media.error?.message, code: media.error?.code } : {}) }),
    );
  }
  // What hls.js does that VHS's excludeplaylist would be: losing a level, or an error of its own.
  hls.on(Hls.Events.ERROR, (_e, data) => push(data.fatal ? 'error' : 'hlsjs:error', { details: data.details, fatal: data.fatal, code: data.response?.code }));
  let levelCount = 0;
  hls.on(Hls.Events.MANIFEST_PARSED, (_e, data) => (levelCount = data.levels.length));
  hls.on(Hls.Events.LEVELS_UPDATED, (_e, data) => {
    if (data.levels.length < levelCount) push('excludeplaylist', { levels: data.levels.length });
    levelCount = data.levels.length;
  });
  return {
    engine: 'hlsjs',
    player: undefined,
    hls,
    handle,
    media,
    box: handle.box,
    stats: () => handle.stats(),
    currentTime: () => media.currentTime,
    duration: () => (Number.isFinite(media.duration) ? media.duration : 0),
    paused: () => media.paused,
    seek: (s) => (media.currentTime = s),
    rungs: () =>
      hls.levels
        .map((level, i) => ({ height: level.height, enabled: hls.autoLevelEnabled || hls.manualLevel === i, playing: i === hls.currentLevel }))
        .sort((a, b) => b.height - a.height),
    bufferAhead: () => ahead(media.currentTime, media.buffered),
    bandwidth: () => hls.bandwidthEstimate,
    disposeHlsgate: () => handle.dispose(),
    dispose: () => {
      handle.dispose();
      hls.destroy();
      media.remove();
    },
  };
}

function ahead(t: number, ranges: TimeRanges): number {
  for (let i = 0; i < ranges.length; i += 1) if (ranges.start(i) <= t + 0.1 && ranges.end(i) >= t) return ranges.end(i) - t;
  return 0;
}

/** `720p` for the rung playing. */
export function playingRung(demo: DemoPlayer): string {
  const rung = demo.rungs().find((r) => r.playing);
  return rung?.height ? `${rung.height}p` : '—';
}

export function cookiePath(resource: string | undefined): string {
  if (!resource) return '—';
  try {
    return new URL(resource.replace(/\*$/, '')).pathname;
  } catch {
    return resource;
  }
}
