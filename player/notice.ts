/**
 * Words over the picture that screen readers announce, for both engines: a live region made when
 * the player is built (a region must exist before its text changes to be announced). `status`
 * (polite) for "Network trouble — trying again…" during a long stall; `alert` (assertive) for fatal
 * errors. `StallNotice` shows the network words when a spinner lasts, and clears them when
 * playback resumes.
 */

export class Notice {
  readonly el: HTMLElement;

  constructor(box: HTMLElement, kind: 'status' | 'alert', className = '') {
    this.el = box.ownerDocument.createElement('div');
    this.el.className = `hlsgate-notice ${className}`.trim();
    this.el.setAttribute('role', kind);
    this.el.setAttribute('aria-live', kind === 'alert' ? 'assertive' : 'polite');
    this.el.setAttribute('aria-atomic', 'true');
    box.appendChild(this.el);
  }

  show(text: string): void {
    this.el.textContent = text;
  }

  clear(): void {
    this.el.textContent = '';
  }

  get text(): string {
    return this.el.textContent ?? '';
  }

  dispose(): void {
    this.el.remove();
  }
}

export const NOTICE_CSS = `.hlsgate-notice{position:absolute;left:0;right:0;bottom:4.5em;z-index:2;text-align:center;pointer-events:none;
font:500 15px/1.3 system-ui,sans-serif;color:#fff;text-shadow:0 0 4px #000;padding:0 1em}
.hlsgate-notice:empty{display:none}
.hlsgate-notice[role=alert]{top:40%;bottom:auto;font-size:17px}`;

const STALL_END = ['playing', 'seeked', 'pause', 'error', 'ended'];

/** Subscribes `fn` to the player's events of these types; returns the unsubscribe. */
export type Subscribe = (types: string[], fn: () => void) => () => void;

/** The media element's own events (the hls.js adapter); video.js passes its player's `on`/`off`. */
export const mediaEvents =
  (media: HTMLMediaElement): Subscribe =>
  (types, fn) => {
    for (const type of types) media.addEventListener(type, fn);
    return () => {
      for (const type of types) media.removeEventListener(type, fn);
    };
  };

/** Shows `text()` in a status notice when the player has waited for data longer than `afterMs`. */
export class StallNotice {
  private readonly notice: Notice;
  private readonly paused: () => boolean;
  private readonly text: () => string | undefined;
  private readonly afterMs: number;
  private readonly unsubscribe: (() => void)[];
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** `text()` gives the words, or undefined when nothing should be said (a fatal error is shown). */
  constructor(box: HTMLElement, subscribe: Subscribe, paused: () => boolean, text: () => string | undefined, afterMs = 8_000) {
    this.notice = new Notice(box, 'status', 'vjs-hlsgate-notice');
    this.paused = paused;
    this.text = text;
    this.afterMs = afterMs;
    this.unsubscribe = [subscribe(['waiting'], this.arm), subscribe(STALL_END, this.clear)];
  }

  get el(): HTMLElement {
    return this.notice.el;
  }

  private readonly arm = (): void => {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const words = this.text();
      if (words && !this.paused()) this.notice.show(words);
    }, this.afterMs);
  };

  private readonly clear = (): void => {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.notice.clear();
  };

  dispose(): void {
    this.clear();
    for (const off of this.unsubscribe.splice(0)) off();
    this.notice.dispose();
  }
}
