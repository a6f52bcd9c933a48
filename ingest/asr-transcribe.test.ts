/**
 * The Transcribe engine: the real SDK client (@aws-sdk/client-transcribe) against a local
 * stand-in that speaks StartTranscriptionJob / GetTranscriptionJob / DeleteTranscriptionJob and
 * writes Transcribe-shaped output to the local S3, its words from pocketsphinx on the job's audio.
 */
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wordErrorRate } from './asr.ts';
import { transcribeEngine, transcribeLanguage, transcribeWords } from './asr-transcribe.ts';
import { type TranscribeStandIn, startTranscribeStandIn } from './fixtures/transcribe-server.ts';
import { createS3Client } from './s3.ts';
import { stageSource } from './staging.ts';
import { SPOKEN_SLIDES, TEST_CLIP_CACHE, makeSpokenClip, spokenWordTime } from './test-clip.ts';
import { type TestEnv, startTestEnv } from './test-support.ts';
import { getText, listRemote } from './upload.ts';

describe('Transcribe engine (real SDK client, local stand-in)', () => {
  let env: TestEnv;
  let standIn: TranscribeStandIn;
  let s3: ReturnType<typeof createS3Client>;
  const stage = async (seconds: number, key: string) => {
    const clip = await makeSpokenClip({ cacheDir: TEST_CLIP_CACHE });
    const audio = join(env.root, `${seconds}.flac`);
    await execa('ffmpeg', ['-v', 'error', '-y', '-i', clip, '-t', String(seconds), '-vn', '-ac', '1', '-ar', '16000', '-c:a', 'flac', audio]);
    await stageSource({ client: s3, bucket: 'media', file: audio, key, stateDir: join(env.root, 'staging') });
    return audio;
  };

  beforeAll(async () => {
    env = await startTestEnv({ asr: 'transcribe' });
    s3 = createS3Client(env.config);
    standIn = await startTranscribeStandIn({ s3, s3Endpoint: env.s3.endpoint });
    env.config.transcribeEndpoint = standIn.endpoint;
  });
  afterAll(async () => {
    await standIn?.stop();
    s3?.destroy();
    await env?.cleanup();
  });

  it('stages, starts a job (language identified), polls with backoff, and reads the words with times and confidences from S3', async () => {
    const audio = await stage(14, 'incoming/rec1/audio.flac');
    const engine = transcribeEngine(env.config, s3, { pollMs: 100, maxPollMs: 400 });
    const result = await engine.recognize({ audio, language: 'auto', workDir: env.root, staged: { bucket: 'media', key: 'incoming/rec1/audio.flac' }, timeoutMs: 120_000 });
    expect(standIn.started).toHaveLength(1);
    expect(standIn.started[0]).toMatchObject({ Media: { MediaFileUri: 's3://media/incoming/rec1/audio.flac' }, MediaFormat: 'flac', IdentifyLanguage: true, OutputBucketName: 'media', OutputKey: 'incoming/rec1/transcribe/', Subtitles: { Formats: ['vtt'] } });
    expect(standIn.started[0]).not.toHaveProperty('LanguageCode');
    expect(standIn.lastSigningService).toBe('transcribe');
    expect(standIn.calls[0]).toBe('Transcribe.StartTranscriptionJob');
    expect(standIn.calls.filter((c) => c === 'Transcribe.GetTranscriptionJob').length).toBeGreaterThanOrEqual(2);
    expect(standIn.calls.at(-1)).toBe('Transcribe.DeleteTranscriptionJob');
    expect(result.language).toBe('en-US');
    expect(result.words.length).toBeGreaterThan(10);
    for (const w of result.words) {
      expect(w.end).toBeGreaterThan(w.start);
      expect(w.confidence).toBeGreaterThan(0);
      expect(w.confidence).toBeLessThanOrEqual(1);
    }
    expect(result.words[0]!.start).toBeLessThan(1);
    // The words' times as Transcribe's JSON gives them (strings) are where espeak-ng says them (its
    // own timing, spokenWordTime), within half a second.
    for (const word of ['welcome', 'linear', 'algebra', 'matrix']) {
      const truth = await spokenWordTime(word);
      const heard = result.words.find((w) => w.text.toLowerCase() === word);
      expect(heard, `Transcribe heard "${word}"`).toBeDefined();
      expect(Math.abs(heard!.start - truth.start), `"${word}" at ${heard!.start} s, said at ${truth.start.toFixed(2)} s`).toBeLessThan(0.5);
    }
    expect(wordErrorRate(SPOKEN_SLIDES[0], result.words.map((w) => w.text).join(' '))).toBeLessThan(0.8);
    // Transcribe's own output is where Transcribe writes it.
    const written = [...(await listRemote(s3, 'media', 'incoming/rec1/transcribe/')).keys()];
    expect(written.map((k) => k.replace(/hlsgate-[0-9a-f-]{36}/, 'JOB')).sort()).toEqual(['incoming/rec1/transcribe/JOB.json', 'incoming/rec1/transcribe/JOB.vtt']);
    expect(JSON.parse((await getText(s3, 'media', written.find((k) => k.endsWith('.json'))!))!)).toMatchObject({ status: 'COMPLETED', results: { language_code: 'en-US' } });
  });

  it('stops waiting at the time limit, and says why a job was refused', async () => {
    const audio = await stage(2, 'incoming/rec2/audio.flac');
    const engine = transcribeEngine(env.config, s3, { pollMs: 300 });
    await expect(engine.recognize({ audio, language: 'en', workDir: env.root, staged: { bucket: 'media', key: 'incoming/rec2/audio.flac' }, timeoutMs: 100 })).rejects.toMatchObject({ code: 'asr_timeout' });
    expect(standIn.started.at(-1)).toMatchObject({ LanguageCode: 'en-US' });
    await expect(engine.recognize({ audio, language: 'de', workDir: env.root, staged: { bucket: 'media', key: 'incoming/rec2/audio.flac' }, timeoutMs: 10_000 })).rejects.toMatchObject({
      code: 'asr_failed',
      message: expect.stringMatching(/Transcribe refused the job: this stand-in recognises English only/),
    });
  });

  it('through the pipeline: published first, then Transcribe\'s words become the captions, and its files in incoming/ are cleared', async () => {
    const { SqliteCatalog } = await import('./catalog.ts');
    const { addFile } = await import('./index.ts');
    const { runQueue } = await import('./worker.ts');
    const { createLogger } = await import('../common/log.ts');
    const { parseLadder } = await import('./ladder.ts');
    const clip = join(env.root, 'spoken-8s.mp4');
    await execa('ffmpeg', ['-v', 'error', '-y', '-i', await makeSpokenClip({ cacheDir: TEST_CLIP_CACHE }), '-t', '8', '-c', 'copy', clip]);
    const config = { ...env.config, ladder: parseLadder('240:300'), asrMinConfidence: 0 };
    const catalog = new SqliteCatalog(config.catalogPath);
    try {
      const { recording } = await addFile(catalog, { file: clip, course: 'C', title: 'Transcribed' });
      const finished: Array<[string, string, string | null]> = [];
      await runQueue({ config, catalog, s3, logger: createLogger({ name: 'test', level: 'silent' }), owner: 'w', onFinished: (r, _o, step) => void finished.push([step, r.state, r.captionsState]) });
      expect(finished).toEqual([['media', 'published', 'queued'], ['captions', 'published', 'published']]);
      const done = (await catalog.get(recording.id))!;
      expect(done).toMatchObject({ state: 'published', captionsState: 'published', captionsSource: 'asr:transcribe', captionsLanguage: 'en', captionsAutoselect: 1, audioKey: null });
      expect(standIn.started.at(-1)).toMatchObject({ LanguageCode: 'en-US', Media: { MediaFileUri: `s3://media/incoming/${recording.id}/audio.flac` } });
      expect([...(await listRemote(s3, 'media', `incoming/${recording.id}/`)).keys()]).toEqual([]);
      const master = (await getText(s3, 'media', done.masterKey!))!;
      expect(master).toMatch(/TYPE=SUBTITLES,GROUP-ID="subs",NAME="English \(automatic\)",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=YES/);
    } finally {
      await catalog.close();
    }
  });

  it('reads Transcribe items: punctuation joins the word before, times and confidences are numbers', () => {
    expect(transcribeLanguage('en')).toBe('en-US');
    expect(transcribeLanguage('en-GB')).toBe('en-GB');
    expect(transcribeLanguage('auto')).toBeNull();
    const words = transcribeWords({
      results: {
        transcripts: [{ transcript: 'Hello, world.' }],
        items: [
          { type: 'pronunciation', start_time: '0.04', end_time: '0.5', alternatives: [{ content: 'Hello', confidence: '0.99' }] },
          { type: 'punctuation', alternatives: [{ content: ',', confidence: '0.0' }] },
          { type: 'pronunciation', start_time: '0.6', end_time: '1.1', alternatives: [{ content: 'world', confidence: '0.8' }] },
          { type: 'punctuation', alternatives: [{ content: '.', confidence: '0.0' }] },
        ],
      },
    });
    expect(words).toEqual([{ text: 'Hello,', start: 0.04, end: 0.5, confidence: 0.99 }, { text: 'world.', start: 0.6, end: 1.1, confidence: 0.8 }]);
  });
});
