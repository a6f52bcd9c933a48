/**
 * The transcript's rules, pure and engine-free: WebVTT cues as plain text, the playlists that lead
 * to them (the master's `EXT-X-MEDIA TYPE=SUBTITLES` rendition and its
 * `EXT-X-SESSION-DATA:DATA-ID="com.apple.hls.chapters"`), which cue is current, word search, the
 * chapters interleaved with the cues, and a page URL's time fragment (`#t=754`).
 *
 * Cue text stays text: WebVTT's own tags (`<v Name>`, `<c.x>`, `<i>`, `<b>`, `<u>`, `<ruby>`, `<rt>`,
 * `<lang>`, timestamps) are taken off, character references are decoded, and anything else —
 * `<script>`, `<img …>` — stays in the text as written. The DOM gets it as `textContent` only.
 */

export interface Cue {
  /** Seconds on the media's timeline. */
  start: number;
  end: number;
  text: string;
}

export interface Chapter {
  start: number;
  end: number;
  title: string;
}

const TIMING = /^\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s+-->\s+((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})/;

/** `01:02:03.456` or `02:03.456` → seconds; NaN when it is not a WebVTT timestamp. */
export function vttSeconds(stamp: string): number {
  const m = /^(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})$/.exec(stamp.trim());
  if (!m) return Number.NaN;
  return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4]!.padEnd(3, '0')) / 1000;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', lrm: '\u200e', rlm: '\u200f' };
/** WebVTT's cue tags; any other tag is not markup to us and stays as text. */
const VTT_TAG = /<\/?(?:c|i|b|u|v|lang|ruby|rt)(?:[.\s][^<>]*)?>|<\d+(?::\d{2}){1,2}\.\d{3}>/g;

/** A cue's payload as the words a viewer reads: WebVTT tags off, references decoded, lines joined. */
export function cueText(payload: string): string {
  return payload
    .replace(VTT_TAG, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
      if (name[0] === '#') {
        const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      }
      return ENTITIES[name.toLowerCase()] ?? whole;
    })
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' ');
}

/**
 * The cues of one WebVTT file (or of one HLS subtitle segment), on the media's timeline. An
 * `X-TIMESTAMP-MAP=MPEGTS:…,LOCAL:…` header maps LOCAL to the media's first timestamp, which both
 * engines show as 0 (ingest writes LOCAL 0), so cue times are taken less LOCAL. Blocks that are not
 * cues (NOTE, STYLE, REGION) and cues without text are skipped.
 */
export function parseVtt(text: string): Cue[] {
  const lines = text.replace(/^\ufeff/, '').replace(/\r\n?/g, '\n').split('\n');
  if (!/^WEBVTT(?:[ \t]|$)/.test(lines[0] ?? '')) return [];
  let local = 0;
  const map = lines.slice(0, 8).find((l) => l.startsWith('X-TIMESTAMP-MAP='));
  const localStamp = map && /LOCAL:((?:\d+:)?\d{1,2}:\d{2}\.\d{1,3})/.exec(map)?.[1];
  if (localStamp && Number.isFinite(vttSeconds(localStamp))) local = vttSeconds(localStamp);
  const cues: Cue[] = [];
  for (let i = 1; i < lines.length; i += 1) {
    const timing = TIMING.exec(lines[i]!);
    if (!timing) continue;
    const payload: string[] = [];
    let j = i + 1;
    for (; j < lines.length && lines[j]!.trim() !== '' && !TIMING.test(lines[j]!); j += 1) payload.push(lines[j]!);
    i = j - 1;
    const start = vttSeconds(timing[1]!) - local;
    const end = vttSeconds(timing[2]!) - local;
    const words = cueText(payload.join('\n'));
    if (Number.isFinite(start) && Number.isFinite(end) && words) cues.push({ start: Math.max(0, start), end: Math.max(start, end), text: words });
  }
  return cues;
}

/** Cues of several segments as one list, sorted, the repeats a segment boundary causes removed. */
export function mergeCues(lists: Cue[][]): Cue[] {
  const all = lists.flat().sort((a, b) => a.start - b.start || a.end - b.end);
  return all.filter((cue, i) => {
    const prev = all[i - 1];
    return !prev || prev.start !== cue.start || prev.text !== cue.text;
  });
}

/** Index of the cue playing at `time`: the last cue started by then, while it lasts; -1 between cues. */
export function cueIndexAt(cues: readonly { start: number; end: number }[], time: number): number {
  let lo = 0;
  let hi = cues.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cues[mid]!.start <= time) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  // Overlapping cues: an earlier cue may still run when the last started one has ended.
  for (let i = found; i >= 0 && i > found - 4; i -= 1) if (time < cues[i]!.end) return i;
  return -1;
}

/** Lower case, accents off, runs of space as one: what the search compares. */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

export interface Hit {
  /** Index of the cue in the list searched. */
  index: number;
  start: number;
  text: string;
}

/** The cues that contain every word of `query` (case and accents ignored), in order. Pure. */
export function searchCues(cues: readonly Cue[], query: string, limit = 200): Hit[] {
  const words = fold(query).split(' ').filter(Boolean);
  if (words.length === 0) return [];
  const hits: Hit[] = [];
  for (let i = 0; i < cues.length && hits.length < limit; i += 1) {
    const text = fold(cues[i]!.text);
    if (words.every((w) => text.includes(w))) hits.push({ index: i, start: cues[i]!.start, text: cues[i]!.text });
  }
  return hits;
}

/** WebVTT chapters (`chapters.vtt`: each cue a chapter, its text the title). */
export function parseChapters(text: string): Chapter[] {
  return parseVtt(text)
    .sort((a, b) => a.start - b.start)
    .map((cue) => ({ start: cue.start, end: cue.end, title: cue.text }));
}

export type TranscriptRow = { kind: 'chapter'; chapter: Chapter; index: number } | { kind: 'cue'; cue: Cue; index: number };

/** The panel's rows: each chapter as a heading before the first cue that starts in it. Pure. */
export function transcriptRows(cues: readonly Cue[], chapters: readonly Chapter[]): TranscriptRow[] {
  const rows: TranscriptRow[] = [];
  let c = 0;
  cues.forEach((cue, index) => {
    while (c < chapters.length && chapters[c]!.start <= cue.start + 0.001) {
      rows.push({ kind: 'chapter', chapter: chapters[c]!, index: c });
      c += 1;
    }
    rows.push({ kind: 'cue', cue, index });
  });
  for (; c < chapters.length; c += 1) rows.push({ kind: 'chapter', chapter: chapters[c]!, index: c });
  return rows;
}

function attributes(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([A-Z0-9-]+)=("[^"]*"|[^,]*)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out[m[1]!] = m[2]!.startsWith('"') ? m[2]!.slice(1, -1) : m[2]!;
  return out;
}

function resolveUrl(uri: string, base: string): string | undefined {
  try {
    return new URL(uri, base).href;
  } catch {
    return undefined;
  }
}

/** What a master says of its subtitles rendition: enough for a player to list it as a track. */
export interface SubtitlesRendition {
  /** `NAME` ('' when the master gives none). */
  label: string;
  /** `LANGUAGE` (BCP 47), '' when the master gives none. */
  language: string;
  /** `DEFAULT=YES`: shown without the viewer asking. */
  default: boolean;
}

export interface MasterInfo {
  /** The subtitles rendition's media playlist (the DEFAULT one, else AUTOSELECT, else the first). */
  subtitles?: string;
  /** That rendition's name, language and default. */
  rendition?: SubtitlesRendition;
  /** `chapters.vtt` beside the `com.apple.hls.chapters` session data's URI. */
  chapters?: string;
}

/** What the transcript needs from a master playlist; URLs resolved against `baseUrl`. Pure. */
export function parseMaster(text: string, baseUrl: string): MasterInfo {
  const info: MasterInfo = {};
  const subs: Record<string, string>[] = [];
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#EXT-X-MEDIA:')) {
      const a = attributes(line.slice(13));
      if (a.TYPE === 'SUBTITLES' && a.URI) subs.push(a);
    } else if (line.startsWith('#EXT-X-SESSION-DATA:')) {
      const a = attributes(line.slice(20));
      if (a['DATA-ID'] === 'com.apple.hls.chapters' && a.URI && !info.chapters) {
        const json = resolveUrl(a.URI, baseUrl);
        if (json) info.chapters = resolveUrl('chapters.vtt', json);
      }
    }
  }
  const pick = subs.find((a) => a.DEFAULT === 'YES') ?? subs.find((a) => a.AUTOSELECT === 'YES') ?? subs[0];
  if (pick) {
    info.subtitles = resolveUrl(pick.URI!, baseUrl);
    info.rendition = { label: pick.NAME ?? '', language: pick.LANGUAGE ?? '', default: pick.DEFAULT === 'YES' };
  }
  return info;
}

/** The segment URLs of a media playlist, resolved against `baseUrl`. Pure. */
export function segmentUrls(text: string, baseUrl: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => resolveUrl(l, baseUrl))
    .filter((u): u is string => u !== undefined);
}

/**
 * A time in a page URL's fragment: `t=754`, `t=754.5`, `t=12:34`, `t=1:02:03`, `t=1h2m3s`,
 * `t=2m`, Media Fragments' `t=npt:754` and `t=754,800` (the start). `null` when there is none.
 * With `p=<id>` the fragment names the player it is for (`#t=754&p=lecture2`). Pure.
 */
export function parseTimeFragment(hash: string): { seconds: number; player?: string } | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const raw = params.get('t');
  if (raw === null) return null;
  const value = raw.trim().replace(/^npt:/, '').split(',')[0]!;
  let seconds = Number.NaN;
  if (/^\d+(?:\.\d+)?$/.test(value)) seconds = Number(value);
  else if (/^\d+(?::\d{1,2}){1,2}(?:\.\d+)?$/.test(value)) seconds = value.split(':').reduce((sum, part) => sum * 60 + Number(part), 0);
  else {
    const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/i.exec(value);
    if (m && (m[1] || m[2] || m[3])) seconds = Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
  }
  if (!Number.isFinite(seconds) || seconds <= 0) return null;
  const player = params.get('p');
  return player ? { seconds, player } : { seconds };
}
