/** The player's few CSS rules, injected once per document (the page brings video.js's stylesheet). */
import { CONTROL_BAR_CSS } from './control-bar.ts';
import { ICON_CSS } from './icons.ts';
import { NOTICE_CSS } from './notice.ts';
import { WATERMARK_CSS } from './watermark.ts';

const QUALITY_CSS = `.video-js .vjs-hlsgate-quality .vjs-menu-button{width:auto;min-width:4.5em}
.vjs-hlsgate-quality-value{font-size:1.1em;line-height:3;padding:0 .6em;pointer-events:none}
.video-js .vjs-hlsgate-quality .vjs-menu .vjs-menu-content{width:11em;left:-3em}
.vjs-hlsgate-playing:after{content:"";display:inline-block;width:.4em;height:.4em;margin-left:.4em;border-radius:50%;background:currentColor;vertical-align:.1em}
.video-js :focus-visible{outline:3px solid #ffd23f;outline-offset:-3px}`;

export const PLAYER_CSS = `${WATERMARK_CSS}\n${NOTICE_CSS}\n${QUALITY_CSS}`;
export const HLSJS_CSS = `${WATERMARK_CSS}\n${NOTICE_CSS}\n${ICON_CSS}\n${CONTROL_BAR_CSS}`;

export function injectStyle(doc: Document, css: string, id = css === PLAYER_CSS ? 'hlsgate-style' : 'hlsgate-style-hlsjs'): void {
  if (doc.getElementById(id)) return;
  const style = doc.createElement('style');
  style.id = id;
  style.textContent = css;
  doc.head.appendChild(style);
}
