/**
 * The whisper engine without a model: no whisper.cpp model is reachable from this machine (none
 * ships in a package here), so recognition itself is not run. What runs: the model checks, the
 * real binding loaded in the engine's own process, a corrupt model that makes ggml abort() that
 * process (the worker survives, the error is clear), the time limit and cancellation killing it,
 * and the binding's token segments joined into words. The pipeline part (a published lecture that
 * stays published when whisper fails) is in captions.test.ts.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../common/config.ts';
import { GGML_MAGIC, whisperBindingInstalled, whisperEngine, whisperModelMultilingual, whisperModelProblem, wordsFromWhisper } from './asr-whisper.ts';
import { meanConfidence } from './asr.ts';
import { qualityGate } from './captions.ts';
import { loadIngestConfig } from './config.ts';
import { writeWhisperTestModel } from './fixtures/whisper-model.ts';

const dir = mkdtempSync(join(tmpdir(), 'hlsgate-whisper-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: Buffer | string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** whisper.cpp's magic, then bytes that are no model: ggml asserts on them and abort()s. */
const corrupt = () => file('corrupt.bin', Buffer.concat([GGML_MAGIC, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) & 0xff))]));
const recognizeOptions = { audio: join(dir, 'audio.flac'), language: 'en', workDir: dir, timeoutMs: 60_000 };

describe('whisper model checks', () => {
  it('names what is wrong with HLSGATE_ASR_MODEL: missing, a folder, empty, an HTML page, a GGUF file', () => {
    expect(whisperModelProblem(join(dir, 'nope.bin'))).toMatch(/nope\.bin does not exist .*whisper\.cpp ggml model/);
    mkdirSync(join(dir, 'folder'), { recursive: true });
    expect(whisperModelProblem(join(dir, 'folder'))).toMatch(/folder is not a file/);
    expect(whisperModelProblem(file('empty.bin', ''))).toMatch(/empty\.bin is not a whisper\.cpp ggml model/);
    // What a failed model download often leaves behind.
    expect(whisperModelProblem(file('downloaded.bin', '<!DOCTYPE html>\n<html>'))).toMatch(/downloaded\.bin is not a whisper\.cpp ggml model; .*"lmgg"/);
    expect(whisperModelProblem(file('model.gguf', Buffer.from('GGUF\x03\x00\x00\x00', 'latin1')))).toMatch(/a GGUF file/);
    expect(whisperModelProblem(corrupt())).toBeNull();
  });

  it('the configuration refuses HLSGATE_ASR=whisper without a readable ggml model, before any work', () => {
    const env = { HLSGATE_S3_BUCKET: 'media', HLSGATE_MEDIA_BASE_URL: 'https://media.example.edu/lectures/', HLSGATE_REPOSITORY_ROOT: '/srv/r', HLSGATE_ASR: 'whisper' };
    const message = (extra: Record<string, string>) => {
      try {
        loadIngestConfig({ env: { ...env, ...extra } });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(message({})).toMatch(/HLSGATE_ASR_MODEL: HLSGATE_ASR=whisper needs the model file/);
    expect(message({ HLSGATE_ASR_MODEL: join(dir, 'missing.bin') })).toMatch(/HLSGATE_ASR_MODEL: .*missing\.bin does not exist/);
    expect(message({ HLSGATE_ASR_MODEL: file('page.bin', '<html>') })).toMatch(/HLSGATE_ASR_MODEL: .*page\.bin is not a whisper\.cpp ggml model/);
    expect(message({ HLSGATE_ASR_MODEL: corrupt() })).toBe('accepted');
    // The header's n_vocab: 51864 is an English-only (.en) model, 51865 a multilingual one.
    const header = (nVocab: number) => Buffer.concat([GGML_MAGIC, Buffer.from(new Int32Array([nVocab, 1500, 384]).buffer)]);
    const english = file('ggml-tiny.en.bin', header(51864));
    expect(whisperModelMultilingual(english)).toBe(false);
    expect(whisperModelMultilingual(file('ggml-tiny.bin', header(51865)))).toBe(true);
    expect(message({ HLSGATE_ASR_MODEL: english, HLSGATE_ASR_LANGUAGE: 'de' })).toMatch(/HLSGATE_ASR_LANGUAGE: .*ggml-tiny\.en\.bin is an English-only whisper model \(\.en\); de needs a multilingual one/);
    expect(message({ HLSGATE_ASR_MODEL: english, HLSGATE_ASR_LANGUAGE: 'en-GB' })).toBe('accepted');
    expect(message({ HLSGATE_ASR_MODEL: join(dir, 'ggml-tiny.bin'), HLSGATE_ASR_LANGUAGE: 'de' })).toBe('accepted');
  });
});

describe('whisper engine process', () => {
  it('loads the real binding on this machine; whisper.cpp itself refuses a file that is not a model', async () => {
    expect(whisperBindingInstalled()).toBe(true);
    // The engine's own process, given a non-model directly (the parent would refuse it first).
    const child = spawn(process.execPath, [fileURLToPath(new URL('./asr-whisper-child.mjs', import.meta.url)), JSON.stringify({ model: file('text.bin', 'hello'), chunkSeconds: 600 })], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(4);
    expect(JSON.parse(out.trim())).toEqual({ error: 'model', message: 'Failed to initialize whisper context' });
    expect(err).toMatch(/whisper_model_load: invalid model data \(bad magic\)/);
  });

  it('a corrupt model aborts the engine process, not the worker: a clear error, not retried', async () => {
    const error = await whisperEngine({ model: corrupt() }).recognize(recognizeOptions).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'asr_failed', fatal: true });
    expect((error as Error).message).toMatch(/^whisper cannot load the model .*corrupt\.bin: the engine crashed \(SIGABRT\): ggml\.c:\d+: GGML_ASSERT\(.*\) failed; is it a complete whisper\.cpp ggml model\? \(HLSGATE_ASR_MODEL\)$/);
  });

  it('a model that loads but on which whisper.cpp fails: the binding never settles its promise; the engine notices its idle process and fails the step (retried), not after HLSGATE_ASR_TIMEOUT', async () => {
    const model = join(dir, 'made-up.bin');
    writeWhisperTestModel(model);
    expect(whisperModelProblem(model)).toBeNull();
    const audio = join(dir, 'tone.flac');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=f=440:d=12', '-ac', '1', '-ar', '16000', '-c:a', 'flac', audio]);
    const error = await whisperEngine({ model, chunkSeconds: 8, idleSeconds: 2 }).recognize({ ...recognizeOptions, audio }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'asr_failed', fatal: false });
    expect((error as Error).message).toBe('whisper failed: whisper.cpp stopped on the audio at 0 s without a result (the binding gives no reason)');
  });

  it('the engine refuses a missing model itself too (a model removed after start)', async () => {
    await expect(whisperEngine({ model: join(dir, 'gone.bin') }).recognize(recognizeOptions)).rejects.toMatchObject({ code: 'asr_unavailable', fatal: true });
  });

  it('the time limit and a cancellation kill the engine process', async () => {
    const model = corrupt();
    // Shorter than the engine needs to start: it is stopped whatever it was doing.
    await expect(whisperEngine({ model }).recognize({ ...recognizeOptions, timeoutMs: 1 })).rejects.toMatchObject({
      code: 'asr_timeout',
      message: 'whisper took longer than 0.001 s (HLSGATE_ASR_TIMEOUT) and was stopped',
    });
    const controller = new AbortController();
    const pending = whisperEngine({ model }).recognize({ ...recognizeOptions, signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
  });
});

describe('whisper tokens to words', () => {
  it('joins tokens into words with their times from the chunk offset, keeps punctuation, drops non-speech marks; no confidence', () => {
    const seg = (text: string, t0: number, t1: number) => ({ text, t0, t1 });
    const words = wordsFromWhisper(
      [seg(' [BLANK_AUDIO]', 0, 900), seg(' Eigen', 1000, 1200), seg('vectors', 1200, 1600), seg(',', 1600, 1600), seg(' matter', 1700, 2100), seg('.', 2100, 2150), seg(' ♪', 2200, 2300), seg(' (music)', 2300, 2400)],
      600,
    );
    expect(words).toEqual([
      { text: 'Eigenvectors,', start: 601, end: 601.6, confidence: null },
      { text: 'matter.', start: 601.7, end: 602.15, confidence: null },
    ]);
  });

  it('words without confidences: no mean, and the quality gate passes them only when the admin set it to 0', () => {
    const words = wordsFromWhisper([{ text: ' Hello', t0: 0, t1: 400 }], 0);
    expect(meanConfidence(words)).toBeNull();
    expect(meanConfidence([{ text: 'a', start: 0, end: 1, confidence: 0.5 }, ...words])).toBeNull();
    expect(qualityGate(null, 0.6, 'whisper')).toEqual({
      autoselect: false,
      note: expect.stringMatching(/^recognised by whisper, which reports no word confidences, so the quality gate \(HLSGATE_ASR_MIN_CONFIDENCE 0\.60\) cannot pass: published as a transcript/),
    });
    expect(qualityGate(null, 0, 'whisper')).toMatchObject({ autoselect: true, note: expect.stringContaining('HLSGATE_ASR_MIN_CONFIDENCE is 0') });
  });
});
