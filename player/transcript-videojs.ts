/**
 * The transcript's video.js glue: a control-bar button that opens the panel (a video.js Button:
 * Tab, Enter, Space; `aria-expanded`), and the chapters as a video.js `chapters` text track, which
 * video.js's own chapter menu (ChaptersButton, hidden while there is no such track) lists and
 * follows.
 */
import { setIcon } from './icons.ts';
import type { Chapter } from './transcript.ts';
import type { VideojsStatic, VjsComponent, VjsPlayer } from './videojs-types.ts';

export const TRANSCRIPT_BUTTON = 'HlsgateTranscriptButton';

export const TRANSCRIPT_VJS_CSS = `.video-js .vjs-hlsgate-transcript .vjs-icon-placeholder{display:flex;align-items:center;justify-content:center;height:100%}
.video-js .vjs-hlsgate-transcript .hlsgate-icon{width:1.8em;height:1.8em}
.video-js .vjs-hlsgate-transcript[aria-expanded=true]{color:#9ec1ff}`;

interface ButtonBase extends VjsComponent {
  controlText(text: string): void;
  buildCSSClass(): string;
  options_: { label?: string; onToggle?: () => void } & Record<string, unknown>;
}
type ButtonClass = new (player: VjsPlayer, options: object) => ButtonBase;

export function registerTranscriptButton(videojs: VideojsStatic): string {
  if (videojs.getComponent(TRANSCRIPT_BUTTON)) return TRANSCRIPT_BUTTON;
  const Button = videojs.getComponent('Button') as ButtonClass;
  class TranscriptButton extends Button {
    constructor(player: VjsPlayer, options: { label: string; onToggle: () => void }) {
      super(player, options);
      this.controlText(options.label);
      const placeholder = this.el().querySelector('.vjs-icon-placeholder');
      if (placeholder) setIcon(placeholder, 'transcript');
    }
    override buildCSSClass(): string {
      return `vjs-hlsgate-transcript ${super.buildCSSClass()}`;
    }
    handleClick(): void {
      this.options_.onToggle?.();
    }
  }
  videojs.registerComponent(TRANSCRIPT_BUTTON, TranscriptButton);
  return TRANSCRIPT_BUTTON;
}

interface TextTrackLike {
  addCue(cue: unknown): void;
  mode: string;
}

/** Adds the chapters as a `chapters` text track and has video.js's chapter menu show them. Returns the cleanup. */
export function addChapterTrack(player: VjsPlayer, chapters: Chapter[], label: string): () => void {
  const p = player as VjsPlayer & {
    addTextTrack(kind: string, label: string, language?: string): TextTrackLike;
    removeTextTrack?(track: unknown): void;
    textTracks(): { removeTrack?(track: unknown): void };
  };
  const win = player.el().ownerDocument.defaultView as (Window & { VTTCue?: new (s: number, e: number, t: string) => unknown; vttjs?: { VTTCue: new (s: number, e: number, t: string) => unknown } }) | null;
  const Cue = win?.VTTCue ?? win?.vttjs?.VTTCue;
  if (!Cue) return () => undefined;
  const track = p.addTextTrack('chapters', label);
  track.mode = 'hidden';
  for (const c of chapters) track.addCue(new Cue(c.start, Math.max(c.end, c.start + 0.001), c.title));
  const menu = player.getChild('ControlBar')?.getChild('ChaptersButton') as (VjsComponent & { update?(): void }) | undefined;
  menu?.update?.();
  return () => {
    if (player.isDisposed()) return;
    p.textTracks().removeTrack?.(track);
    menu?.update?.();
  };
}
