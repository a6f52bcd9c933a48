/**
 * The video.js 8 advanced plugin `hlsgate`: the engine-neutral controller (session, refresh, events,
 * stats) wired to video.js and VHS — the 403 safety net around VHS's xhr, the quality menu, the
 * watermark, the notices, the no-download measures, lean until play. `dispose()` restores what it
 * changed. Built by `registerHlsgate(videojs)` so the same code serves the ESM build (video.js a
 * peer) and the AMD bundle (video.js inside).
 */
import { HlsgateController } from './controller.ts';
import type { HlsgateError } from './errors.ts';
import { EVENTS, type EventPayloads, type HlsgateEventType, type HlsgateStats } from './events.ts';
import { PLAYER_CSS, injectStyle } from './style.ts';
import { StallNotice } from './notice.ts';
import { resolveOptions, watermarkFromToken, type HlsgateOptions, type ResolvedOptions } from './options.ts';
import { registerQualityMenu } from './quality-menu.ts';
import { wrapXhr, type XhrFunction, type XhrOptions } from './request-retry.ts';
import type { PlayerContext } from './player-context.ts';
import type { VideojsStatic, VjsComponent, VjsPlayer } from './videojs-types.ts';
import { HLS_MIME, playsHlsNatively, requestSignedPlaylist } from './signed-playlist.ts';
import { offerTimeFragment, registerPlayerBox } from './time-fragment.ts';
import { TranscriptFeature } from './transcript-panel.ts';
import { TRANSCRIPT_VJS_CSS, addCaptionsTrack, addChapterTrack, registerTranscriptButton } from './transcript-videojs.ts';
import { whenVisible } from './visibility.ts';
import { Watermark } from './watermark.ts';

export const VERSION = '0.2.0';
export { EVENTS };
export type {
  ErrorEventPayload,
  HlsgateEventType,
  HlsgateStats,
  QualityEventPayload,
  RefreshEventPayload,
  RetryEventPayload,
  SessionEventPayload,
  SigningEventPayload,
} from './events.ts';

/** True where VHS can play (MSE, or ManagedMediaSource on iOS 17.1+). */
export function hasMediaSource(win: unknown = globalThis): boolean {
  const w = win as { MediaSource?: unknown; ManagedMediaSource?: unknown };
  return typeof w.MediaSource === 'function' || typeof w.ManagedMediaSource === 'function';
}

/**
 * The `html5` tech options a page should create the player with: VHS wherever MSE exists, or with
 * `native` the browser's own HLS where it has one (then native audio/video tracks, as Safari plays).
 */
export function html5Options(native = false): {
  vhs: { overrideNative: boolean };
  nativeAudioTracks: boolean;
  nativeVideoTracks: boolean;
  nativeTextTracks: boolean;
} {
  const vhs = hasMediaSource() && !native;
  // Text tracks are video.js's own on every path: video.js draws the captions, so the viewer's
  // text-track settings apply, and no track is ever added to the media element. On the browser's
  // own HLS that matters: WebKitGTK's froze its clock when a track was added to a playing element
  // (the chapters, at the first play), exposed no track for the master's subtitles, and WebKit's
  // native metadata track, which never loads, could hold playback at HAVE_CURRENT_DATA. There the
  // player adds the captions itself from the WebVTT the transcript reads (addCaptionsTrack).
  return { vhs: { overrideNative: vhs }, nativeAudioTracks: !vhs, nativeVideoTracks: !vhs, nativeTextTracks: false };
}

type XhrWithHooks = XhrFunction & Record<string, unknown>;

/** What the plugin changed on the player, to put back on dispose. */
interface Saved {
  crossOrigin: string | null | undefined;
  preload: string;
  playbackRates: number[];
  controlsList: string | null;
  disableRemotePlayback: string | null;
}

interface PluginBase {
  player: VjsPlayer;
  dispose(): void;
}
type PluginClass = new (player: VjsPlayer) => PluginBase;

/** Registers the plugin and its components on this video.js; returns the plugin class. Idempotent. */
export function registerHlsgate(videojsArg: unknown): unknown {
  const videojs = videojsArg as VideojsStatic;
  const existing = videojs.getPlugin('hlsgate') as { VERSION?: string } | undefined;
  if (existing && existing.VERSION === VERSION) return existing;
  const Plugin = videojs.getPlugin('plugin') as PluginClass;
  const qualityMenu = registerQualityMenu(videojs);
  const transcriptButton = registerTranscriptButton(videojs);

  class HlsgatePlugin extends Plugin {
    static VERSION = VERSION;
    static EVENTS = EVENTS;
    readonly options: ResolvedOptions;
    private readonly controller: HlsgateController;
    private readonly cleanups: (() => void)[] = [];
    private saved: Saved | undefined;
    private showing = false;
    /** The media element has its source (VHS set it, or loading started): a play from now on reaches the engine. */
    private attached = false;
    /** Play was pressed before that (while the session was in flight): the source must load and play. */
    private playWanted = false;
    private qualityButton: VjsComponent | undefined;
    private watermark: Watermark | undefined;
    private stall: StallNotice | undefined;
    private signedPlaylist: HlsgateStats['signedPlaylist'];
    private signedStart: Promise<boolean> | undefined;
    private transcript: TranscriptFeature | undefined;
    private transcriptButton: VjsComponent | undefined;
    private vhsXhr: { vhs: NonNullable<ReturnType<NonNullable<VjsPlayer['tech']>>>['vhs']; inner: unknown; wrapped: unknown } | undefined;
    private vhsHooks: { xhr: XhrWithHooks; onRequest: (options: XhrOptions) => XhrOptions; onResponse: (request: unknown) => void } | undefined;

    constructor(player: VjsPlayer, options: HlsgateOptions) {
      super(player);
      this.options = resolveOptions(options);
      this.controller = new HlsgateController(this.options, {
        document: player.el().ownerDocument,
        emit: <T extends HlsgateEventType>(type: T, payload: EventPayloads[T]) => {
          if (!player.isDisposed()) player.trigger({ type, ...payload });
        },
        showFatal: (error) => this.show(error),
      });
      injectStyle(player.el().ownerDocument, PLAYER_CSS);
      registerPlayerBox(player.el());
      this.addControls();
      this.listen('xhr-hooks-ready', () => this.hookVhs());
      this.listen('error', () => this.onPlayerError());
      this.listen('play', () => void this.onPlay());
      this.listen('pause', () => {
        if (!this.attached) this.playWanted = false;
        void this.controller.playing(false);
      });
      this.listen('loadstart', () => this.onLoadStart());
      player.ready(() => {
        this.guardDownloads();
        const media = player.tech(true)?.el();
        if (media) {
          const subscribe = (types: string[], fn: () => void) => {
            player.on(types, fn);
            return () => player.off(types, fn);
          };
          this.stall = new StallNotice(player.el(), subscribe, () => player.paused(), () => (this.controller.fatal ? undefined : this.options.labels.network));
        }
        if (this.options.lean) this.cleanups.push(whenVisible(player.el(), () => void this.start()));
        else void this.start();
      });
    }

    /** What the page's panel shows. */
    stats(): HlsgateStats {
      const stats = this.controller.stats();
      return this.signedPlaylist ? { ...stats, signedPlaylist: this.signedPlaylist } : stats;
    }

    /** Refreshes the cookies now (shared with the other players of this video). */
    refresh(): Promise<unknown> {
      return this.controller.refresh();
    }

    private async onPlay(): Promise<void> {
      // A play on the media element before it has its source (the session is still in flight) never
      // reaches VHS, which with preload "none" waits for the next play event; and loading the source
      // may reset the element to paused. Remember it: the source then loads and plays (onLoadStart).
      if (!this.attached) this.playWanted = true;
      // Pressed play before the player came into view (a keyboard, a script): start now.
      if (!this.controller.isStarted) await this.start();
      await this.controller.playing(true);
      // The transcript's requests go after the refresh a play may need, as the engine's do.
      if (this.attached && !this.player.paused()) void this.transcript?.start();
    }

    private async start(): Promise<void> {
      if (this.options.signedPlaylist && (await this.startSigned())) return;
      const first = !this.controller.isStarted;
      const state = await this.controller.start();
      if (!first || !state || this.player.isDisposed()) return;
      const text = this.controller.watermarkText();
      const media = this.player.tech(true)?.el();
      if (text && media instanceof HTMLVideoElement) this.watermark = new Watermark(this.player.el(), media, text);
      this.setSource();
      if (media && this.options.transcript) this.transcript = this.makeTranscript(media);
      if (media && this.options.timeFragment) this.cleanups.push(offerTimeFragment({ box: this.player.el(), media, labels: this.options.labels }));
      this.runOnPlayer(media);
    }

    /**
     * Option `signedPlaylist`, where the browser plays HLS itself (no script sees its requests): the
     * signed playlist instead of any cookie session (once; true when it plays). A server that does
     * not offer it, or any failure, leaves the player to start on cookies as usual.
     */
    private startSigned(): Promise<boolean> {
      this.signedStart ??= (async () => {
        const media = this.player.tech(true)?.el();
        if (!media || !playsHlsNatively(media, media.ownerDocument.defaultView, this.options.native)) return false;
        let token: string;
        try {
          token = await this.options.getToken();
        } catch {
          // The cookie path asks again and shows the error as it always does.
          return false;
        }
        const answer = await requestSignedPlaylist(this.options.sessionUrl, token);
        if (this.player.isDisposed()) return true;
        this.signedPlaylist = answer.ok ? { state: 'playing', expiresAt: answer.expiresAt } : { state: answer.reason, status: answer.status };
        if (!answer.ok) return false;
        const { watermark } = this.options;
        const text = watermark === false ? undefined : (watermark ?? watermarkFromToken(token));
        if (text && media instanceof HTMLVideoElement) this.watermark = new Watermark(this.player.el(), media, text);
        this.setSource(answer.playlist);
        this.runOnPlayer(media);
        return true;
      })();
      return this.signedStart;
    }

    /** The transcript panel and the chapters: read after the first play (onLoadStart/onPlay start it). */
    private makeTranscript(media: HTMLMediaElement): TranscriptFeature {
      const player = this.player as VjsPlayer & { duration(): number; currentTime(t?: number): number };
      const { labels } = this.options;
      const controlBar = () => player.getChild('ControlBar');
      return new TranscriptFeature({
        src: this.options.src,
        media,
        box: player.el(),
        labels,
        fetchText: (url) => this.controller.fetchText(url),
        seek: (seconds) => void player.currentTime(seconds),
        duration: () => player.duration() || 0,
        progressTrack: () => controlBar()?.getChild('ProgressControl')?.getChild('SeekBar')?.el(),
        showTranscriptButton: (toggle, panelId) => {
          injectStyle(player.el().ownerDocument, TRANSCRIPT_VJS_CSS, 'hlsgate-style-transcript-vjs');
          const bar = controlBar();
          if (!bar) return () => undefined;
          const fullscreen = bar.getChild('FullscreenToggle');
          const index = fullscreen ? bar.children().indexOf(fullscreen) : undefined;
          const button = (this.transcriptButton = bar.addChild(transcriptButton, { label: labels.transcript, onToggle: toggle }, index));
          button.el().setAttribute('aria-controls', panelId);
          return (open) => button.el().setAttribute('aria-expanded', String(open));
        },
        showChapters: (chapters) => this.cleanups.push(addChapterTrack(player, chapters, labels.chapters)),
        // Where VHS plays it makes the subtitles track from the master itself; on the browser's
        // own HLS video.js gets none (its text tracks are its own: html5Options), so the player adds it.
        showCaptions: (cues, rendition) => {
          if (player.isDisposed() || player.tech(true)?.vhs) return;
          this.cleanups.push(addCaptionsTrack(player, cues, rendition, labels.captions));
        },
      });
    }

    private runOnPlayer(media: HTMLMediaElement | undefined): void {
      const hook = this.options.onPlayer;
      if (!hook || !media) return;
      const player = this.player;
      const context: PlayerContext = {
        engine: 'videojs',
        media,
        box: player.el(),
        on: (type, fn) => player.on(type, fn as () => void),
        off: (type, fn) => player.off(type, fn as () => void),
        stats: () => this.stats(),
      };
      const cleanup = hook(context);
      if (typeof cleanup === 'function') this.cleanups.push(cleanup);
    }

    /** `signed`: a signed playlist's URL, played by the browser itself with no credentials. */
    private setSource(signed?: string): void {
      const player = this.player;
      const tech = player.tech(true);
      if (signed !== undefined) {
        if (tech?.options_) tech.options_.vhs = { ...(tech.options_.vhs ?? {}), overrideNative: false };
        if (this.options.lean && !this.playWanted) player.preload('none');
        player.src({ src: signed, type: HLS_MIME });
        return;
      }
      if (tech?.options_ && (hasMediaSource() || this.options.native)) {
        // VHS (and with it the 403 safety net) wherever MSE exists, Safari included, unless the page
        // asks for the browser's own HLS (option `native`); the rest plays natively.
        tech.options_.vhs = { ...(tech.options_.vhs ?? {}), overrideNative: !this.options.native };
      }
      player.crossOrigin('use-credentials');
      // Lean until play: VHS fetches nothing before play with preload "none" — unless play was
      // already pressed (then hookVhs, which runs just before VHS reads preload, decides again).
      if (this.options.lean && !this.playWanted) player.preload('none');
      player.src({ src: this.options.src, type: this.options.type, withCredentials: true });
    }

    /** The source started loading: a play pressed before it, and lost in the load, is played now. */
    private onLoadStart(): void {
      const wanted = this.playWanted;
      this.attached = true;
      this.playWanted = false;
      if (wanted && this.player.paused()) void Promise.resolve(this.player.play()).catch(() => undefined);
      if (wanted || !this.player.paused()) void this.transcript?.start();
    }

    private hookVhs(): void {
      // VHS is about to read preload: if play came before (the element is playing without a source,
      // or a play was pressed while the session was in flight), VHS would wait for a play event that
      // has already fired; it must load now.
      const tech = this.player.tech(true);
      if (this.options.lean && (this.playWanted || !this.player.paused()) && this.player.preload() === 'none') this.player.preload('auto');
      this.attached = true;
      const vhs = tech?.vhs;
      if (!vhs?.xhr || (vhs.xhr as XhrWithHooks).hlsgate) return;
      const inner = vhs.xhr as XhrWithHooks;
      const wrapped = wrapXhr(inner, this.controller.net()) as XhrWithHooks;
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
      this.vhsXhr = { vhs, inner, wrapped };
      this.hookQuerySigning(wrapped);
    }

    /**
     * Query mode through VHS's own request hooks: `onRequest` appends the current query to a request
     * of the video — VHS resolved its URI against the unsigned playlist URL, and keeps the unsigned one
     * as `request.uri` for its logs; a retry after a refresh passes here again and gets the new query.
     * `onResponse` takes the query off `responseURL` before VHS reads it (VHS adopts a response URL
     * that differs from the one it asked for as the playlist's address). Hooks cost nothing in cookie mode.
     */
    private hookQuerySigning(xhr: XhrWithHooks): void {
      const add = xhr.onRequest as ((fn: (options: XhrOptions) => XhrOptions) => void) | undefined;
      const addResponse = xhr.onResponse as ((fn: (request: unknown) => void) => void) | undefined;
      if (typeof add !== 'function' || typeof addResponse !== 'function') return;
      const onRequest = (options: XhrOptions): XhrOptions => {
        const uri = String(options.uri ?? options.url ?? '');
        const signed = this.controller.signUrl(uri);
        return signed === uri ? options : { ...options, uri: signed };
      };
      const onResponse = (request: unknown): void => {
        const raw = request as { responseURL?: unknown } | undefined;
        if (!raw || typeof raw.responseURL !== 'string') return;
        const unsigned = this.controller.unsignUrl(raw.responseURL);
        if (unsigned !== raw.responseURL) Object.defineProperty(raw, 'responseURL', { value: unsigned, configurable: true });
      };
      add(onRequest);
      addResponse(onResponse);
      this.vhsHooks = { xhr, onRequest, onResponse };
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
      const kind = mediaError.code === 2 || mediaError.code === 4 ? 'network' : 'media';
      const error = this.controller.engineFailure(kind, `media_error_${mediaError.code}`);
      if (this.player.error()?.message !== error.message) this.show(error);
    }

    private guardDownloads(): void {
      const player = this.player;
      const media = player.tech(true)?.el();
      this.saved = {
        crossOrigin: player.crossOrigin(),
        preload: player.preload(),
        playbackRates: this.saved?.playbackRates ?? [],
        controlsList: media?.getAttribute('controlsList') ?? null,
        disableRemotePlayback: media?.getAttribute('disableRemotePlayback') ?? null,
      };
      if (media) {
        media.setAttribute('controlsList', 'nodownload noremoteplayback');
        media.setAttribute('disableRemotePlayback', '');
      }
      const stop = (event: Event) => event.preventDefault();
      const el = player.el();
      el.addEventListener('contextmenu', stop);
      this.cleanups.push(() => el.removeEventListener('contextmenu', stop));
    }

    private addControls(): void {
      const player = this.player;
      const { labels, playbackRates } = this.options;
      this.saved = { playbackRates: player.playbackRates() } as Saved;
      if (playbackRates.length > 0) player.playbackRates(playbackRates);
      const controlBar = player.getChild('ControlBar');
      if (!controlBar || typeof player.qualityLevels !== 'function') return;
      const fullscreen = controlBar.getChild('FullscreenToggle');
      const index = fullscreen ? controlBar.children().indexOf(fullscreen) : undefined;
      this.qualityButton = controlBar.addChild(
        qualityMenu,
        {
          label: labels.quality,
          autoLabel: labels.auto,
          onChoose: (key: string, label: string) => this.player.trigger({ type: 'hlsgate:quality', key, label }),
        },
        index,
      );
    }

    private listen(type: string, fn: () => void): void {
      this.player.on(type, fn);
      this.cleanups.push(() => this.player.off(type, fn));
    }

    /** Stops refreshing and listening, and puts back what the plugin changed on the player. */
    override dispose(): void {
      this.controller.dispose();
      for (const cleanup of this.cleanups.splice(0)) cleanup();
      this.stall?.dispose();
      this.watermark?.dispose();
      this.transcript?.dispose();
      for (const button of [this.qualityButton, this.transcriptButton]) {
        if (button && !button.isDisposed()) {
          button.parentComponent_?.removeChild(button);
          button.dispose();
        }
      }
      const player = this.player;
      // VHS's own xhr goes back first: VHS's offRequest/offResponse work on whatever `vhs.xhr` is
      // then, and deleting an emptied hook set from the wrapper (whose hook sets are accessors of
      // the inner function's) throws.
      const hooked = this.vhsXhr;
      if (hooked?.vhs && hooked.vhs.xhr === hooked.wrapped) hooked.vhs.xhr = hooked.inner;
      const hooks = this.vhsHooks;
      if (hooks) {
        (hooks.xhr.offRequest as ((fn: unknown) => void) | undefined)?.(hooks.onRequest);
        (hooks.xhr.offResponse as ((fn: unknown) => void) | undefined)?.(hooks.onResponse);
      }
      const saved = this.saved;
      if (saved && !player.isDisposed()) {
        player.playbackRates(saved.playbackRates);
        if ('preload' in saved) {
          player.crossOrigin(saved.crossOrigin ?? null);
          player.preload(saved.preload);
          const media = player.tech(true)?.el();
          for (const [name, value] of [
            ['controlsList', saved.controlsList],
            ['disableRemotePlayback', saved.disableRemotePlayback],
          ] as const) {
            if (value === null) media?.removeAttribute(name);
            else media?.setAttribute(name, value);
          }
        }
      }
      super.dispose();
    }
  }

  videojs.registerPlugin('hlsgate', HlsgatePlugin);
  return HlsgatePlugin;
}
