/**
 * A page URL's time fragment (`…/mod/page/view.php?id=7#t=754`, what a Moodle search hit links
 * to): the player it applies to — the first hlsgate player made on the page, or the one whose
 * element is, holds or sits inside the element named by `p=<id>` — offers "Start at 12:34" (the
 * resume offer's accessible button and live region) once its source is set, and again when the
 * fragment changes while the page is open. Both engines.
 */
import type { Labels } from './errors.ts';
import { resumeAt } from './progress.ts';
import { createResumeOffer } from './resume-offer.ts';
import { parseTimeFragment } from './transcript.ts';

const firstPlayer = new WeakMap<Document, HTMLElement>();

/** Called when a player is made: the first of its document is the one a plain `#t=` is for. */
export function registerPlayerBox(box: HTMLElement): void {
  if (!firstPlayer.get(box.ownerDocument)?.isConnected) firstPlayer.set(box.ownerDocument, box);
}

/** Whether a fragment naming `player` (or none) applies to the player `box`. */
export function fragmentAppliesTo(box: HTMLElement, player: string | undefined): boolean {
  const doc = box.ownerDocument;
  if (!player) return firstPlayer.get(doc) === box;
  const named = doc.getElementById(player);
  return !!named && (named === box || named.contains(box) || box.contains(named));
}

/** Shows the offer for the page's fragment now and on each `hashchange`; returns the cleanup. */
export function offerTimeFragment(o: { box: HTMLElement; media: HTMLMediaElement; labels: Labels }): () => void {
  const view = o.box.ownerDocument.defaultView;
  if (!view) return () => undefined;
  let offer: { dispose(): void } | null = null;
  const show = () => {
    const fragment = parseTimeFragment(view.location.hash);
    if (!fragment || !fragmentAppliesTo(o.box, fragment.player)) return;
    offer?.dispose();
    const duration = Number.isFinite(o.media.duration) && o.media.duration > 0 ? o.media.duration : undefined;
    offer = createResumeOffer({
      container: o.box,
      media: o.media,
      position: fragment.seconds,
      ...(duration ? { duration } : {}),
      anyPosition: true,
      labels: { resume: o.labels.startAt, announce: o.labels.startAtAnnounce, startOver: o.labels.startAtDismiss },
      onResume: (position) => resumeAt(o.media, position),
    });
  };
  show();
  view.addEventListener('hashchange', show);
  return () => {
    view.removeEventListener('hashchange', show);
    offer?.dispose();
  };
}
