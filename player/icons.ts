/**
 * The player's icons as inline SVG, for every control the player draws itself (the hls.js control
 * bar now; captions, transcript, chapters… later): no font is needed, so they draw the same on a
 * machine without an emoji or symbol font (where `🔇` or `⛶` as text is an empty box). Each icon is
 * a 24×24 drawing of filled shapes (class `f`) and round strokes (class `s`) in `currentColor`,
 * sized by CSS (`.hlsgate-icon`, 1.4em: it follows the control's font size) and `aria-hidden`:
 * the control keeps its own accessible name (`aria-label`).
 */

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Every icon: `f` filled paths, `s` stroked ones (2 units wide, round ends). */
const ICONS = {
  play: { f: ['M8 5.5v13a.6.6 0 0 0 .9.5l10.2-6.5a.6.6 0 0 0 0-1L8.9 5A.6.6 0 0 0 8 5.5z'] },
  pause: { f: ['M6 5h4v14H6zM14 5h4v14h-4z'] },
  volume: { f: ['M3 9h4l5-4.5v15L7 15H3z'], s: ['M15.5 9a4.2 4.2 0 0 1 0 6', 'M18.3 6.2a8.2 8.2 0 0 1 0 11.6'] },
  muted: { f: ['M3 9h4l5-4.5v15L7 15H3z'], s: ['M16 9.5l5 5M21 9.5l-5 5'] },
  fullscreen: { s: ['M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5'] },
  exitFullscreen: { s: ['M9 4v5H4M20 9h-5V4M15 20v-5h5M4 15h5v5'] },
  close: { s: ['M6 6l12 12M18 6L6 18'] },
  captions: { s: ['M4 5h16a1.5 1.5 0 0 1 1.5 1.5v11A1.5 1.5 0 0 1 20 19H4a1.5 1.5 0 0 1-1.5-1.5v-11A1.5 1.5 0 0 1 4 5z', 'M10.5 10a2.4 2.4 0 1 0 0 4', 'M17 10a2.4 2.4 0 1 0 0 4'] },
  transcript: { s: ['M5 3.5h10l4 4v13H5z', 'M8 10h8M8 13.5h8M8 17h5'] },
  chapters: { s: ['M4 6h2M4 12h2M4 18h2M9 6h11M9 12h11M9 18h11'] },
} satisfies Record<string, { f?: string[]; s?: string[] }>;

export type IconName = keyof typeof ICONS;

export const ICON_CSS = `.hlsgate-icon{display:block;width:1.4em;height:1.4em;margin:auto;pointer-events:none;overflow:visible}
.hlsgate-icon .f{fill:currentColor;stroke:none}
.hlsgate-icon .s{fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}`;

/** A new `<svg>` of the icon `name`, hidden from assistive technology. */
export function createIcon(doc: Document, name: IconName): SVGSVGElement {
  const svg = doc.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('class', 'hlsgate-icon');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('data-icon', name);
  const icon: { f?: string[]; s?: string[] } = ICONS[name];
  for (const kind of ['f', 's'] as const) {
    for (const d of icon[kind] ?? []) {
      const path = doc.createElementNS(SVG_NS, 'path');
      path.setAttribute('class', kind);
      path.setAttribute('d', d);
      svg.appendChild(path);
    }
  }
  return svg;
}

/** Shows the icon `name` as the only content of `control` (a no-op when it already does). */
export function setIcon(control: Element, name: IconName): void {
  const current = control.firstElementChild;
  if (control.childNodes.length === 1 && current?.getAttribute('data-icon') === name) return;
  control.replaceChildren(createIcon(control.ownerDocument, name));
}
