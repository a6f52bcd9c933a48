/**
 * A minimal accessible control bar for a bare `<video>` (the hls.js engine): native buttons, range
 * inputs and selects, so the keyboard, focus and screen readers work as the platform makes them —
 * play/pause, seek (with a spoken position), mute and volume, quality, playback rate, captions,
 * fullscreen of the player's box. No download control, ever. Every icon is inline SVG (`icons.ts`):
 * no font needed.
 */
import type { Labels } from './errors.ts';
import { setIcon } from './icons.ts';
import { buttonLabel, qualityItems, type LevelLike } from './quality.ts';

/** What the engine tells the bar about its rungs. */
export interface QualitySource {
  levels(): LevelLike[];
  /** Index in `levels()` of the rung playing now, -1 when none yet. */
  playingIndex(): number;
  /** `auto` or a level id. */
  choose(key: string, label: string): void;
  /** Calls `fn` when the rungs or the playing rung change; returns the unsubscribe. */
  subscribe(fn: () => void): () => void;
}

export interface ControlBarOptions {
  labels: Labels;
  playbackRates: number[];
  quality?: QualitySource;
}

export const CONTROL_BAR_CSS = `.hlsgate-player{position:relative;background:#000;color:#fff;font:14px/1.2 system-ui,sans-serif;overflow:hidden}
.hlsgate-player>video{display:block;width:100%;height:100%;object-fit:contain}
.hlsgate-player:fullscreen{width:100%;height:100%}
.hlsgate-bar{position:absolute;left:0;right:0;bottom:0;z-index:4;display:flex;flex-wrap:wrap;align-items:center;gap:.25em .5em;
padding:.35em .5em;background:linear-gradient(transparent,rgba(0,0,0,.85) 40%)}
.hlsgate-bar button,.hlsgate-bar select{font:inherit;color:#fff;background:rgba(43,51,63,.9);border:1px solid #8a97a8;border-radius:4px;
min-height:2.2em;min-width:2.2em;padding:0 .5em;cursor:pointer}
.hlsgate-bar button{display:inline-flex;align-items:center;justify-content:center;padding:0 .35em}
.hlsgate-bar select option{color:#000;background:#fff}
.hlsgate-bar button[aria-pressed=true],.hlsgate-bar button[aria-expanded=true]{background:#2e6ad1}
.hlsgate-chapters{max-width:9em}
.hlsgate-bar input[type=range]{accent-color:#fff;height:1.6em;cursor:pointer}
.hlsgate-seek-wrap{position:relative;flex:1 1 8em;min-width:6em;display:flex;align-items:center}
.hlsgate-seek{flex:1 1 auto;min-width:0;width:100%;margin:0}
.hlsgate-volume{width:5em}
.hlsgate-time{font-variant-numeric:tabular-nums;white-space:nowrap}
.hlsgate-bar :focus-visible{outline:3px solid #ffd23f;outline-offset:1px}
.hlsgate-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}`;

/** `1:05` or `1:02:03`. Pure. */
export function clock(seconds: number): string {
  const s = Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : 0;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export class ControlBar {
  readonly el: HTMLElement;
  private readonly box: HTMLElement;
  private readonly media: HTMLVideoElement;
  private readonly labels: Labels;
  private readonly quality: QualitySource | undefined;
  private readonly cleanups: (() => void)[] = [];
  private readonly play: HTMLButtonElement;
  private readonly seek: HTMLInputElement;
  /** The seek range's box, where progress marks go. */
  readonly seekWrap: HTMLElement;
  private transcript: HTMLButtonElement | undefined;
  private chapters: HTMLSelectElement | undefined;
  private readonly time: HTMLElement;
  private readonly mute: HTMLButtonElement;
  private readonly volume: HTMLInputElement;
  private readonly qualitySelect: HTMLSelectElement | undefined;
  private readonly captions: HTMLButtonElement;
  private readonly fullscreen: HTMLButtonElement;
  private seeking = false;

  constructor(box: HTMLElement, media: HTMLVideoElement, options: ControlBarOptions) {
    this.box = box;
    this.media = media;
    this.labels = options.labels;
    this.quality = options.quality;
    const doc = box.ownerDocument;
    const el = (this.el = doc.createElement('div'));
    el.className = 'hlsgate-bar';
    el.setAttribute('role', 'group');
    el.setAttribute('aria-label', this.labels.player);

    this.play = this.button('hlsgate-play', this.labels.play, () => void (media.paused ? media.play().catch(() => undefined) : media.pause()));
    this.seek = this.range('hlsgate-seek', this.labels.seek, 0, 0, 'any');
    // The seek range in a box of its own: the progress marks (chapters, search hits) lie over it.
    this.seekWrap = doc.createElement('div');
    this.seekWrap.className = 'hlsgate-seek-wrap';
    this.seek.replaceWith(this.seekWrap);
    this.seekWrap.appendChild(this.seek);
    this.seek.addEventListener('input', () => {
      this.seeking = true;
      media.currentTime = Number(this.seek.value);
    });
    this.seek.addEventListener('change', () => (this.seeking = false));
    // Arrow keys step 5 s, Page keys 10 %: what video.js's progress bar does.
    this.seek.addEventListener('keydown', (event) => {
      const d = Number.isFinite(media.duration) ? media.duration : 0;
      const step = event.key === 'ArrowRight' || event.key === 'ArrowUp' ? 5 : event.key === 'ArrowLeft' || event.key === 'ArrowDown' ? -5 : event.key === 'PageUp' ? d / 10 : event.key === 'PageDown' ? -d / 10 : 0;
      if (!step) return;
      event.preventDefault();
      media.currentTime = Math.min(d, Math.max(0, media.currentTime + step));
      this.sync();
    });
    this.time = doc.createElement('span');
    this.time.className = 'hlsgate-time';
    this.time.setAttribute('aria-hidden', 'true');
    el.appendChild(this.time);
    this.mute = this.button('hlsgate-mute', this.labels.mute, () => (media.muted = !media.muted));
    this.volume = this.range('hlsgate-volume', this.labels.volume, 0, 1, '0.05');
    this.volume.addEventListener('input', () => {
      media.volume = Number(this.volume.value);
      if (media.volume > 0) media.muted = false;
    });

    if (this.quality) {
      const quality = this.quality;
      this.qualitySelect = this.select('hlsgate-quality', this.labels.quality, () => {
        const option = this.qualitySelect!.selectedOptions[0];
        quality.choose(this.qualitySelect!.value, option?.textContent ?? '');
      });
      this.cleanups.push(quality.subscribe(() => this.syncQuality()));
      this.syncQuality();
    }
    if (options.playbackRates.length > 0) {
      const rates = this.select('hlsgate-rate', this.labels.playbackRate, () => (media.playbackRate = Number(rates.value)));
      for (const rate of options.playbackRates) rates.add(new Option(`${rate}×`, String(rate), false, rate === 1));
    }
    this.captions = this.button('hlsgate-captions', this.labels.captions, () => this.toggleCaptions());
    this.captions.setAttribute('aria-pressed', 'false');
    this.fullscreen = this.button('hlsgate-fullscreen', this.labels.fullscreen, () => {
      if (doc.fullscreenElement === box) void doc.exitFullscreen().catch(() => undefined);
      else void box.requestFullscreen?.().catch(() => undefined);
    });

    for (const type of ['play', 'pause', 'timeupdate', 'durationchange', 'loadedmetadata', 'volumechange', 'seeked', 'ended']) this.on(media, type, () => this.sync());
    this.on(media.textTracks, 'addtrack', () => this.syncCaptions());
    this.on(media.textTracks, 'change', () => this.syncCaptions());
    this.on(doc, 'fullscreenchange', () => this.sync());
    // Clicking the picture plays or pauses, as in every player.
    this.on(media, 'click', () => this.play.click());
    box.appendChild(el);
    this.sync();
    this.syncCaptions();
  }

  private on(target: EventTarget, type: string, fn: () => void): void {
    target.addEventListener(type, fn);
    this.cleanups.push(() => target.removeEventListener(type, fn));
  }

  private button(className: string, label: string, onClick: () => void): HTMLButtonElement {
    const b = this.box.ownerDocument.createElement('button');
    b.type = 'button';
    b.className = className;
    b.setAttribute('aria-label', label);
    b.addEventListener('click', onClick);
    this.el.appendChild(b);
    return b;
  }

  private range(className: string, label: string, min: number, max: number, step: string): HTMLInputElement {
    const input = this.box.ownerDocument.createElement('input');
    input.type = 'range';
    input.className = className;
    input.min = String(min);
    input.max = String(max);
    input.step = step;
    input.setAttribute('aria-label', label);
    this.el.appendChild(input);
    return input;
  }

  private select(className: string, label: string, onChange: () => void): HTMLSelectElement {
    const select = this.box.ownerDocument.createElement('select');
    select.className = className;
    select.setAttribute('aria-label', label);
    select.addEventListener('change', onChange);
    this.el.appendChild(select);
    return select;
  }

  /** The bar as the media is now. */
  sync(): void {
    const { media, labels } = this;
    const playing = !media.paused;
    this.play.setAttribute('aria-label', playing ? labels.pause : labels.play);
    setIcon(this.play, playing ? 'pause' : 'play');
    const duration = Number.isFinite(media.duration) ? media.duration : 0;
    this.seek.max = String(duration);
    if (!this.seeking) this.seek.value = String(media.currentTime);
    this.seek.setAttribute('aria-valuetext', `${clock(media.currentTime)} / ${clock(duration)}`);
    this.time.textContent = `${clock(media.currentTime)} / ${clock(duration)}`;
    this.mute.setAttribute('aria-label', media.muted ? labels.unmute : labels.mute);
    setIcon(this.mute, media.muted || media.volume === 0 ? 'muted' : 'volume');
    this.volume.value = String(media.muted ? 0 : media.volume);
    const full = this.box.ownerDocument.fullscreenElement === this.box;
    this.fullscreen.setAttribute('aria-label', full ? labels.exitFullscreen : labels.fullscreen);
    setIcon(this.fullscreen, full ? 'exitFullscreen' : 'fullscreen');
  }

  private syncQuality(): void {
    const select = this.qualitySelect;
    const quality = this.quality;
    if (!select || !quality) return;
    const levels = quality.levels();
    const items = qualityItems(levels, quality.playingIndex(), this.labels.auto);
    select.hidden = levels.length < 2;
    const same = select.options.length === items.length && items.every((item, i) => select.options[i]!.value === item.key);
    if (!same) {
      select.textContent = '';
      for (const item of items) select.add(new Option(item.label, item.key));
    }
    items.forEach((item, i) => {
      const option = select.options[i]!;
      option.textContent = item.label;
      if (item.selected) select.selectedIndex = i;
    });
    select.title = buttonLabel(levels, quality.playingIndex(), this.labels.auto);
  }

  private captionTracks(): TextTrack[] {
    return Array.from(this.media.textTracks).filter((t) => t.kind === 'subtitles' || t.kind === 'captions');
  }

  private toggleCaptions(): void {
    const tracks = this.captionTracks();
    const on = tracks.some((t) => t.mode === 'showing');
    tracks.forEach((t, i) => (t.mode = !on && i === 0 ? 'showing' : 'disabled'));
    this.syncCaptions();
  }

  private syncCaptions(): void {
    const tracks = this.captionTracks();
    this.captions.hidden = tracks.length === 0;
    const on = tracks.some((t) => t.mode === 'showing');
    this.captions.setAttribute('aria-pressed', String(on));
    setIcon(this.captions, 'captions');
  }

  /** Shows the transcript button (before fullscreen); returns what sets its pressed state. */
  addTranscriptButton(onToggle: () => void, panelId: string): (open: boolean) => void {
    const button = (this.transcript ??= this.button('hlsgate-transcript-toggle', this.labels.transcript, () => onToggle()));
    button.setAttribute('aria-controls', panelId);
    setIcon(button, 'transcript');
    this.fullscreen.before(button);
    return (open) => {
      button.setAttribute('aria-expanded', String(open));
    };
  }

  /** The chapter menu: a native select whose choice seeks; it shows the chapter playing. */
  setChapters(chapters: { start: number; title: string }[], seek: (seconds: number) => void): void {
    const media = this.media;
    const select = (this.chapters ??= this.select('hlsgate-chapters', this.labels.chapters, () => {
      const start = Number(select.value);
      if (Number.isFinite(start)) seek(start);
    }));
    select.textContent = '';
    for (const c of chapters) select.add(new Option(`${clock(c.start)} ${c.title}`, String(c.start)));
    this.fullscreen.before(select);
    const sync = () => {
      let at = 0;
      chapters.forEach((c, i) => {
        if (c.start <= media.currentTime + 0.25) at = i;
      });
      if (select.selectedIndex !== at && this.box.ownerDocument.activeElement !== select) select.selectedIndex = at;
    };
    this.on(media, 'timeupdate', sync);
    this.on(media, 'seeked', sync);
    sync();
  }

  dispose(): void {
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.el.remove();
  }
}
