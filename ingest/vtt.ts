/**
 * WebVTT given by hand (`ingest captions <id> --vtt`, `ingest chapters <id> --vtt`): parsed and
 * checked before anything is published, with an error that names the line. Pure.
 */
import { type Cue, cuesToVtt, vttTime } from './asr.ts';
import { IngestError } from './errors.ts';

const TIME = /^(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})$/;
/** WebVTT's own cue tags (class, italics, bold, underline, ruby, voice, language) and timestamps. */
const CUE_TAG = /^<(\/?(?:c|i|b|u|ruby|rt|v|lang)(?:\.[\w-]+)*(?:[ \t][^<>]*)?|\d{2,}:\d{2}:\d{2}\.\d{3}|\d{2}:\d{2}\.\d{3})>/;
const ENTITY = /^&(?:amp|lt|gt|nbsp|lrm|rlm|#\d{1,7}|#x[0-9a-fA-F]{1,6});/;

export interface ParsedVtt {
  cues: Cue[];
}

export function parseTime(value: string): number | null {
  const m = TIME.exec(value);
  if (!m) return null;
  return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4]) / 1000;
}

/**
 * Cue text kept as WebVTT text: its own tags and entities stay, anything else that looks like
 * markup (`<script>`, `<img …>`, a stray `&`) is escaped, so it shows as the characters typed.
 */
export function sanitizeCueText(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; ) {
    const rest = text.slice(i);
    const tag = text[i] === '<' ? CUE_TAG.exec(rest) : text[i] === '&' ? ENTITY.exec(rest) : null;
    if (tag) {
      out += tag[0];
      i += tag[0].length;
      continue;
    }
    const c = text[i]!;
    out += c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c;
    i++;
  }
  return out;
}

/**
 * Parses a WebVTT file and checks it against the recording: the header, every timing line, cues
 * in order with start < end, none running past `durationSeconds` (half a second of slack).
 */
export function parseVtt(input: string, options: { name: string; durationSeconds: number | null }): ParsedVtt {
  const lines = input.replace(/^\ufeff/, '').replace(/\r\n?/g, '\n').split('\n');
  const fail = (line: number, message: string): never => {
    throw new IngestError('bad_vtt', `${options.name} line ${line}: ${message}`, { fatal: true });
  };
  if (!/^WEBVTT(?:[ \t].*)?$/.test(lines[0] ?? '')) fail(1, 'a WebVTT file starts with "WEBVTT"');
  const cues: Cue[] = [];
  let i = 1;
  // Header lines up to the first blank line.
  while (i < lines.length && lines[i]!.trim() !== '') i++;
  while (i < lines.length) {
    if (lines[i]!.trim() === '') {
      i++;
      continue;
    }
    const blockStart = i;
    if (/^(NOTE|STYLE|REGION)(?:[ \t]|$)/.test(lines[i]!)) {
      while (i < lines.length && lines[i]!.trim() !== '') i++;
      continue;
    }
    // An optional identifier, then the timing line.
    if (!lines[i]!.includes('-->')) i++;
    const timing = lines[i];
    if (timing === undefined || !timing.includes('-->')) fail(blockStart + 1, `expected a cue timing line ("00:00:01.000 --> 00:00:04.000"), found ${JSON.stringify((lines[blockStart] ?? '').slice(0, 60))}`);
    const m = /^(\S+)[ \t]+-->[ \t]+(\S+)(?:[ \t].*)?$/.exec(timing!);
    const start = m ? parseTime(m[1]!) : null;
    const end = m ? parseTime(m[2]!) : null;
    const line = i + 1;
    if (start === null || end === null) fail(line, `not a cue timing line: ${JSON.stringify(timing!.slice(0, 60))} (times are [hh:]mm:ss.ttt)`);
    if (end! <= start!) fail(line, `the cue ends (${m![2]}) before it starts (${m![1]})`);
    if (cues.length > 0 && start! < cues[cues.length - 1]!.start) fail(line, `the cue starts (${m![1]}) before the cue above it`);
    if (options.durationSeconds !== null && end! > options.durationSeconds + 0.5) {
      fail(line, `the cue ends at ${m![2]}, after the end of the recording (${vttTime(options.durationSeconds)})`);
    }
    i++;
    const text: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== '') {
      if (lines[i]!.includes('-->')) fail(i + 1, 'a cue timing line inside a cue\'s text (is a blank line missing?)');
      text.push(lines[i]!);
      i++;
    }
    cues.push({ start: start!, end: end!, text: sanitizeCueText(text.join('\n')) });
  }
  return { cues };
}

/** The checked file, written again: sanitised text, no NOTE/STYLE blocks, cue settings dropped. */
export function normalizeVtt(parsed: ParsedVtt, kind: 'captions' | 'chapters' = 'captions'): string {
  // The text is sanitised already; cuesToVtt would escape its tags and entities a second time.
  const body = parsed.cues.map((c, i) => `${kind === 'chapters' ? `chapter-${i + 1}\n` : ''}${vttTime(c.start)} --> ${vttTime(c.end)}\n${c.text.split('\n').filter((l) => l.trim()).join('\n') || ' '}`);
  return ['WEBVTT', '', ...body.flatMap((b) => [b, ''])].join('\n');
}

export { cuesToVtt };
