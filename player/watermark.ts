/**
 * The moving viewer watermark, for both engines: a plain element inside the player's box (the
 * element that goes fullscreen), placed inside the *picture* — the video's rectangle once
 * letterboxing is taken off — at every size, on resize and in fullscreen. It moves every few
 * seconds; with `prefers-reduced-motion` it moves rarely and without animation.
 *
 * It never draws outside the box: the mark lives in a layer that covers the box exactly and clips
 * (`overflow: hidden`), and it is drawn only while that layer really is the box's rectangle — a box
 * that is not (yet) a containing block (video.js's stylesheet not applied: `position: static`) would
 * put the layer over some ancestor, in the page around the player. And before there is a picture
 * (no frame yet: a player not played, lean until play) nothing is drawn: there is nothing to protect.
 */

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The picture inside a box of `box` size, for a video of `videoWidth`×`videoHeight` (object-fit: contain). Pure. */
export function pictureRect(box: { width: number; height: number }, videoWidth: number, videoHeight: number): Rect {
  if (!(videoWidth > 0 && videoHeight > 0 && box.width > 0 && box.height > 0)) return { x: 0, y: 0, ...box };
  const scale = Math.min(box.width / videoWidth, box.height / videoHeight);
  const width = videoWidth * scale;
  const height = videoHeight * scale;
  return { x: (box.width - width) / 2, y: (box.height - height) / 2, width, height };
}

/** Where the mark goes: fractions `fx`, `fy` (0–1) of the room the picture leaves around a mark of `mark` size. Pure. */
export function placeMark(picture: Rect, mark: { width: number; height: number }, fx: number, fy: number): { left: number; top: number } {
  const roomX = Math.max(0, picture.width - mark.width);
  const roomY = Math.max(0, picture.height - mark.height);
  return { left: Math.round(picture.x + fx * roomX), top: Math.round(picture.y + fy * roomY) };
}

export interface WatermarkOptions {
  /** Milliseconds between moves (default 7 s). */
  periodMs?: number;
  /** Between moves with `prefers-reduced-motion: reduce` (default 60 s). */
  reducedMotionPeriodMs?: number;
  random?: () => number;
}

/** Whether the media shows a frame: its size is known and it has the data of the current position. */
export function hasPicture(media: Pick<HTMLMediaElement, 'readyState'> & { videoWidth: number; videoHeight: number }): boolean {
  return media.readyState >= 2 && media.videoWidth > 0 && media.videoHeight > 0;
}

/** Whether `inner` lies within `outer`, give or take `slack` px (rounding). Pure. */
export function within(inner: DOMRectReadOnly | Rect, outer: DOMRectReadOnly | Rect, slack = 1): boolean {
  return inner.x >= outer.x - slack && inner.y >= outer.y - slack && inner.x + inner.width <= outer.x + outer.width + slack && inner.y + inner.height <= outer.y + outer.height + slack;
}

export const WATERMARK_CSS = `.hlsgate-watermark-layer{position:absolute;z-index:3;left:0;top:0;right:0;bottom:0;overflow:hidden;pointer-events:none}
.hlsgate-watermark{position:absolute;left:0;top:0;width:max-content;pointer-events:none;user-select:none;
color:rgba(255,255,255,.38);font:600 15px/1.2 system-ui,sans-serif;text-shadow:0 0 3px rgba(0,0,0,.7);overflow-wrap:anywhere;
transition:left 3s ease,top 3s ease}
.hlsgate-watermark.hlsgate-still{transition:none}
:fullscreen .hlsgate-watermark,.vjs-fullscreen .hlsgate-watermark{font-size:22px}
@media (prefers-reduced-motion: reduce){.hlsgate-watermark{transition:none}}`;

/** Media events after which the picture may have appeared, gone or changed size. */
const MEDIA_EVENTS = ['loadedmetadata', 'loadeddata', 'resize', 'emptied', 'playing', 'seeked'];

export class Watermark {
  /** The mark. */
  readonly el: HTMLElement;
  /** What holds it: the box's rectangle, clipped. */
  readonly layer: HTMLElement;
  private readonly box: HTMLElement;
  private readonly media: HTMLVideoElement;
  private readonly random: () => number;
  private fx = 0;
  private fy = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly observer: ResizeObserver | undefined;
  private readonly motion: MediaQueryList | undefined;
  private readonly relayout = () => this.layout(true);
  private readonly options: WatermarkOptions;

  /** `box`: the player's element (what goes fullscreen); `media`: its `<video>`. */
  constructor(box: HTMLElement, media: HTMLVideoElement, text: string, options: WatermarkOptions = {}) {
    this.box = box;
    this.media = media;
    this.options = options;
    this.random = options.random ?? Math.random;
    const doc = box.ownerDocument;
    this.layer = doc.createElement('div');
    this.layer.className = 'hlsgate-watermark-layer';
    this.layer.setAttribute('aria-hidden', 'true');
    this.el = doc.createElement('div');
    this.el.className = 'hlsgate-watermark vjs-hlsgate-watermark';
    this.el.textContent = text;
    this.el.hidden = true;
    this.layer.appendChild(this.el);
    box.appendChild(this.layer);
    const win = doc.defaultView;
    this.motion = win?.matchMedia?.('(prefers-reduced-motion: reduce)');
    this.motion?.addEventListener?.('change', this.restart);
    this.observer = win && 'ResizeObserver' in win ? new win.ResizeObserver(this.relayout) : undefined;
    // The border box: video.js's fluid box is `height: 0` with a `padding-top` for its aspect ratio,
    // so its content box never changes height.
    this.observer?.observe(box, { box: 'border-box' });
    this.observer?.observe(this.layer);
    for (const type of MEDIA_EVENTS) media.addEventListener(type, this.relayout);
    doc.addEventListener('fullscreenchange', this.relayout);
    this.move();
    this.restart();
  }

  get reducedMotion(): boolean {
    return this.motion?.matches ?? false;
  }

  /** A new random place inside the picture. */
  move(): void {
    this.fx = this.random();
    this.fy = this.random();
    this.layout(false);
  }

  /**
   * Places the mark at its fractions in the picture as it is now; `jump`: no animation (the box
   * changed). Hides it while there is no picture or the layer is not the box's rectangle.
   */
  layout(jump: boolean): void {
    const box = this.box.getBoundingClientRect();
    const layer = this.layer.getBoundingClientRect();
    const show = hasPicture(this.media) && layer.width > 0 && layer.height > 0 && within(layer, box);
    if (!show) {
      this.el.hidden = true;
      return;
    }
    if (this.el.hidden) {
      this.el.hidden = false;
      jump = true; // appears in its place, not gliding in from the corner
    }
    // In the layer's coordinates (the box's padding box): what `left`/`top` are relative to.
    const picture = pictureRect({ width: layer.width, height: layer.height }, this.media.videoWidth, this.media.videoHeight);
    this.el.style.maxWidth = `${Math.floor(picture.width)}px`;
    const mark = this.el.getBoundingClientRect();
    const { left, top } = placeMark(picture, mark, this.fx, this.fy);
    if (jump) this.el.classList.add('hlsgate-still');
    this.el.style.left = `${left}px`;
    this.el.style.top = `${top}px`;
    if (jump) {
      void this.el.offsetWidth; // apply the jump before the transition returns
      this.el.classList.remove('hlsgate-still');
    }
  }

  private readonly restart = (): void => {
    if (this.timer !== undefined) clearInterval(this.timer);
    const period = this.reducedMotion ? (this.options.reducedMotionPeriodMs ?? 60_000) : (this.options.periodMs ?? 7_000);
    this.timer = setInterval(() => this.move(), period);
  };

  dispose(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.observer?.disconnect();
    this.motion?.removeEventListener?.('change', this.restart);
    for (const type of MEDIA_EVENTS) this.media.removeEventListener(type, this.relayout);
    this.box.ownerDocument.removeEventListener('fullscreenchange', this.relayout);
    this.layer.remove();
  }
}
