/**
 * The moving viewer watermark, for both engines: a plain element inside the player's box (the
 * element that goes fullscreen), placed inside the *picture* — the video's rectangle once
 * letterboxing is taken off — at every size, on resize and in fullscreen. It moves every few
 * seconds; with `prefers-reduced-motion` it moves rarely and without animation.
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

export const WATERMARK_CSS = `.hlsgate-watermark{position:absolute;z-index:3;left:0;top:0;pointer-events:none;user-select:none;
color:rgba(255,255,255,.38);font:600 15px/1.2 system-ui,sans-serif;text-shadow:0 0 3px rgba(0,0,0,.7);overflow-wrap:anywhere;
transition:left 3s ease,top 3s ease}
.hlsgate-watermark.hlsgate-still{transition:none}
:fullscreen .hlsgate-watermark,.vjs-fullscreen .hlsgate-watermark{font-size:22px}
@media (prefers-reduced-motion: reduce){.hlsgate-watermark{transition:none}}`;

export class Watermark {
  readonly el: HTMLElement;
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
    this.el = doc.createElement('div');
    this.el.className = 'hlsgate-watermark vjs-hlsgate-watermark';
    this.el.setAttribute('aria-hidden', 'true');
    this.el.textContent = text;
    box.appendChild(this.el);
    const win = doc.defaultView;
    this.motion = win?.matchMedia?.('(prefers-reduced-motion: reduce)');
    this.motion?.addEventListener?.('change', this.restart);
    this.observer = win && 'ResizeObserver' in win ? new win.ResizeObserver(this.relayout) : undefined;
    this.observer?.observe(box);
    media.addEventListener('loadedmetadata', this.relayout);
    media.addEventListener('resize', this.relayout);
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

  /** Places the mark at its fractions in the picture as it is now; `jump`: no animation (the box changed). */
  layout(jump: boolean): void {
    const box = this.box.getBoundingClientRect();
    const picture = pictureRect(box, this.media.videoWidth, this.media.videoHeight);
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
    this.media.removeEventListener('loadedmetadata', this.relayout);
    this.media.removeEventListener('resize', this.relayout);
    this.box.ownerDocument.removeEventListener('fullscreenchange', this.relayout);
    this.el.remove();
  }
}
