/**
 * `HLSGATE_ASR=pocketsphinx`: Debian's `pocketsphinx` (`pocketsphinx_continuous`) with
 * `pocketsphinx-en-us`. The one engine whose model ships as a package here; its accuracy is poor
 * (a word error rate around a half on clear synthetic speech), so it is for tests and as a
 * fallback. `HLSGATE_ASR_MODEL` may name another acoustic model folder (`-hmm`).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { AsrEngine, Recognition, RecognizeOptions, RecognizedWord } from './asr.ts';
import { IngestError, tailLines } from './errors.ts';

export const POCKETSPHINX_MODEL = '/usr/share/pocketsphinx/model/en-us/en-us';
const WORD_LINE = /^(\S+) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)$/;

/** `pocketsphinx_continuous -time yes` output → words (fillers and silences left out). Pure. */
export function parsePocketsphinx(stdout: string): RecognizedWord[] {
  const words: RecognizedWord[] = [];
  for (const line of stdout.split('\n')) {
    const m = WORD_LINE.exec(line.trim());
    if (!m) continue;
    const token = m[1]!;
    if (/^(<.*>|\[.*\]|\+\+.*\+\+)$/.test(token)) continue;
    words.push({ text: token.replace(/\(\d+\)$/, ''), start: Number(m[2]), end: Number(m[3]), confidence: Math.min(1, Number(m[4])) });
  }
  return words;
}

/** The last `maxBytes` (about) of a stream's text, in bounded memory. */
export function boundedTail(maxBytes: number): { push(chunk: Buffer | string): void; text(): string } {
  let kept = '';
  return {
    push(chunk) {
      kept += String(chunk);
      if (kept.length > 2 * maxBytes) kept = kept.slice(-maxBytes);
    },
    text: () => kept.slice(-maxBytes),
  };
}

export function pocketsphinxEngine(options: { model?: string | undefined } = {}): AsrEngine {
  const model = options.model ?? POCKETSPHINX_MODEL;
  return {
    name: 'pocketsphinx',
    async recognize(o: RecognizeOptions): Promise<Recognition> {
      // pocketsphinx reads 16-bit WAV; ffmpeg streams the FLAC into one in bounded memory.
      const wav = join(o.workDir, 'asr-pocketsphinx.wav');
      const convert = await execa('ffmpeg', ['-hide_banner', '-nostdin', '-y', '-v', 'error', '-i', o.audio, '-ac', '1', '-ar', '16000', '-c:a', 'pcm_s16le', wav], {
        reject: false,
        ...(o.signal ? { cancelSignal: o.signal } : {}),
      });
      if (convert.isCanceled) throw new IngestError('aborted', 'speech recognition cancelled');
      if (convert.failed) throw new IngestError('asr_failed', 'cannot convert the audio for pocketsphinx', { stderrTail: tailLines(String(convert.stderr)) });
      try {
        const dict = join(model, '..', 'cmudict-en-us.dict');
        const lm = join(model, '..', 'en-us.lm.bin');
        // Its log (stderr, several lines an utterance) grows with the recording: only its tail is kept.
        const child = execa('pocketsphinx_continuous', ['-infile', wav, '-time', 'yes', '-hmm', model, '-dict', dict, '-lm', lm], {
          reject: false,
          timeout: o.timeoutMs,
          forceKillAfterDelay: 2000,
          buffer: { stderr: false },
          ...(o.signal ? { cancelSignal: o.signal } : {}),
        });
        const tail = boundedTail(16384);
        child.stderr?.on('data', tail.push);
        const result = await child;
        const stderr = tailLines(tail.text(), 8);
        if (result.isCanceled) throw new IngestError('aborted', 'speech recognition cancelled');
        if (result.timedOut) throw new IngestError('asr_timeout', `pocketsphinx took longer than ${Math.round(o.timeoutMs / 1000)} s (HLSGATE_ASR_TIMEOUT) and was stopped`);
        if ((result as { code?: string }).code === 'ENOENT') {
          throw new IngestError('asr_unavailable', 'pocketsphinx is not installed (Debian: apt-get install pocketsphinx pocketsphinx-en-us)', { fatal: true });
        }
        if (result.failed) throw new IngestError('asr_failed', `pocketsphinx failed (exit ${result.exitCode ?? result.signal}): ${stderr.split('\n').slice(-3).join(' | ')}`);
        return { language: 'en', words: parsePocketsphinx(String(result.stdout)) };
      } finally {
        await rm(wav, { force: true });
      }
    },
  };
}
