/**
 * The transcript's video.js glue: a control-bar button that opens the panel (a video.js Button:
 * Tab, Enter, Space; `aria-expanded`), and the chapters as a video.js `chapters` text track, which
 * video.js's own chapter menu (ChaptersButton, hidden while there is no such track) lists and
 * follows.
 */
import { setIcon } from './icons.ts';
import type { Chapter, Cue, SubtitlesRendition } from './transcript.ts';
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

type TrackPlayer = VjsPlayer & {
  addTextTrack(kind: string, label: string, language?: string): TextTrackLike;
  textTracks(): { removeTrack?(track: unknown): void };
};

/**
 * A text track of the player's own, made of `cues`, in `mode`; undefined where the page has no
 * VTTCue. The player's text tracks are video.js's own (html5Options: `nativeTextTracks` false), so
 * the track never touches the media element. Returns its cleanup.
 */
function addCueTrack(
  player: VjsPlayer,
  track: { kind: 'chapters' | 'subtitles'; label: string; language?: string; mode: 'hidden' | 'showing' | 'disabled' },
  cues: readonly { start: number; end: number; text: string }[],
): (() => void) | undefined {
  const p = player as TrackPlayer;
  const win = player.el().ownerDocument.defaultView as (Window & { VTTCue?: new (s: number, e: number, t: string) => unknown; vttjs?: { VTTCue: new (s: number, e: number, t: string) => unknown } }) | null;
  const Cue = win?.VTTCue ?? win?.vttjs?.VTTCue;
  if (!Cue) return undefined;
  const made = p.addTextTrack(track.kind, track.label, track.language);
  made.mode = track.mode;
  for (const c of cues) made.addCue(new Cue(c.start, Math.max(c.end, c.start + 0.001), c.text));
  return () => {
    if (!player.isDisposed()) p.textTracks().removeTrack?.(made);
  };
}

/** Adds the chapters as a `chapters` text track and has video.js's chapter menu show them. Returns the cleanup. */
export function addChapterTrack(player: VjsPlayer, chapters: Chapter[], label: string): () => void {
  const remove = addCueTrack(player, { kind: 'chapters', label, mode: 'hidden' }, chapters.map((c) => ({ start: c.start, end: c.end, text: c.title })));
  if (!remove) return () => undefined;
  const menu = player.getChild('ControlBar')?.getChild('ChaptersButton') as (VjsComponent & { update?(): void }) | undefined;
  menu?.update?.();
  return () => {
    remove();
    if (!player.isDisposed()) menu?.update?.();
  };
}

/**
 * The lecture's captions as a `subtitles` track of the player, for the captions menu and video.js's
 * caption display, where the browser plays HLS itself: there video.js gets no track from VHS, and
 * the element's own may be missing (WebKitGTK's HLS exposes none). Named, tagged and switched on as
 * the master says of its rendition (`DEFAULT=YES`: showing). Returns the cleanup.
 */
export function addCaptionsTrack(player: VjsPlayer, cues: readonly Cue[], rendition: SubtitlesRendition | undefined, fallbackLabel: string): () => void {
  const label = rendition?.label || rendition?.language || fallbackLabel;
  // A cue's text is WebVTT cue text, whose tags video.js renders: the transcript's plain text goes
  // in escaped, so that "<img …>" in a caption shows as written and is never a tag.
  const escaped = cues.map((c) => ({ start: c.start, end: c.end, text: c.text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') }));
  const remove = addCueTrack(player, { kind: 'subtitles', label, ...(rendition?.language ? { language: rendition.language } : {}), mode: rendition?.default ? 'showing' : 'disabled' }, escaped);
  return remove ?? (() => undefined);
}
