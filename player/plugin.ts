/**
 * The video.js 8 advanced plugin `hlsgate`: wires the session manager (cookies), the 403 safety net
 * (VHS's xhr), the quality menu, the watermark and the no-download measures into one player.
 * Built by `registerHlsgate(videojs)` so the same code serves the ESM build (video.js a peer) and the
 * AMD bundle (video.js inside).
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- video.js components are untyped at this level */
import { makeError, type HlsgateError } from './errors.ts';
import { resolveOptions, type HlsgateOptions, type ResolvedOptions } from './options.ts';
import { buttonLabel, choose, qualityItems, type LevelLike } from './quality.ts';
import { wrapXhr, type RecoverReason, type XhrFunction } from './request-retry.ts';
import { SessionManager, type RefreshReason, type SessionInfo } from './session-manager.ts';

export const VERSION = '0.1.0';

/** Every event the plugin fires on the player, declared up front. */
export const EVENTS = ['hlsgate:session', 'hlsgate:refresh', 'hlsgate:retry', 'hlsgate:error'] as const;
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
}

const STYLE_ID = 'hlsgate-style';
const CSS = `.vjs-hlsgate-watermark{position:absolute;z-index:3;pointer-events:none;user-select:none;white-space:nowrap;
color:rgba(255,255,255,.38);font:600 15px/1.2 system-ui,sans-serif;text-shadow:0 0 3px rgba(0,0,0,.7);transition:top 3s ease,left 3s ease}
.vjs-fullscreen .vjs-hlsgate-watermark{font-size:22px}
.video-js .vjs-hlsgate-quality .vjs-menu-button{width:auto;min-width:4.5em}
.vjs-hlsgate-quality-value{font-size:1.1em;line-height:3;padding:0 .6em;pointer-events:none}
.video-js .vjs-hlsgate-quality .vjs-menu .vjs-menu-content{width:11em;left:-3em}
.vjs-hlsgate-playing:after{content:" ●";font-size:.8em}
.vjs-hlsgate-notice{position:absolute;left:0;right:0;bottom:4.5em;z-index:2;text-align:center;pointer-events:none;
font:500 15px/1.3 system-ui,sans-serif;color:#fff;text-shadow:0 0 4px #000}`;

function injectStyle(doc: Document): void {
  if (doc.getElementById(STYLE_ID)) return;
  const style = doc.createElement('style');
  style.id = STYLE_ID;
  style.textContent = CSS;
  doc.head.appendChild(style);
}

/** True where VHS can play (MSE, or ManagedMediaSource on iOS 17.1+). */
export function hasMediaSource(win: any = globalThis): boolean {
  return typeof win.MediaSource === 'function' || typeof win.ManagedMediaSource === 'function';
}

/** Registers the plugin and its components on this video.js; returns the plugin class. Idempotent. */
export function registerHlsgate(videojs: any): any {
  const existing = videojs.getPlugin('hlsgate');
  if (existing && existing.VERSION === VERSION) return existing;

  const Plugin = videojs.getPlugin('plugin');
  const Component = videojs.getComponent('Component');
  const MenuButton = videojs.getComponent('MenuButton');
  const MenuItem = videojs.getComponent('MenuItem');

  class QualityMenuItem extends MenuItem {
    constructor(player: any, options: any) {
      super(player, { ...options, selectable: true, multiSelectable: false });
      this.toggleClass('vjs-hlsgate-playing', Boolean(options.playing));
    }
    handleClick(): void {
      this.options_.onChoose(this.options_.key);
    }
  }

  class QualityMenuButton extends MenuButton {
    private valueEl: HTMLElement | undefined;
    constructor(player: any, options: any) {
      super(player, options);
      this.hideThreshold_ = 1; // only "Auto": nothing to choose yet
      this.controlText(options.label);
      this.valueEl = videojs.dom.createEl('span', { className: 'vjs-hlsgate-quality-value' }, { 'aria-hidden': 'true' });
      this.menuButton_.el().appendChild(this.valueEl);
      const levels = player.qualityLevels();
      // New or removed rungs rebuild the menu; a switch of the playing rung only relabels it, so an
      // open menu stays open under the viewer's pointer.
      const rebuild = () => this.update();
      const relabel = () => this.relabel();
      levels.on(['addqualitylevel', 'removequalitylevel'], rebuild);
      levels.on('change', relabel);
      this.on('dispose', () => {
        levels.off(['addqualitylevel', 'removequalitylevel'], rebuild);
        levels.off('change', relabel);
      });
      this.update();
    }
    buildWrapperCSSClass(): string {
      return `vjs-hlsgate-quality ${super.buildWrapperCSSClass()}`;
    }
    buildCSSClass(): string {
      return `vjs-hlsgate-quality-button ${super.buildCSSClass()}`;
    }
    levels(): LevelLike[] {
      const list = this.player().qualityLevels();
      const out: LevelLike[] = [];
      for (let i = 0; i < list.length; i += 1) out.push(list[i]);
      return out;
    }
    current(): { items: ReturnType<typeof qualityItems>; label: string } {
      const list = this.player().qualityLevels();
      const levels = this.levels();
      const autoLabel: string = this.options_.autoLabel;
      return { items: qualityItems(levels, list.selectedIndex, autoLabel), label: buttonLabel(levels, list.selectedIndex, autoLabel) };
    }
    createItems(): any[] {
      const { items, label } = this.current();
      if (this.valueEl) this.valueEl.textContent = label;
      return items.map(
        (item) =>
          new QualityMenuItem(this.player(), {
            label: item.label,
            key: item.key,
            selected: item.selected,
            playing: item.playing,
            onChoose: (key: string) => {
              choose(this.levels(), key);
              this.player().trigger({ type: 'hlsgate:quality', key });
              this.relabel();
              this.focus();
            },
          }),
      );
    }
    relabel(): void {
      const { items, label } = this.current();
      if (this.valueEl) this.valueEl.textContent = label;
      const components: any[] = this.items ?? [];
      if (components.length !== items.length) return this.update();
      items.forEach((item, i) => {
        const component = components[i];
        if (component.options_.key !== item.key) return;
        const text = component.el().querySelector('.vjs-menu-item-text');
        if (text) text.textContent = item.label;
        component.selected(item.selected);
        component.toggleClass('vjs-hlsgate-playing', item.playing);
      });
    }
  }

  class Watermark extends Component {
    constructor(player: any, options: any) {
      super(player, options);
      this.el().textContent = options.text;
      this.move();
      this.setInterval(() => this.move(), options.periodMs ?? 7_000);
    }
    createEl(): HTMLElement {
      return videojs.dom.createEl('div', { className: 'vjs-hlsgate-watermark' }, { 'aria-hidden': 'true' });
    }
    move(): void {
      const el = this.el() as HTMLElement;
      el.style.top = `${5 + Math.random() * 75}%`;
      el.style.left = `${3 + Math.random() * 60}%`;
    }
  }

  videojs.registerComponent('HlsgateQualityMenuButton', QualityMenuButton);
  videojs.registerComponent('HlsgateWatermark', Watermark);

  class HlsgatePlugin extends Plugin {
    static VERSION = VERSION;
    static EVENTS = EVENTS;
    readonly options: ResolvedOptions;
    private manager: SessionManager | undefined;
    private readonly counters = { sessions: 0, refreshes: 0, sessionRetries: 0, requestRecoveries: 0, requestRecoveryFailures: 0 };
    private lastError: HlsgateError | undefined;
    private fatal: HlsgateError | undefined;
    private showing = false;
    private qualityButton: any;
    private watermark: any;
    private notice: HTMLElement | undefined;
    private stallTimer: unknown;
    private readonly cleanups: (() => void)[] = [];

    constructor(player: any, options: HlsgateOptions) {
      super(player);
      this.options = resolveOptions(options);
      injectStyle(player.el().ownerDocument);
      this.addControls();
      this.listen(player, 'xhr-hooks-ready', () => this.hookVhs());
      this.listen(player, 'error', () => this.onPlayerError());
      // A spinner that lasts gets words: the viewer learns that the network is being retried.
      this.listen(player, 'waiting', () => this.armStallNotice());
      for (const type of ['playing', 'seeked', 'pause', 'error', 'ended']) this.listen(player, type, () => this.clearStallNotice());
      player.ready(() => {
        this.guardDownloads();
        void this.start();
      });
    }

    /** What the page's panel shows. */
    stats(): HlsgateStats {
      return {
        ...this.counters,
        tokenRequests: this.manager?.tokenRequestCount ?? 0,
        session: this.currentInfo,
        cookieRemainingMs: this.manager?.remainingMs(),
        lastError: this.lastError,
      };
    }

    /** Refreshes the cookies now (shared with the other players of this video). */
    refresh(): Promise<unknown> {
      return this.manager ? this.manager.refresh('scheduled') : Promise.reject(new Error('not started'));
    }

    private currentInfo: SessionInfo | undefined;

    private async start(): Promise<void> {
      const { options, player } = this;
      const manager = new SessionManager({
        src: options.src,
        sessionUrl: options.sessionUrl,
        getToken: options.getToken,
        retry: options.retry,
        refreshMargin: options.refreshMargin,
        labels: options.labels,
        signals: { document: player.el().ownerDocument, window: player.el().ownerDocument.defaultView ?? undefined },
        onSession: (info, meta) => {
          this.currentInfo = info;
          this.counters.sessions += 1;
          const payload: SessionEventPayload = { ...info, ...meta };
          this.player.trigger({ type: 'hlsgate:session', ...payload });
          if (!meta.initial) {
            this.counters.refreshes += 1;
            this.player.trigger({ type: 'hlsgate:refresh', ...payload });
          }
        },
        onRetry: (detail) => {
          this.counters.sessionRetries += 1;
          this.player.trigger({ type: 'hlsgate:retry', kind: 'session', ...detail });
        },
        onError: (error) => this.report(error),
      });
      this.manager = manager;
      try {
        await manager.start();
      } catch {
        return; // reported through onError
      }
      if (this.player.isDisposed?.() || this.manager !== manager) return;
      this.addWatermark(options.watermark === undefined ? manager.current?.watermark : options.watermark);
      this.setSource();
    }

    private setSource(): void {
      const player = this.player;
      const tech = player.tech(true);
      if (tech?.options_ && (hasMediaSource() || this.options.native)) {
        // VHS (and with it the 403 safety net) wherever MSE exists, Safari included, unless the page
        // asks for the browser's own HLS (option `native`); the rest plays natively.
        tech.options_.vhs = { ...(tech.options_.vhs ?? {}), overrideNative: !this.options.native };
      }
      player.crossOrigin?.('use-credentials');
      player.src({ src: this.options.src, type: this.options.type, withCredentials: true });
    }

    private hookVhs(): void {
      const vhs = this.player.tech(true)?.vhs;
      const manager = this.manager;
      if (!vhs?.xhr || vhs.xhr.hlsgate || !manager) return;
      const inner = vhs.xhr as XhrFunction & Record<string, any>;
      const wrapped = wrapXhr(inner, {
        covers: (uri) => manager.covers(uri),
        generation: () => manager.sharedGeneration,
        recover: (sent) => manager.recover(sent),
        onRecover: ({ status, reason, requestType }) => {
          this.counters.requestRecoveries += 1;
          this.player.trigger({ type: 'hlsgate:retry', kind: 'request', status, cause: reason, requestType });
        },
        onRecovered: ({ ok }) => {
          if (!ok) this.counters.requestRecoveryFailures += 1;
        },
      }) as XhrFunction & Record<string, any>;
      // The player-level hook functions and hook sets stay those of VHS's own xhr function.
      for (const key of ['onRequest', 'onResponse', 'offRequest', 'offResponse', 'original']) {
        if (key in inner) wrapped[key] = inner[key];
      }
      for (const key of ['_requestCallbackSet', '_responseCallbackSet']) {
        Object.defineProperty(wrapped, key, {
          get: () => inner[key],
          set: (value) => {
            inner[key] = value;
          },
        });
      }
      wrapped.hlsgate = VERSION;
      vhs.xhr = wrapped;
    }

    private report(error: HlsgateError): void {
      this.lastError = error;
      this.player.trigger({ type: 'hlsgate:error', ...error });
      if (error.fatal && !this.fatal) {
        this.fatal = error;
        this.show(error);
      }
    }

    private show(error: HlsgateError): void {
      this.showing = true;
      try {
        // Code 0 is MediaError's "custom": video.js shows the message and no spinner.
        this.player.error({ code: 0, message: error.message });
      } finally {
        this.showing = false;
      }
    }

    /** Errors from VHS or the media element become friendly ones, with our cause if we know it. */
    private onPlayerError(): void {
      if (this.showing) return;
      const mediaError = this.player.error();
      if (!mediaError) return;
      const error =
        this.fatal ??
        (mediaError.code === 2 || mediaError.code === 4
          ? makeError('network', this.options.labels, true, { cause: `media_error_${mediaError.code}` })
          : makeError('media', this.options.labels, true, { cause: `media_error_${mediaError.code}` }));
      this.lastError = error;
      if (!this.fatal) {
        this.fatal = error;
        this.player.trigger({ type: 'hlsgate:error', ...error });
      }
      this.manager?.dispose();
      if (mediaError.message !== error.message) this.show(error);
    }

    private guardDownloads(): void {
      const player = this.player;
      const media = player.tech(true)?.el() as HTMLMediaElement | undefined;
      if (media) {
        media.setAttribute('controlsList', 'nodownload noremoteplayback');
        media.setAttribute('disableRemotePlayback', '');
      }
      const stop = (event: Event) => event.preventDefault();
      const el = player.el() as HTMLElement;
      el.addEventListener('contextmenu', stop);
      this.cleanups.push(() => el.removeEventListener('contextmenu', stop));
    }

    private addControls(): void {
      const player = this.player;
      const { labels, playbackRates } = this.options;
      if (playbackRates.length > 0) player.playbackRates(playbackRates);
      const controlBar = player.getChild('ControlBar');
      if (!controlBar || typeof player.qualityLevels !== 'function') return;
      const fullscreen = controlBar.getChild('FullscreenToggle');
      const index = fullscreen ? controlBar.children().indexOf(fullscreen) : undefined;
      this.qualityButton = controlBar.addChild('HlsgateQualityMenuButton', { label: labels.quality, autoLabel: labels.auto }, index);
    }

    private armStallNotice(): void {
      if (this.stallTimer !== undefined) return;
      this.stallTimer = this.player.setTimeout(() => {
        this.stallTimer = undefined;
        if (this.fatal || this.player.paused()) return;
        if (!this.notice) {
          this.notice = videojs.dom.createEl('div', { className: 'vjs-hlsgate-notice' }, { role: 'status' }) as HTMLElement;
          this.player.el().appendChild(this.notice);
        }
        this.notice.textContent = this.options.labels.network;
      }, 8_000);
    }

    private clearStallNotice(): void {
      if (this.stallTimer !== undefined) this.player.clearTimeout(this.stallTimer);
      this.stallTimer = undefined;
      if (this.notice) this.notice.textContent = '';
    }

    private addWatermark(text: string | false | undefined): void {
      if (!text) return;
      this.watermark = this.player.addChild('HlsgateWatermark', { text });
    }

    private listen(target: any, type: string, fn: () => void): void {
      target.on(type, fn);
      this.cleanups.push(() => target.off(type, fn));
    }

    dispose(): void {
      this.manager?.dispose();
      this.manager = undefined;
      for (const cleanup of this.cleanups.splice(0)) cleanup();
      this.clearStallNotice();
      this.notice?.remove();
      for (const child of [this.qualityButton, this.watermark]) {
        if (child && !child.isDisposed()) {
          child.parentComponent_?.removeChild(child);
          child.dispose();
        }
      }
      super.dispose();
    }
  }

  videojs.registerPlugin('hlsgate', HlsgatePlugin);
  return HlsgatePlugin;
}
