/**
 * The interactive transcript, engine-neutral (the video.js plugin and the hls.js adapter give it
 * their media element, their box, a seek and the element of their progress bar):
 *
 * - after the first play (nothing before: lean until play), it reads the master playlist, the
 *   subtitles rendition's playlist and its WebVTT segments, and `chapters.vtt` beside the
 *   `com.apple.hls.chapters` session data — the same requests the engine makes, with the cookies or
 *   the signed query (`HlsgateController.fetchText`);
 * - a panel under the player: the cues as a list of buttons (time + words; click, Enter or Space
 *   seeks), grouped under the chapters' headings, the current one marked (`aria-current`) and
 *   scrolled into view inside the list only — never the page, never the focus, and not while the
 *   viewer is reading or moving in the list; one tab stop (the current cue), arrows, Home and End
 *   move between cues;
 * - a search field: the hits listed with their times (buttons that seek), the words marked, the hits
 *   drawn on the progress bar; the live region says only the number of hits, once typing settles;
 * - chapters as marks on the progress bar (a tooltip with the title).
 *
 * Every text goes in as `textContent`: a cue with markup or a script shows it as written.
 */
import { formatTime as clock } from './resume-offer.ts';
import type { Labels } from './errors.ts';
import { ICON_CSS } from './icons.ts';
import { injectStyle } from './style.ts';
import { cueIndexAt, fold, mergeCues, parseChapters, parseMaster, parseVtt, searchCues, segmentUrls, transcriptRows, type Chapter, type Cue, type Hit, type SubtitlesRendition } from './transcript.ts';

export interface TranscriptData {
  cues: Cue[];
  chapters: Chapter[];
  /** The subtitles rendition the cues come from (its name, language, default), when the master has one. */
  rendition?: SubtitlesRendition;
}

/** Loads the transcript and the chapters of the lecture at `src`. A part that fails is empty. */
export async function loadTranscript(src: string, fetchText: (url: string) => Promise<string>): Promise<TranscriptData> {
  const master = parseMaster(await fetchText(src), src);
  const cues = async (): Promise<Cue[]> => {
    if (!master.subtitles) return [];
    const playlist = master.subtitles;
    const segments = segmentUrls(await fetchText(playlist), playlist);
    const lists: Cue[][] = [];
    // In order, a few at a time: a lecture's transcript is one to a few hundred segments at most.
    for (let i = 0; i < segments.length; i += 4) lists.push(...(await Promise.all(segments.slice(i, i + 4).map(async (url) => parseVtt(await fetchText(url))))));
    return mergeCues(lists);
  };
  const chapters = async (): Promise<Chapter[]> => (master.chapters ? parseChapters(await fetchText(master.chapters)) : []);
  const [c, ch] = await Promise.all([cues().catch(() => []), chapters().catch(() => [])]);
  return master.rendition ? { cues: c, chapters: ch, rendition: master.rendition } : { cues: c, chapters: ch };
}

/**
 * Pieces of `text` with the words of `query` marked (case and accents ignored), for `<mark>`. Pure.
 */
export function highlight(text: string, query: string): { text: string; match: boolean }[] {
  const words = fold(query).split(' ').filter(Boolean);
  if (words.length === 0 || text === '') return [{ text, match: false }];
  // The folded text, with the index in `text` each of its characters came from.
  let folded = '';
  const from: number[] = [];
  for (let i = 0; i < text.length; ) {
    const ch = String.fromCodePoint(text.codePointAt(i)!);
    const piece = ch.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
    for (let k = 0; k < piece.length; k += 1) from.push(i);
    folded += piece;
    i += ch.length;
  }
  from.push(text.length);
  const marked = new Array<boolean>(text.length).fill(false);
  for (const word of words) {
    for (let at = folded.indexOf(word); at >= 0; at = folded.indexOf(word, at + 1)) {
      for (let i = from[at]!; i < from[at + word.length]!; i += 1) marked[i] = true;
    }
  }
  const out: { text: string; match: boolean }[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const last = out[out.length - 1];
    if (last && last.match === marked[i]) last.text += text[i];
    else out.push({ text: text[i]!, match: marked[i]! });
  }
  return out;
}

/** Marks on a progress bar: chapters (with a tooltip) and search hits, placed in % of the duration. */
export class ProgressMarks {
  private readonly layer: HTMLElement;
  private readonly items: Record<'chapter' | 'hit', { time: number; title: string }[]> = { chapter: [], hit: [] };

  constructor(
    private readonly track: HTMLElement,
    private readonly duration: () => number,
    /** A click on a chapter mark goes to the chapter's start (the mark lies over the seek bar). */
    private readonly seek?: (seconds: number) => void,
  ) {
    this.layer = track.ownerDocument.createElement('div');
    this.layer.className = 'hlsgate-marks';
    this.layer.setAttribute('aria-hidden', 'true');
    track.appendChild(this.layer);
  }

  set(kind: 'chapter' | 'hit', items: { time: number; title: string }[]): void {
    this.items[kind] = items;
    this.render();
  }

  render(): void {
    const d = this.duration();
    const doc = this.layer.ownerDocument;
    this.layer.textContent = '';
    if (!(d > 0)) return;
    for (const kind of ['chapter', 'hit'] as const) {
      for (const item of this.items[kind]) {
        if (kind === 'chapter' && item.time <= 0.5) continue; // no mark at the very start
        const mark = doc.createElement('span');
        mark.className = `hlsgate-mark hlsgate-mark-${kind}`;
        mark.style.left = `${Math.min(100, (item.time / d) * 100)}%`;
        mark.dataset.time = String(item.time);
        if (kind === 'chapter') {
          mark.dataset.title = `${clock(item.time)} ${item.title}`;
          const seek = this.seek;
          if (seek) mark.addEventListener('click', () => seek(item.time));
        }
        this.layer.appendChild(mark);
      }
    }
  }

  dispose(): void {
    this.layer.remove();
  }
}

export const TRANSCRIPT_CSS = `.hlsgate-transcript{box-sizing:border-box;margin:.5em 0 0;padding:.6em;border:1px solid #c5ccd8;border-radius:6px;background:#fff;color:#1d2330;
font:15px/1.4 system-ui,sans-serif;max-width:100%}
.hlsgate-transcript[hidden]{display:none}
.hlsgate-transcript *{box-sizing:border-box}
.hlsgate-transcript input[type=search]{width:100%;font:inherit;padding:.4em .5em;border:1px solid #6b7585;border-radius:4px;color:#1d2330;background:#fff}
.hlsgate-transcript-status{margin:.3em 0;min-height:1.2em;font-size:.9em;color:#4a5365}
.hlsgate-transcript ol,.hlsgate-transcript ul{list-style:none;margin:0;padding:0}
.hlsgate-transcript-hits{max-height:8em;overflow:auto;border-bottom:1px solid #dfe3ea;margin-bottom:.4em}
.hlsgate-transcript-body{position:relative;max-height:18em;overflow:auto;overscroll-behavior:contain}
.hlsgate-transcript h3{font-size:.95em;margin:.6em 0 .2em;color:#1d2330}
.hlsgate-transcript button.hlsgate-cue{display:flex;gap:.6em;width:100%;text-align:left;font:inherit;color:inherit;background:transparent;border:0;border-radius:4px;
padding:.25em .4em;cursor:pointer;min-height:2em;align-items:baseline}
.hlsgate-transcript button.hlsgate-cue:hover{background:#eef1f6}
.hlsgate-transcript button.hlsgate-cue[aria-current=true]{background:#dbe6ff;box-shadow:inset 3px 0 0 #2e6ad1}
.hlsgate-transcript button:focus-visible,.hlsgate-transcript input:focus-visible{outline:3px solid #2e6ad1;outline-offset:1px}
.hlsgate-cue-time{flex:none;font-variant-numeric:tabular-nums;color:#4a5365;min-width:3.2em}
.hlsgate-cue-text{overflow-wrap:anywhere;white-space:pre-wrap}
.hlsgate-transcript mark{background:#ffe27a;color:inherit}
.hlsgate-marks{position:absolute;inset:0;pointer-events:none;z-index:2}
.hlsgate-mark{position:absolute;top:50%;transform:translate(-50%,-50%);pointer-events:none}
.hlsgate-mark-chapter{width:4px;height:140%;min-height:8px;background:#fff;box-shadow:0 0 0 1px #000;pointer-events:auto}
.hlsgate-mark-chapter::before{content:"";position:absolute;inset:-6px -5px}
.hlsgate-mark-hit{width:6px;height:6px;border-radius:50%;background:#ffd23f;box-shadow:0 0 0 1px #000;top:-5px;transform:translateX(-50%)}
.hlsgate-mark-chapter:hover::after{content:attr(data-title);position:absolute;bottom:calc(100% + 6px);left:50%;transform:translateX(-50%);white-space:nowrap;
background:rgba(0,0,0,.85);color:#fff;font:13px/1.3 system-ui,sans-serif;padding:.2em .5em;border-radius:3px}
${ICON_CSS}`;

export interface TranscriptOptions {
  media: HTMLMediaElement;
  /** The player's element: the panel goes right after it (under the video). */
  box: HTMLElement;
  labels: Labels;
  seek(seconds: number): void;
  duration(): number;
}

let panels = 0;

/** The panel, its search and the marks, for data already loaded. */
export class TranscriptPanel {
  readonly el: HTMLElement;
  readonly id: string;
  private readonly o: TranscriptOptions;
  private readonly data: TranscriptData;
  private readonly body: HTMLElement;
  private readonly search: HTMLInputElement;
  private readonly status: HTMLElement;
  private readonly hitList: HTMLElement;
  private readonly buttons: HTMLButtonElement[] = [];
  private readonly marks: ProgressMarks | undefined;
  private readonly cleanups: (() => void)[] = [];
  private current = -1;
  /** The cue last brought into view. */
  private scrolledTo = -1;
  /** The viewer is in the list (focus, pointer, a scroll of theirs): the list does not follow playback. */
  private readingUntil = 0;
  private hovering = false;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;
  private followTimer: ReturnType<typeof setTimeout> | undefined;
  private announceTimer: ReturnType<typeof setTimeout> | undefined;
  private hits: Hit[] = [];

  constructor(options: TranscriptOptions, data: TranscriptData, marks?: ProgressMarks) {
    this.o = options;
    this.data = data;
    this.marks = marks;
    const doc = options.box.ownerDocument;
    injectStyle(doc, TRANSCRIPT_CSS, 'hlsgate-style-transcript');
    panels += 1;
    this.id = `hlsgate-transcript-${panels}`;
    const el = (this.el = doc.createElement('section'));
    el.className = 'hlsgate-transcript';
    el.id = this.id;
    el.hidden = true;
    el.setAttribute('aria-label', options.labels.transcript);

    const search = (this.search = doc.createElement('input'));
    search.type = 'search';
    search.className = 'hlsgate-transcript-search';
    search.setAttribute('aria-label', options.labels.transcriptSearch);
    search.placeholder = options.labels.transcriptSearch;
    search.autocomplete = 'off';
    search.spellcheck = false;
    const status = (this.status = doc.createElement('p'));
    status.className = 'hlsgate-transcript-status';
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    status.setAttribute('aria-atomic', 'true');
    const hitList = (this.hitList = doc.createElement('ul'));
    hitList.className = 'hlsgate-transcript-hits';
    hitList.setAttribute('aria-label', options.labels.searchResults);
    hitList.hidden = true;
    const body = (this.body = doc.createElement('div'));
    body.className = 'hlsgate-transcript-body';
    this.renderRows();
    el.append(search, status, hitList, body);
    options.box.after(el);

    this.on(options.media, 'timeupdate', () => this.follow());
    this.on(options.media, 'seeked', () => this.follow(true));
    this.on(search, 'input', () => this.onSearchInput());
    this.on(search, 'keydown', (event) => {
      if ((event as KeyboardEvent).key !== 'Enter') return;
      this.runSearch();
      if (this.hits.length > 0) {
        event.preventDefault();
        (this.hitList.querySelector('button') as HTMLButtonElement | null)?.focus();
      }
    });
    this.on(body, 'keydown', (event) => this.onKey(event as KeyboardEvent));
    const reading = () => (this.readingUntil = Date.now() + 5_000);
    for (const type of ['wheel', 'touchstart', 'pointerdown', 'keydown']) this.on(body, type, reading);
    this.on(body, 'pointerenter', () => (this.hovering = true));
    this.on(body, 'pointerleave', () => {
      this.hovering = false;
      this.follow();
    });
    this.on(body, 'focusout', () => this.body.ownerDocument.defaultView?.setTimeout(() => this.follow(), 0));
    this.follow(true);
  }

  get open(): boolean {
    return !this.el.hidden;
  }

  setOpen(open: boolean): void {
    this.el.hidden = !open;
    if (open) this.follow(true);
  }

  private on(target: EventTarget, type: string, fn: (event: Event) => void): void {
    target.addEventListener(type, fn);
    this.cleanups.push(() => target.removeEventListener(type, fn));
  }

  private renderRows(): void {
    const doc = this.body.ownerDocument;
    let list: HTMLElement | undefined;
    for (const row of transcriptRows(this.data.cues, this.data.chapters)) {
      if (row.kind === 'chapter') {
        const h = doc.createElement('h3');
        h.className = 'hlsgate-transcript-chapter';
        h.textContent = row.chapter.title;
        this.body.appendChild(h);
        list = undefined;
        continue;
      }
      if (!list) {
        list = doc.createElement('ol');
        list.className = 'hlsgate-transcript-list';
        this.body.appendChild(list);
      }
      const li = doc.createElement('li');
      const button = this.cueButton(row.cue.start, row.cue.text, '');
      button.tabIndex = row.index === 0 ? 0 : -1;
      button.dataset.index = String(row.index);
      li.appendChild(button);
      list.appendChild(li);
      this.buttons.push(button);
    }
  }

  private cueButton(start: number, text: string, query: string): HTMLButtonElement {
    const doc = this.body.ownerDocument;
    const button = doc.createElement('button');
    button.type = 'button';
    button.className = 'hlsgate-cue';
    button.dataset.start = String(start);
    const time = doc.createElement('span');
    time.className = 'hlsgate-cue-time';
    time.textContent = clock(start);
    const words = doc.createElement('span');
    words.className = 'hlsgate-cue-text';
    for (const piece of highlight(text, query)) {
      if (piece.match) {
        const mark = doc.createElement('mark');
        mark.textContent = piece.text;
        words.appendChild(mark);
      } else words.appendChild(doc.createTextNode(piece.text));
    }
    button.append(time, ' ', words);
    button.addEventListener('click', () => this.o.seek(start));
    return button;
  }

  /** Marks the cue playing now and, unless the viewer is reading the list, scrolls it into the list's view. */
  private follow(force = false): void {
    const index = cueIndexAt(this.data.cues, this.o.media.currentTime);
    if (index !== this.current || force) {
      this.buttons[this.current]?.removeAttribute('aria-current');
      this.current = index;
      this.scrolledTo = force ? -1 : this.scrolledTo;
      this.buttons[index]?.setAttribute('aria-current', 'true');
    }
    const button = this.buttons[index];
    if (!button) return;
    const doc = this.body.ownerDocument;
    const inside = this.body.contains(doc.activeElement);
    // The one tab stop of the list is the current cue, unless the viewer is in the list.
    if (!inside && button.tabIndex !== 0) for (const b of this.buttons) b.tabIndex = b === button ? 0 : -1;
    if (this.scrolledTo === index || !this.open || inside || this.hovering) return;
    const wait = this.readingUntil - Date.now();
    if (wait > 0) {
      // Once the viewer has stopped reading, the list catches up (also while paused: no timeupdate then).
      const view = doc.defaultView ?? globalThis;
      view.clearTimeout(this.followTimer);
      this.followTimer = view.setTimeout(() => this.follow(), wait + 50);
      return;
    }
    this.scrolledTo = index;
    const box = this.body.getBoundingClientRect();
    const r = button.getBoundingClientRect();
    if (r.top >= box.top && r.bottom <= box.bottom) return;
    // The list's own scroll only: the page does not move.
    this.body.scrollTop += r.top - box.top - (this.body.clientHeight - r.height) / 2;
  }

  private onKey(event: KeyboardEvent): void {
    const at = this.buttons.indexOf(event.target as HTMLButtonElement);
    if (at < 0) return;
    const next = event.key === 'ArrowDown' ? at + 1 : event.key === 'ArrowUp' ? at - 1 : event.key === 'Home' ? 0 : event.key === 'End' ? this.buttons.length - 1 : -2;
    if (next === -2) return;
    event.preventDefault();
    const target = this.buttons[Math.max(0, Math.min(this.buttons.length - 1, next))]!;
    for (const b of this.buttons) b.tabIndex = b === target ? 0 : -1;
    target.focus();
  }

  private onSearchInput(): void {
    const view = this.body.ownerDocument.defaultView ?? globalThis;
    view.clearTimeout(this.searchTimer);
    view.clearTimeout(this.announceTimer);
    this.searchTimer = view.setTimeout(() => this.runSearch(), 200);
    // The live region speaks once typing has settled, and only the count.
    this.announceTimer = view.setTimeout(() => this.announce(), 1_000);
  }

  /** Runs the search now (the input's value). */
  runSearch(): void {
    const query = this.search.value;
    this.hits = searchCues(this.data.cues, query);
    const doc = this.body.ownerDocument;
    this.hitList.textContent = '';
    for (const hit of this.hits) {
      const li = doc.createElement('li');
      li.appendChild(this.cueButton(hit.start, hit.text, query));
      this.hitList.appendChild(li);
    }
    this.hitList.hidden = this.hits.length === 0;
    this.marks?.set(
      'hit',
      this.hits.map((h) => ({ time: h.start, title: h.text })),
    );
  }

  private announce(): void {
    const query = this.search.value.trim();
    this.status.textContent = query === '' ? '' : this.hits.length === 0 ? this.o.labels.transcriptNoHits : this.o.labels.transcriptHits.split('{count}').join(String(this.hits.length));
  }

  dispose(): void {
    const view = this.body.ownerDocument.defaultView ?? globalThis;
    view.clearTimeout(this.searchTimer);
    view.clearTimeout(this.announceTimer);
    view.clearTimeout(this.followTimer);
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.marks?.set('hit', []);
    this.el.remove();
  }
}

export interface TranscriptHost extends TranscriptOptions {
  /** The master playlist. */
  src: string;
  fetchText(url: string): Promise<string>;
  /** The progress bar's track (positioned), where the marks go; undefined draws none. */
  progressTrack(): HTMLElement | undefined;
  /** Shows the engine's transcript button (it calls `toggle`); returns what tells it the panel is open. */
  showTranscriptButton(toggle: () => void, panelId: string): (open: boolean) => void;
  /** Shows the engine's chapter menu. */
  showChapters(chapters: Chapter[]): void;
  /**
   * The captions from the cues just read, where the engine shows none of its own (video.js on the
   * browser's own HLS). Not given: the engine draws the master's subtitles itself.
   */
  showCaptions?(cues: Cue[], rendition: SubtitlesRendition | undefined): void;
}

/**
 * The transcript and the chapters of one player: loaded on `start()` (the engines call it on the
 * first play), then the panel and its button when there are cues, the chapter menu and the marks
 * when there are chapters — and nothing at all when the lecture has neither.
 */
export class TranscriptFeature {
  panel: TranscriptPanel | undefined;
  data: TranscriptData | undefined;
  private marks: ProgressMarks | undefined;
  private started: Promise<void> | undefined;
  private disposed = false;
  private readonly cleanups: (() => void)[] = [];

  constructor(private readonly host: TranscriptHost) {}

  start(): Promise<void> {
    this.started ??= this.load();
    return this.started;
  }

  private async load(): Promise<void> {
    const host = this.host;
    const data = await loadTranscript(host.src, (url) => host.fetchText(url)).catch(() => undefined);
    if (!data || this.disposed) return;
    this.data = data;
    if (data.cues.length === 0 && data.chapters.length === 0) return;
    const track = host.progressTrack();
    if (track) {
      const marks = (this.marks = new ProgressMarks(track, host.duration, (seconds) => host.seek(seconds)));
      marks.set('chapter', data.chapters.map((c) => ({ time: c.start, title: c.title })));
      const render = () => marks.render();
      for (const type of ['durationchange', 'loadedmetadata']) {
        host.media.addEventListener(type, render);
        this.cleanups.push(() => host.media.removeEventListener(type, render));
      }
    }
    if (data.chapters.length > 0) host.showChapters(data.chapters);
    if (data.cues.length > 0) {
      host.showCaptions?.(data.cues, data.rendition);
      const panel = (this.panel = new TranscriptPanel(host, data, this.marks));
      const pressed = host.showTranscriptButton(() => {
        panel.setOpen(!panel.open);
        pressed(panel.open);
      }, panel.id);
      pressed(false);
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.panel?.dispose();
    this.marks?.dispose();
  }
}
