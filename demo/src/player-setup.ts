/**
 * One hlsgate player on the demo page, with what the browser tests and the panel read:
 * every plugin and VHS event in `log`, and the number of getToken calls.
 */
import videojsImport from 'video.js';
import 'video.js/dist/video-js.css';
import { hasMediaSource, registerHlsgate, type HlsgateStats } from '../../player/index.ts';
import type { DevVideo } from '../../common/contracts.ts';
import { token } from './dev-api.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const videojs: any = (videojsImport as any).default ?? videojsImport;
registerHlsgate(videojs);

export interface LogEntry {
  t: number;
  type: string;
  detail?: Record<string, unknown>;
}

export interface DemoPlayer {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  player: any;
  video: DevVideo;
  log: LogEntry[];
  tokenCalls: number;
  /** The last view token the page got (for "delete the cookies", which needs it). */
  lastToken: string | undefined;
  stats(): HlsgateStats;
}

export interface SetupOptions {
  /** Seconds the view tokens live (the stack's default when absent). */
  tokenTtl?: number;
  /** `none`: getToken gives nothing; `forged`: a token with a bad signature. */
  tokenMode?: 'none' | 'forged';
  watermark?: string;
  autoplay?: boolean;
  /** The browser's own HLS where it has one (Safari's native path; the plugin's `native` option). */
  native?: boolean;
}

const PLAYER_EVENTS = ['hlsgate:session', 'hlsgate:refresh', 'hlsgate:retry', 'hlsgate:error', 'error', 'waiting', 'playing', 'stalled', 'loadedmetadata'];
const TECH_EVENTS = ['excludeplaylist', 'retryplaylist'];

export function createDemoPlayer(container: HTMLElement, video: DevVideo, options: SetupOptions = {}): DemoPlayer {
  const el = document.createElement('video-js');
  el.className = 'video-js vjs-fluid vjs-big-play-centered';
  el.setAttribute('playsinline', '');
  container.appendChild(el);
  const demo: DemoPlayer = {
    player: undefined,
    video,
    log: [],
    tokenCalls: 0,
    lastToken: undefined,
    stats: () => demo.player.hlsgate().stats(),
  };
  const push = (type: string, detail?: Record<string, unknown>) => demo.log.push({ t: performance.now(), type, ...(detail ? { detail } : {}) });
  const vhs = hasMediaSource() && !options.native;
  const player = videojs(el, {
    controls: true,
    preload: 'auto',
    muted: Boolean(options.autoplay),
    autoplay: options.autoplay ? 'muted' : false,
    html5: { vhs: { overrideNative: vhs }, nativeAudioTracks: !vhs, nativeVideoTracks: !vhs },
  });
  demo.player = player;
  for (const type of PLAYER_EVENTS) {
    player.on(type, (event: Record<string, unknown>) => {
      const detail: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(event)) {
        if (['type', 'target', 'currentTarget', 'srcElement', 'timeStamp', 'isTrusted'].includes(key)) continue;
        if (typeof value !== 'function' && typeof value !== 'object') detail[key] = value;
      }
      if (type === 'error') detail.message = player.error()?.message;
      detail.currentTime = player.currentTime();
      push(type, detail);
    });
  }
  player.on('loadstart', () => {
    const tech = player.tech(true);
    for (const type of TECH_EVENTS) tech?.on(type, () => push(type, { currentTime: player.currentTime() }));
  });
  player.hlsgate({
    src: video.src,
    ...(options.watermark ? { watermark: options.watermark } : {}),
    ...(options.native ? { native: true } : {}),
    getToken: async () => {
      demo.tokenCalls += 1;
      push('getToken', { count: demo.tokenCalls });
      if (options.tokenMode === 'none') return '';
      const t = await token(video.res, { ...(options.tokenTtl ? { ttl: options.tokenTtl } : {}), wm: 'student 4711 · demo' });
      demo.lastToken = t;
      if (options.tokenMode === 'forged') return `${t.slice(0, t.lastIndexOf('.') + 1)}${'A'.repeat(43)}`;
      return t;
    },
  });
  return demo;
}

/** Seconds of media buffered ahead of the playhead. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function bufferAhead(player: any): number {
  const t = player.currentTime();
  const ranges = player.buffered();
  for (let i = 0; i < ranges.length; i += 1) if (ranges.start(i) <= t + 0.1 && ranges.end(i) >= t) return ranges.end(i) - t;
  return 0;
}

/** `720p` for the rung VHS is playing. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function playingRung(player: any): string {
  const levels = player.qualityLevels?.();
  const level = levels && levels.selectedIndex >= 0 ? levels[levels.selectedIndex] : undefined;
  return level?.height ? `${level.height}p` : '—';
}

/** VHS's bandwidth estimate, bits/s. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function bandwidth(player: any): number | undefined {
  const vhs = player.tech(true)?.vhs;
  return vhs?.systemBandwidth ?? vhs?.bandwidth;
}

export function cookiePath(resource: string | undefined): string {
  if (!resource) return '—';
  try {
    return new URL(resource.replace(/\*$/, '')).pathname;
  } catch {
    return resource;
  }
}
