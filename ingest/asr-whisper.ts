/**
 * `HLSGATE_ASR=whisper`: whisper.cpp, in-house, with the model file the admin provides
 * (`HLSGATE_ASR_MODEL`, a whisper.cpp ggml model such as ggml-base.en.bin).
 *
 * The binding is whisper.cpp's prebuilt N-API addon from @fugood/whisper.node, taken as its CPU
 * platform packages alone (`@fugood/node-whisper-linux-x64` / `-linux-arm64`, optional
 * dependencies that npm installs only on the matching machine): no compiler at install and no
 * CUDA or Vulkan builds (the wrapper package would pull in 250 MB of them on every linux x64
 * install). It runs in a process of its own (asr-whisper-child.mjs): a corrupt model makes ggml
 * abort() its process, and the time limit kills it. The audio is streamed to it as 16 kHz PCM
 * and transcribed in chunks (`chunkSeconds`, default 10 min), so memory stays bounded.
 *
 * The binding reports segment times but no token probabilities, so whisper's words carry no
 * confidence (`null`); the quality gate then offers them automatically only with
 * HLSGATE_ASR_MIN_CONFIDENCE=0. With a multilingual model the language is what whisper
 * identifies, so a recording in another language than asked is caught; an `.en` model (read from
 * the model's header) is run in English and always says `en`.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { AsrEngine, Recognition, RecognizeOptions, RecognizedWord } from './asr.ts';
import { primaryLanguage } from './asr.ts';
import { IngestError, tailLines } from './errors.ts';

/** whisper.cpp's model files start with 0x67676d6c ("ggml") as a little-endian uint32. */
export const GGML_MAGIC = Buffer.from([0x6c, 0x6d, 0x67, 0x67]);
const CHILD = fileURLToPath(new URL('./asr-whisper-child.mjs', import.meta.url));

/** The binding's package for this machine (an optional dependency, so possibly not installed). */
export function whisperBindingPackage(platform: string = process.platform, arch: string = process.arch): string {
  return `@fugood/node-whisper-${platform}-${arch}`;
}

/** Whether the binding is installed here (it is loaded only in the engine's own process). */
export function whisperBindingInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve(whisperBindingPackage());
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a whisper.cpp model is multilingual, from its header (magic, then `n_vocab` as int32 LE:
 * 51864 for the `.en` models, 51865 or more for the multilingual ones), or null when unreadable.
 */
export function whisperModelMultilingual(path: string): boolean | null {
  try {
    const fd = openSync(path, 'r');
    try {
      const head = Buffer.alloc(8);
      if (readSync(fd, head, 0, 8, 0) < 8 || !head.subarray(0, 4).equals(GGML_MAGIC)) return null;
      return head.readInt32LE(4) >= 51865;
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}

/** What is wrong with `HLSGATE_ASR_MODEL` as a whisper model, or null. Reads its first 4 bytes. */
export function whisperModelProblem(path: string): string | null {
  let fd: number;
  try {
    if (!statSync(path).isFile()) return `HLSGATE_ASR_MODEL: ${path} is not a file (HLSGATE_ASR=whisper needs a whisper.cpp ggml model file)`;
    fd = openSync(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? `HLSGATE_ASR_MODEL: ${path} does not exist (HLSGATE_ASR=whisper needs a whisper.cpp ggml model file, e.g. ggml-base.en.bin)`
      : `HLSGATE_ASR_MODEL: ${path} cannot be read (${code ?? String(error)})`;
  }
  try {
    const head = Buffer.alloc(4);
    const n = readSync(fd, head, 0, 4, 0);
    if (n < 4 || !head.equals(GGML_MAGIC)) {
      const what = head.subarray(0, n).toString('latin1') === 'GGUF' ? 'a GGUF file (an LLM or Parakeet model?)' : 'not a whisper.cpp ggml model';
      return `HLSGATE_ASR_MODEL: ${path} is ${what}; whisper.cpp's models start with "lmgg" (e.g. ggml-base.en.bin from whisper.cpp's models)`;
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

export interface WhisperSegment {
  text: string;
  /** Milliseconds from the start of the chunk. */
  t0: number;
  t1: number;
}

/**
 * The binding's one-token segments → words: a token that does not start with a space continues
 * the word before it (`eigen` + `vectors`, `word` + `,`). Bracketed non-speech marks
 * (`[BLANK_AUDIO]`, `(music)`, `♪`) are left out. No confidence: the binding reports none. Pure.
 */
export function wordsFromWhisper(segments: readonly WhisperSegment[], offsetSeconds: number): RecognizedWord[] {
  const words: RecognizedWord[] = [];
  let current: RecognizedWord | null = null;
  for (const segment of segments) {
    const text = segment.text;
    if (!text) continue;
    const start = offsetSeconds + segment.t0 / 1000;
    const end = offsetSeconds + Math.max(segment.t1, segment.t0) / 1000;
    if (current && !/^\s/.test(text)) {
      current.text += text;
      current.end = Math.max(current.end, end);
      continue;
    }
    if (current) words.push(current);
    current = { text: text.trim(), start, end, confidence: null };
  }
  if (current) words.push(current);
  return words.filter((w) => w.text && !/^(\[.*\]|\(.*\)|\*.*\*|[♪♫\s.,!?-]+)$/u.test(w.text));
}

export interface WhisperEngineOptions {
  model: string;
  /** Seconds of audio per whisper call (default 600); a word across a boundary may be cut. */
  chunkSeconds?: number;
  /** Threads for whisper.cpp (default: the binding's, up to 8). */
  threads?: number;
  /** Seconds in a row of an idle engine process before its job counts as ended without a result (default 10). */
  idleSeconds?: number;
}

export function whisperEngine(options: WhisperEngineOptions): AsrEngine {
  return {
    name: 'whisper',
    recognize: (o) => recognizeWithWhisper(options, o),
  };
}

async function recognizeWithWhisper(options: WhisperEngineOptions, o: RecognizeOptions): Promise<Recognition> {
  const problem = whisperModelProblem(options.model);
  if (problem) throw new IngestError('asr_unavailable', problem, { fatal: true });
  // A multilingual model identifies the language (so a wrong one is caught); an `.en` model is
  // told English (whisper.cpp would otherwise run its language detection on a model without it).
  const whisperLanguage = whisperModelMultilingual(options.model) === false ? 'en' : 'auto';
  if (o.signal?.aborted) throw new IngestError('aborted', 'speech recognition cancelled');

  // ffmpeg decodes the FLAC to raw PCM into the engine's stdin; both stop together.
  const ffmpeg = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-i', o.audio, '-ac', '1', '-ar', '16000', '-f', 's16le', '-c:a', 'pcm_s16le', 'pipe:1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const child = spawn(
    process.execPath,
    [CHILD, JSON.stringify({ model: options.model, language: whisperLanguage, chunkSeconds: options.chunkSeconds ?? 600, threads: options.threads ?? 0, idleSeconds: options.idleSeconds ?? 10 })],
    // GGML_NO_BACKTRACE: on an assert ggml would otherwise attach gdb to itself (seconds, where installed).
    { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, GGML_NO_BACKTRACE: '1' } },
  );
  let ffmpegErr = '';
  let childErr = '';
  const keepTail = (all: string, more: string) => (all + more).slice(-16_000);
  ffmpeg.stderr.on('data', (d: Buffer) => (ffmpegErr = keepTail(ffmpegErr, d.toString())));
  child.stderr.on('data', (d: Buffer) => (childErr = keepTail(childErr, d.toString())));
  // The engine may die while ffmpeg still writes: that EPIPE is the engine's failure, reported below.
  child.stdin.on('error', () => {});
  ffmpeg.stdout.pipe(child.stdin);

  const messages: Array<Record<string, unknown>> = [];
  let pending = '';
  child.stdout.on('data', (d: Buffer) => {
    pending += d.toString();
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      try {
        messages.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // Not ours (the binding's own prints): whisper.cpp logs on stderr.
      }
    }
  });

  let stopped: 'timeout' | 'aborted' | null = null;
  const stop = (why: 'timeout' | 'aborted') => {
    stopped ??= why;
    child.kill('SIGKILL');
    ffmpeg.kill('SIGKILL');
  };
  const timer = setTimeout(() => stop('timeout'), o.timeoutMs);
  const onAbort = () => stop('aborted');
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const ffmpegExit = new Promise<number | null>((resolve) => {
    ffmpeg.on('error', (error) => ((ffmpegErr += `\n${error.message}`), resolve(-1)));
    ffmpeg.on('close', (code) => resolve(code));
  });
  let exit: { code: number | null; signal: NodeJS.Signals | null };
  try {
    exit = await new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal }));
    });
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
    ffmpeg.kill('SIGKILL');
  }
  const ffmpegCode = await ffmpegExit;

  if (stopped === 'aborted') throw new IngestError('aborted', 'speech recognition cancelled');
  if (stopped === 'timeout') throw new IngestError('asr_timeout', `whisper took longer than ${Number((o.timeoutMs / 1000).toFixed(3))} s (HLSGATE_ASR_TIMEOUT) and was stopped`);
  const error = messages.find((m) => typeof m.error === 'string');
  const whisperSaid = tailLines(childErr, 40)
    .split('\n')
    .filter((l) => /error|fail|invalid|assert/i.test(l))
    .slice(-2)
    // `/home/runner/…/ggml/src/ggml.c:1433: GGML_ASSERT(…)`: the build machine's path says nothing here.
    .map((l) => l.replace(/\S*\/(?=[^/\s]+\.(?:c|cc|cpp|h):\d+:)/g, ''))
    .join(' | ');
  const loaded = messages.some((m) => m.loaded === true);
  if (error?.error === 'binding') {
    throw new IngestError('asr_unavailable', `whisper's binding is not installed for ${process.platform}-${process.arch} (${whisperBindingPackage()}, an optional dependency of hlsgate): ${String(error.message)}`, {
      fatal: true,
    });
  }
  if (error?.error === 'model' || (!loaded && exit.code !== 0)) {
    // A model that does not load stays broken until the admin replaces it: no retry.
    const how = error ? String(error.message) : `the engine crashed (${exit.signal ?? `exit ${exit.code}`})`;
    throw new IngestError('asr_failed', `whisper cannot load the model ${options.model}: ${how}${whisperSaid ? `: ${whisperSaid}` : ''}; is it a complete whisper.cpp ggml model? (HLSGATE_ASR_MODEL)`, { fatal: true });
  }
  if (error) {
    // A chunk that whisper.cpp failed on (the binding's promise never settles then: the engine's
    // process notices it idle): worth a retry, as a crash is.
    throw new IngestError('asr_failed', `whisper failed: ${String(error.message)}${whisperSaid ? `: ${whisperSaid}` : ''}`);
  }
  if (exit.code !== 0 || !messages.some((m) => m.done === true)) {
    throw new IngestError('asr_failed', `whisper failed (${exit.signal ?? `exit ${exit.code}`})${whisperSaid ? `: ${whisperSaid}` : ''}`);
  }
  if (ffmpegCode !== 0) {
    throw new IngestError('asr_failed', `cannot decode the audio for whisper (ffmpeg exit ${ffmpegCode})`, { stderrTail: tailLines(ffmpegErr) });
  }

  const words: RecognizedWord[] = [];
  const perLanguage = new Map<string, number>();
  for (const m of messages) {
    if (!Array.isArray(m.segments)) continue;
    const chunk = wordsFromWhisper(m.segments as WhisperSegment[], Number(m.offset) || 0);
    words.push(...chunk);
    const language = String(m.language || '');
    if (language && chunk.length > 0) perLanguage.set(language, (perLanguage.get(language) ?? 0) + chunk.length);
  }
  // The recording's language: the one most of its words were recognised in.
  const language = [...perLanguage].sort((a, b) => b[1] - a[1])[0]?.[0] ?? (o.language === 'auto' ? 'und' : primaryLanguage(o.language));
  return { language, words };
}
