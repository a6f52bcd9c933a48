/**
 * Speech recognition behind one interface (`HLSGATE_ASR` = transcribe | whisper | pocketsphinx |
 * none): an engine turns the lecture's audio (16 kHz mono FLAC) into timed words with confidences;
 * this module turns those into WebVTT cues. Everything here but `extractAudio` is pure.
 */
import { execa } from 'execa';
import { IngestError, tailLines } from './errors.ts';

export const ASR_ENGINES = ['transcribe', 'whisper', 'pocketsphinx', 'none'] as const;
export type AsrEngineName = (typeof ASR_ENGINES)[number];

export interface RecognizedWord {
  text: string;
  /** Seconds from the start of the recording. */
  start: number;
  end: number;
  /** 0..1 as the engine reports it; null when the engine reports none (whisper's binding). */
  confidence: number | null;
}

export interface Recognition {
  /** What the engine says it recognised (BCP 47 primary tag, e.g. `en`). */
  language: string;
  words: RecognizedWord[];
}

export interface RecognizeOptions {
  /** 16 kHz mono FLAC of the whole recording. */
  audio: string;
  /** The language asked for (BCP 47, e.g. `en`, `en-US`), or `auto` where the engine can identify it. */
  language: string;
  /** A scratch folder of this attempt. */
  workDir: string;
  /** The same audio staged on S3 (`incoming/<id>/audio.flac`): what a cloud engine reads. */
  staged?: { bucket: string; key: string };
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface AsrEngine {
  readonly name: Exclude<AsrEngineName, 'none'>;
  recognize(options: RecognizeOptions): Promise<Recognition>;
}

/** The primary subtag, lower case: `en-US` → `en`. */
export function primaryLanguage(tag: string): string {
  return tag.split(/[-_]/)[0]!.toLowerCase();
}

/**
 * Checks what an engine returned: words there, and in the language asked for. Throws the
 * recording's captions status (fatal: retrying the same engine on the same audio gives the same).
 */
/** Above this share of all the words, the commonest word means no speech (music, a tone); checked from this many words on. */
export const MAX_TOP_WORD_SHARE = 0.35;
export const REPETITION_MIN_WORDS = 12;

export function checkRecognition(result: Recognition, asked: string, engine: string, density?: { durationSeconds: number | null; minWordsPerMinute: number }): Recognition {
  if (result.words.length === 0) {
    throw new IngestError('asr_empty', `${engine} recognised no speech (a silent or music-only recording?)`, { fatal: true });
  }
  // The same word or two over and over is an engine hearing music or a tone as words ("if if fifth
  // if"), not speech: in English speech the commonest word ("the") is about 6 % of the words.
  if (density && density.minWordsPerMinute > 0 && result.words.length >= REPETITION_MIN_WORDS) {
    const counts = new Map<string, number>();
    for (const w of result.words) counts.set(w.text.toLowerCase(), (counts.get(w.text.toLowerCase()) ?? 0) + 1);
    const [top, n] = [...counts].reduce((a, b) => (b[1] > a[1] ? b : a));
    if (n / result.words.length > MAX_TOP_WORD_SHARE) {
      throw new IngestError(
        'asr_empty',
        `${engine} recognised no speech: "${top}" is ${Math.round((n / result.words.length) * 100)} % of its ${result.words.length} words (music or a tone heard as words?)`,
        { fatal: true },
      );
    }
  }
  // A few stray words in a long recording are noise or music, not speech (HLSGATE_ASR_MIN_WORDS_PER_MINUTE).
  const minutes = (density?.durationSeconds ?? 0) / 60;
  if (density && density.minWordsPerMinute > 0 && minutes > 0 && result.words.length / minutes < density.minWordsPerMinute) {
    const rate = (result.words.length / minutes).toFixed(1);
    throw new IngestError(
      'asr_empty',
      `${engine} recognised no speech: ${result.words.length} words in ${minutes.toFixed(1)} minutes (${rate} a minute, under HLSGATE_ASR_MIN_WORDS_PER_MINUTE=${density.minWordsPerMinute}; a silent or music-only recording?)`,
      { fatal: true },
    );
  }
  if (asked !== 'auto' && primaryLanguage(result.language) !== primaryLanguage(asked)) {
    throw new IngestError('asr_wrong_language', `${engine} recognised ${result.language}, not the ${asked} asked for (HLSGATE_ASR_LANGUAGE)`, { fatal: true });
  }
  return result;
}

/** The mean of the words' confidences; null when the engine reports none for some word. */
export function meanConfidence(words: readonly RecognizedWord[]): number | null {
  if (words.length === 0) return 0;
  let sum = 0;
  for (const w of words) {
    if (w.confidence === null) return null;
    sum += w.confidence;
  }
  return sum / words.length;
}

export interface Cue {
  start: number;
  end: number;
  text: string;
}

export interface CueOptions {
  /** Characters per line (default 42, the usual broadcast limit). */
  maxLineChars?: number;
  /** Lines per cue (default 2). */
  maxLines?: number;
  /** Longest cue, seconds (default 7). */
  maxSeconds?: number;
  /** A silence at least this long starts a new cue (default 1.0 s). */
  pauseSeconds?: number;
}

/** Splits `text` into lines of at most `max` characters at spaces (a longer word gets a line of its own). */
export function wrapLines(words: readonly string[], max: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && line.length + 1 + word.length > max) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * Timed words → caption cues: a cue ends at a pause, after a sentence's last word once it holds
 * something, when it would need more than `maxLines` lines, or when it would last too long.
 */
export function wordsToCues(words: readonly RecognizedWord[], options: CueOptions = {}): Cue[] {
  const maxLineChars = options.maxLineChars ?? 42;
  const maxLines = options.maxLines ?? 2;
  const maxSeconds = options.maxSeconds ?? 7;
  const pause = options.pauseSeconds ?? 1.0;
  const cues: Cue[] = [];
  let current: RecognizedWord[] = [];
  const flush = () => {
    if (current.length === 0) return;
    cues.push({
      start: current[0]!.start,
      end: Math.max(current[current.length - 1]!.end, current[0]!.start + 0.001),
      text: wrapLines(current.map((w) => w.text), maxLineChars).join('\n'),
    });
    current = [];
  };
  for (const word of words) {
    if (!word.text.trim()) continue;
    if (current.length > 0) {
      const last = current[current.length - 1]!;
      const lines = wrapLines([...current, word].map((w) => w.text), maxLineChars).length;
      if (word.start - last.end >= pause || lines > maxLines || word.end - current[0]!.start > maxSeconds) flush();
    }
    current.push(word);
    if (/[.?!]$/.test(word.text) && current.length >= 4) flush();
  }
  flush();
  return cues;
}

/** `HH:MM:SS.mmm` */
export function vttTime(seconds: number): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

/** Cue text as WebVTT text: `&`, `<` and `>` escaped, so markup in a transcript stays text. */
export function escapeCueText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function cuesToVtt(cues: readonly Cue[], options: { kind?: 'captions' | 'chapters' } = {}): string {
  const body = cues.map((c, i) => {
    // A blank line would end the cue early; "-->" is escaped by the ">" rule.
    const text = escapeCueText(c.text).split('\n').map((l) => l.trim()).filter(Boolean).join('\n') || ' ';
    const id = options.kind === 'chapters' ? `chapter-${i + 1}\n` : '';
    return `${id}${vttTime(c.start)} --> ${vttTime(c.end)}\n${text}`;
  });
  return ['WEBVTT', '', ...body.flatMap((b) => [b, ''])].join('\n');
}

/** Words of a text for word error rate: lower case, punctuation gone. */
export function normalizeWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}'\s]/gu, ' ')
    .split(/\s+/)
    .filter(Boolean);
}

/** Word error rate: (substitutions + deletions + insertions) / words of the reference. */
export function wordErrorRate(reference: string, hypothesis: string): number {
  const ref = normalizeWords(reference);
  const hyp = normalizeWords(hypothesis);
  if (ref.length === 0) return hyp.length === 0 ? 0 : 1;
  let prev = Array.from({ length: hyp.length + 1 }, (_, j) => j);
  for (let i = 1; i <= ref.length; i++) {
    const row = [i];
    for (let j = 1; j <= hyp.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (ref[i - 1] === hyp[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[hyp.length]! / ref.length;
}

/**
 * The recording's audio as 16 kHz mono FLAC (what every engine takes; ~30 MB per hour of
 * speech), streamed by ffmpeg in bounded memory. Null when the source has no audio stream.
 */
export async function extractAudio(source: string, output: string, signal?: AbortSignal): Promise<void> {
  const result = await execa('ffmpeg', ['-hide_banner', '-nostdin', '-y', '-v', 'error', '-i', source, '-map', '0:a:0', '-vn', '-ac', '1', '-ar', '16000', '-c:a', 'flac', output], {
    reject: false,
    ...(signal ? { cancelSignal: signal } : {}),
  });
  if (result.isCanceled) throw new IngestError('aborted', 'audio extraction cancelled');
  if (result.failed) throw new IngestError('asr_failed', `cannot extract the audio for speech recognition (exit ${result.exitCode})`, { stderrTail: tailLines(String(result.stderr)) });
}
