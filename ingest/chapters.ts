/**
 * Chapters: slide changes found by ffmpeg's scene score, merged when closer than
 * `HLSGATE_CHAPTER_MIN_SECONDS`, titled with the first words spoken in them (or "Slide N"); or
 * Zoom's, or a teacher's. Published as `chapters.vtt` (WebVTT chapters) and `chapters.json`
 * (Apple's `com.apple.hls.chapters`), named by the master's `EXT-X-SESSION-DATA`.
 */

export interface Chapter {
  /** Seconds. */
  start: number;
  end: number;
  title: string;
}

/** WebVTT cue text → the plain characters it shows (tags dropped, entities decoded). Pure. */
export function cueTextToPlain(text: string): string {
  return text
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&nbsp;/g, '\u00a0')
    .replace(/&lrm;|&rlm;/g, '')
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(Number.parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Apple's chapters JSON (HLS authoring spec, `com.apple.hls.chapters`). Pure. */
export function chaptersJson(chapters: readonly Chapter[], language = 'en'): string {
  return JSON.stringify(
    chapters.map((c, i) => ({
      chapter: i + 1,
      'start-time': Math.round(c.start * 1000) / 1000,
      duration: Math.round((c.end - c.start) * 1000) / 1000,
      titles: [{ language, title: c.title }],
    })),
    null,
    2,
  ) + '\n';
}

/** The times (s) of the frames ffmpeg's `metadata=print` wrote (one `frame:… pts_time:…` line each). Pure. */
export function parseSceneFile(text: string): number[] {
  return [...text.matchAll(/pts_time:(-?\d+(?:\.\d+)?)/g)].map((m) => Number(m[1])).filter((t) => Number.isFinite(t) && t >= 0).sort((a, b) => a - b);
}

/**
 * Slide changes → chapters: the first starts at 0; a change less than `minSeconds` after the
 * start of the chapter before is merged into it (a slide flicked past, an animation). Titled
 * "Slide N" until words are known. Fewer than two chapters: none. Pure.
 */
export function slideChapters(changes: readonly number[], durationSeconds: number, minSeconds: number): Chapter[] {
  const starts = [0];
  for (const t of changes) if (t - starts[starts.length - 1]! >= minSeconds && t < durationSeconds - 1) starts.push(t);
  if (starts.length < 2) return [];
  return starts.map((start, i) => ({ start, end: starts[i + 1] ?? durationSeconds, title: `Slide ${i + 1}` }));
}

/** Titles each chapter with the first words spoken in it (up to `maxWords`); a chapter without words keeps its title. Pure. */
export function titleChapters(chapters: readonly Chapter[], words: ReadonlyArray<{ text: string; start: number }>, maxWords = 6): Chapter[] {
  return chapters.map((c) => {
    const spoken = words.filter((w) => w.start >= c.start - 0.25 && w.start < c.end - 0.25).slice(0, maxWords).map((w) => w.text);
    if (spoken.length === 0) return c;
    const text = spoken.join(' ');
    return { ...c, title: `${text.charAt(0).toUpperCase()}${text.slice(1)}…` };
  });
}

/** Apple's chapters JSON back to chapters (what ingest wrote). Pure. */
export function parseChaptersJson(text: string): Chapter[] {
  const items = JSON.parse(text) as Array<{ 'start-time': number; duration: number; titles?: Array<{ title: string }> }>;
  return items.map((c, i) => ({ start: c['start-time'], end: c['start-time'] + c.duration, title: c.titles?.[0]?.title ?? `Chapter ${i + 1}` }));
}
