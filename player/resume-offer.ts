/**
 * "Resume at 12:34": offered over a player whose viewer stopped part-way last time. A native button
 * (Tab, Enter, Space), inside a polite live region so that screen readers announce it when it
 * appears; a second button, and Escape, dismiss it. Playing without choosing starts from the
 * beginning and removes the offer. Engine-neutral: it needs an element to live in, the media's
 * `play` event, and a callback that seeks.
 */

import { ICON_CSS, setIcon } from './icons.ts';
import { injectStyle } from './style.ts';

export interface ResumeLabels {
  /** `{time}` is replaced by the position, e.g. "Resume at {time}". */
  resume: string;
  /** Announced with the button: "You stopped at {time}." */
  announce: string;
  /** The dismiss button's accessible name. */
  startOver: string;
}

export const DEFAULT_RESUME_LABELS: ResumeLabels = {
  resume: 'Resume at {time}',
  announce: 'You stopped at {time}.',
  startOver: 'Start from the beginning',
};

/** Positions closer than this to either end are not worth offering. */
export const RESUME_MARGIN_S = 5;

/** `m:ss`, or `h:mm:ss` from an hour on. */
export function formatTime(seconds: number): string {
  const s = Math.max(0, Math.floor(Number.isFinite(seconds) ? seconds : 0));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Whether a stored position deserves an offer: past the first seconds and before the last ones. */
export function shouldOfferResume(position: number, duration?: number): boolean {
  if (!Number.isFinite(position) || position < RESUME_MARGIN_S) return false;
  if (duration !== undefined && Number.isFinite(duration) && duration > 0) return position < duration - RESUME_MARGIN_S;
  return true;
}

export function resumeLabel(template: string, position: number): string {
  return template.split('{time}').join(formatTime(position));
}

export interface ResumeOfferOptions {
  /** Where the offer goes (the player's element; it is positioned over the video by CSS class). */
  container: HTMLElement;
  /** The media's events: the offer goes away on the first `play`. */
  media: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;
  position: number;
  duration?: number;
  /** Seek to `position` and play. */
  onResume: (position: number) => void;
  labels?: Partial<ResumeLabels>;
  /**
   * Offer any position inside the video, however near its start (a link's time fragment, which the
   * viewer asked for), instead of the resume rule's margins.
   */
  anyPosition?: boolean;
}

export const RESUME_OFFER_CLASS = 'hlsgate-resume';

/** Over the video, above either engine's control bar. */
export const RESUME_CSS = `.hlsgate-resume{position:absolute;left:.75em;bottom:3.75em;z-index:3;display:flex;align-items:center;gap:.5em;padding:.4em .6em;border-radius:.3em;background:rgba(0,0,0,.8);color:#fff;font-size:1rem}
.hlsgate-resume button{border:1px solid #fff;border-radius:.25em;background:transparent;color:#fff;padding:.2em .6em;cursor:pointer;font:inherit}
.hlsgate-resume button:focus-visible{outline:3px solid #ffd23f;outline-offset:2px}
.hlsgate-resume .hlsgate-resume-close{padding:.2em .3em}
${ICON_CSS}`;

/**
 * Shows the offer when `shouldOfferResume` says so; returns a handle whose `dispose()` removes it
 * (idempotent), or null when there is nothing to offer — nor when the container already shows an
 * offer (a link's "Start at" comes first and a stored position then offers nothing).
 */
export function createResumeOffer(options: ResumeOfferOptions): { element: HTMLElement; dispose(): void } | null {
  const { container, media, position, duration, onResume } = options;
  if (options.anyPosition) {
    if (!(position > 0) || (duration !== undefined && duration > 0 && position >= duration)) return null;
  } else if (!shouldOfferResume(position, duration)) return null;
  if (container.querySelector(`:scope > .${RESUME_OFFER_CLASS}`)) return null;
  const labels = { ...DEFAULT_RESUME_LABELS, ...options.labels };
  const doc = container.ownerDocument;
  injectStyle(doc, RESUME_CSS, 'hlsgate-style-resume');
  const region = doc.createElement('div');
  region.className = RESUME_OFFER_CLASS;
  region.setAttribute('role', 'status');
  region.setAttribute('aria-live', 'polite');
  const text = doc.createElement('span');
  text.className = `${RESUME_OFFER_CLASS}-text`;
  const resume = doc.createElement('button');
  resume.type = 'button';
  resume.className = `${RESUME_OFFER_CLASS}-button`;
  resume.textContent = resumeLabel(labels.resume, position);
  const close = doc.createElement('button');
  close.type = 'button';
  close.className = `${RESUME_OFFER_CLASS}-close`;
  close.setAttribute('aria-label', labels.startOver);
  close.title = labels.startOver;
  setIcon(close, 'close');

  let disposed = false;
  const dispose = (): void => {
    if (disposed) return;
    disposed = true;
    media.removeEventListener('play', onPlay);
    region.removeEventListener('keydown', onKey);
    region.remove();
  };
  const onPlay = (): void => dispose();
  const onKey = (event: Event): void => {
    if ((event as KeyboardEvent).key === 'Escape') {
      event.stopPropagation();
      dispose();
    }
  };
  resume.addEventListener('click', (event) => {
    event.stopPropagation();
    dispose();
    onResume(position);
  });
  close.addEventListener('click', (event) => {
    event.stopPropagation();
    dispose();
  });
  region.addEventListener('keydown', onKey);
  media.addEventListener('play', onPlay);
  region.append(text, resume, close);
  container.append(region);
  // Filled a moment after the region is in the document: a live region announces changes, not its
  // own arrival.
  const view = doc.defaultView ?? globalThis;
  view.setTimeout(() => {
    if (!disposed) text.textContent = resumeLabel(labels.announce, position) + ' ';
  }, 50);
  return { element: region, dispose };
}
