/** A generated clip (testsrc2 + sine) for tests, the demo and benchmarks. */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';

export interface TestClipOptions {
  path: string;
  seconds: number;
  width: number;
  height: number;
  fps?: number;
  /** A 440 Hz tone; false makes a silent screen capture with no audio stream at all. */
  audio?: boolean;
}

export async function makeTestClip(options: TestClipOptions): Promise<void> {
  const fps = options.fps ?? 30;
  await mkdir(dirname(options.path), { recursive: true });
  const args = ['-hide_banner', '-nostdin', '-y', '-v', 'error',
    '-f', 'lavfi', '-i', `testsrc2=size=${options.width}x${options.height}:rate=${fps}:duration=${options.seconds}`];
  if (options.audio !== false) args.push('-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${options.seconds}`);
  args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '23', '-pix_fmt', 'yuv420p', '-g', String(fps * 2));
  if (options.audio !== false) args.push('-c:a', 'aac', '-b:a', '96k');
  args.push('-movflags', '+faststart', '-t', String(options.seconds), options.path);
  await execa('ffmpeg', args);
}

/**
 * A lecture-like clip, which is what schools encode: still slides (a title bar and lines of
 * "text" as boxes, a new slide every 12 s) with a small moving speaker picture (a zooming
 * Mandelbrot with camera noise) in the corner, and a tone. Encoded as a camera or Zoom would
 * deliver it (High profile with B-frames), so its decode costs what a real source's does.
 */
export async function makeLectureClip(options: Omit<TestClipOptions, 'fps' | 'audio'>): Promise<void> {
  const { width: w, height: h, seconds } = options;
  await mkdir(dirname(options.path), { recursive: true });
  const slides = Math.max(1, Math.ceil(seconds / 12));
  const boxes: string[] = [];
  for (let s = 0; s < slides; s++) {
    const on = `enable='between(t,${s * 12},${s * 12 + 12})'`;
    boxes.push(`drawbox=x=${Math.round(w * 0.06)}:y=${Math.round(h * 0.06)}:w=${Math.round(w * (0.5 + 0.05 * (s % 4)))}:h=${Math.round(h * 0.09)}:color=0x1f3a93:t=fill:${on}`);
    for (let line = 0; line < 6; line++) {
      const width = Math.round(w * (0.3 + ((s * 7 + line * 13) % 40) / 100));
      boxes.push(`drawbox=x=${Math.round(w * 0.08)}:y=${Math.round(h * (0.24 + line * 0.1))}:w=${width}:h=${Math.round(h * 0.035)}:color=0x333333:t=fill:${on}`);
    }
  }
  const sw = Math.round(w / 5 / 2) * 2;
  const sh = Math.round((sw * 3) / 4 / 2) * 2;
  const graph = [
    `color=c=0xf4f4f0:s=${w}x${h}:r=30:d=${seconds},${boxes.join(',')}[slides]`,
    `mandelbrot=s=${sw}x${sh}:r=30,trim=duration=${seconds},noise=alls=10:allf=t,format=yuv420p[speaker]`,
    `[slides][speaker]overlay=x=W-w-${Math.round(w * 0.03)}:y=H-h-${Math.round(h * 0.04)}:shortest=1,format=yuv420p[v]`,
  ].join(';');
  await execa('ffmpeg', [
    '-hide_banner', '-nostdin', '-y', '-v', 'error',
    '-filter_complex', graph,
    '-f', 'lavfi', '-i', `sine=frequency=220:sample_rate=48000:duration=${seconds}`,
    '-map', '[v]', '-map', '0:a',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-profile:v', 'high', '-pix_fmt', 'yuv420p', '-g', '60',
    '-c:a', 'aac', '-b:a', '96k', '-movflags', '+faststart', '-t', String(seconds), options.path,
  ]);
}

/** Where tests keep the spoken clip (made once, reused by every test file and run). */
export const TEST_CLIP_CACHE = join(tmpdir(), 'hlsgate-test-clips');

/** What the spoken clip says, slide by slide (the reference for word error rates and searches). */
export const SPOKEN_SLIDES = [
  'Welcome to the lecture on linear algebra. Today we talk about vectors and matrices. A matrix times a vector gives another vector. We will see why this matters.',
  'The second part is about eigenvalues. An eigenvector keeps its direction when the matrix acts on it. Only its length changes, by a number we call the eigenvalue.',
  'In the last part we solve a small example together. Write down the matrix, find the numbers, and check the answer. That is all for today. Thank you for listening.',
] as const;
/** Each slide shows for this long, and its speech starts with it: changes at 20 s and 40 s. */
export const SPOKEN_SLIDE_SECONDS = 20;
const SLIDE_COLOURS = ['0x1f3a93', '0xf4d03f', '0x1e8449'];

/**
 * A 60-s lecture with speech: three slides of distinct colours and layouts (changes at 20 s and
 * 40 s), each with espeak-ng reading its part of `SPOKEN_SLIDES` from the moment it shows (the
 * `en-us+klatt` voice at 160 words/min, which pocketsphinx recognises best of espeak's voices).
 * Cached under `cacheDir` by what makes it, so one test run makes it once.
 */
export async function makeSpokenClip(options: { cacheDir: string; width?: number; height?: number }): Promise<string> {
  const w = options.width ?? 640;
  const h = options.height ?? 360;
  const key = createHash('sha256').update(JSON.stringify({ SPOKEN_SLIDES, SPOKEN_SLIDE_SECONDS, SLIDE_COLOURS, w, h, v: 1 })).digest('hex').slice(0, 16);
  const path = join(options.cacheDir, `spoken-${key}.mp4`);
  if (existsSync(path)) return path;
  await mkdir(options.cacheDir, { recursive: true });
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const wavs = SPOKEN_SLIDES.map((_, i) => `${tmp}-${i}.wav`);
  try {
    for (const [i, text] of SPOKEN_SLIDES.entries()) await execa('espeak-ng', ['-v', 'en-us+klatt', '-s', '160', '-w', wavs[i]!, text]);
    const n = SPOKEN_SLIDES.length;
    const seconds = n * SPOKEN_SLIDE_SECONDS;
    const boxes = SLIDE_COLOURS.map((colour, s) => {
      const on = `enable='between(t,${s * SPOKEN_SLIDE_SECONDS},${(s + 1) * SPOKEN_SLIDE_SECONDS - 0.001})'`;
      return [
        `drawbox=x=0:y=0:w=${w}:h=${h}:color=${colour}:t=fill:${on}`,
        `drawbox=x=${Math.round(w * (0.06 + 0.1 * s))}:y=${Math.round(h * 0.08)}:w=${Math.round(w * 0.5)}:h=${Math.round(h * 0.12)}:color=white:t=fill:${on}`,
        ...[0, 1, 2, 3].map((line) => `drawbox=x=${Math.round(w * 0.08)}:y=${Math.round(h * (0.3 + line * 0.14 + 0.03 * s))}:w=${Math.round(w * (0.3 + ((s * 7 + line * 13) % 40) / 100))}:h=${Math.round(h * 0.05)}:color=0xeeeeee:t=fill:${on}`),
      ].join(',');
    });
    const audio = wavs.map((_, i) => `[${i}:a]aresample=48000,apad=whole_dur=${SPOKEN_SLIDE_SECONDS}[a${i}]`).join(';');
    const graph = [
      `color=c=black:s=${w}x${h}:r=25:d=${seconds},${boxes.join(',')},format=yuv420p[v]`,
      audio,
      `${wavs.map((_, i) => `[a${i}]`).join('')}concat=n=${n}:v=0:a=1[a]`,
    ].join(';');
    await execa('ffmpeg', [
      '-hide_banner', '-nostdin', '-y', '-v', 'error',
      ...wavs.flatMap((wav) => ['-i', wav]),
      '-filter_complex', graph, '-map', '[v]', '-map', '[a]',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '23', '-pix_fmt', 'yuv420p', '-g', '50',
      '-c:a', 'aac', '-b:a', '96k', '-ac', '2', '-movflags', '+faststart', '-t', String(seconds), '-f', 'mp4', tmp,
    ]);
    await rename(tmp, path);
    return path;
  } finally {
    await Promise.all([tmp, ...wavs].map((f) => rm(f, { force: true })));
  }
}

/**
 * Words of the spoken clip, one or more per slide, that pocketsphinx (the engine, and the
 * Transcribe stand-in's words) recognises: the caption-sync checks look for them.
 */
export const SPOKEN_SYNC_WORDS = ['linear', 'matrix', 'direction', 'example', 'numbers'] as const;

/** Where a word of `SPOKEN_SLIDES` is said in the spoken clip, in seconds of the clip. */
export interface SpokenWordTime {
  word: string;
  slide: number;
  start: number;
  end: number;
}

/** The last (or first) sample of a 16-bit mono WAV louder than a whisper, in seconds. */
function voiced(wav: Buffer, which: 'first' | 'last'): number {
  const data = wav.indexOf('data');
  if (data < 0) throw new Error('not a WAV file');
  const rate = wav.readUInt32LE(24);
  const from = data + 8;
  const count = Math.floor((wav.length - from) / 2);
  const loud = (i: number) => Math.abs(wav.readInt16LE(from + i * 2)) > 300;
  if (which === 'first') {
    for (let i = 0; i < count; i++) if (loud(i)) return i / rate;
  } else {
    for (let i = count - 1; i >= 0; i--) if (loud(i)) return (i + 1) / rate;
  }
  return 0;
}

/**
 * When the spoken clip says `word` (its `occurrence`-th appearance in `SPOKEN_SLIDES`, counting
 * from 0): the truth for caption-sync and search tests, from espeak-ng itself, never from a
 * recogniser. espeak-ng reads a slide's text at a fixed rate, so the prefix of that text up to and
 * including the word, synthesised alone with the same voice, ends (its last voiced sample) where
 * the word ends in the whole reading, and the prefix before it ends where the word starts. The
 * prefix's last word is read a little longer (clause-final lengthening), so a start can be late by
 * about a tenth of a second; the tests allow a second. The slide's speech starts with its slide.
 */
export async function spokenWordTime(word: string, occurrence = 0): Promise<SpokenWordTime> {
  const wanted = word.toLowerCase();
  let seen = 0;
  for (const [slide, text] of SPOKEN_SLIDES.entries()) {
    const words = text.split(/\s+/);
    for (let i = 0; i < words.length; i++) {
      if (words[i]!.toLowerCase().replace(/[^a-z']/g, '') !== wanted) continue;
      if (seen++ < occurrence) continue;
      const dir = await mkdtemp(join(tmpdir(), 'hlsgate-espeak-'));
      try {
        const say = async (prefix: string[], name: string) => {
          const wav = join(dir, name);
          await execa('espeak-ng', ['-v', 'en-us+klatt', '-s', '160', '-w', wav, prefix.join(' ')]);
          return readFile(wav);
        };
        const upTo = await say(words.slice(0, i + 1), 'to.wav');
        const start = i === 0 ? voiced(upTo, 'first') : voiced(await say(words.slice(0, i), 'before.wav'), 'last');
        const base = slide * SPOKEN_SLIDE_SECONDS;
        return { word: wanted, slide, start: base + start, end: base + voiced(upTo, 'last') };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  }
  throw new Error(`the spoken clip does not say "${word}" ${occurrence + 1} times`);
}
