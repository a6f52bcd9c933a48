/**
 * `HLSGATE_ASR=transcribe`: Amazon Transcribe batch jobs. The audio is already staged on S3
 * (`incoming/<id>/audio.flac`, 16 kHz mono FLAC); a job reads it there and writes its JSON and
 * its WebVTT next to it (`incoming/<id>/transcribe/<job>.json|.vtt`); the job is polled with
 * backoff, and the JSON's words keep their times and confidences.
 */
import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  DeleteTranscriptionJobCommand,
  GetTranscriptionJobCommand,
  type LanguageCode,
  StartTranscriptionJobCommand,
  TranscribeClient,
  type TranscriptionJob,
} from '@aws-sdk/client-transcribe';
import { sleep } from '../common/retry.ts';
import type { AsrEngine, Recognition, RecognizeOptions, RecognizedWord } from './asr.ts';
import type { IngestConfig } from './config.ts';
import { IngestError } from './errors.ts';
import { getText } from './upload.ts';
import { parseVtt } from './vtt.ts';

/** Transcribe's output JSON, the part ingest reads. */
export interface TranscribeOutput {
  jobName?: string;
  status?: string;
  results: {
    language_code?: string;
    transcripts: Array<{ transcript: string }>;
    items: Array<{
      type: 'pronunciation' | 'punctuation';
      start_time?: string;
      end_time?: string;
      alternatives: Array<{ content: string; confidence: string }>;
    }>;
  };
}

/** Transcribe's items → words; punctuation joins the word before it. Pure. */
export function transcribeWords(output: TranscribeOutput): RecognizedWord[] {
  const words: RecognizedWord[] = [];
  for (const item of output.results.items) {
    const best = item.alternatives[0];
    if (!best) continue;
    if (item.type === 'punctuation') {
      if (words.length > 0) words[words.length - 1]!.text += best.content;
      continue;
    }
    words.push({ text: best.content, start: Number(item.start_time), end: Number(item.end_time), confidence: Number(best.confidence) });
  }
  return words.filter((w) => Number.isFinite(w.start) && Number.isFinite(w.end));
}

/**
 * Transcribe wants a full language code (`en-US`); a bare `en` is taken as its most common one.
 * `auto`: Transcribe identifies the language.
 */
export function transcribeLanguage(tag: string): LanguageCode | null {
  if (tag === 'auto') return null;
  const defaults: Record<string, string> = { en: 'en-US', de: 'de-DE', fr: 'fr-FR', es: 'es-ES', it: 'it-IT', pt: 'pt-BR', nl: 'nl-NL', ja: 'ja-JP', ko: 'ko-KR', zh: 'zh-CN', ar: 'ar-SA', hi: 'hi-IN', ru: 'ru-RU', sv: 'sv-SE', da: 'da-DK' };
  return (tag.includes('-') ? tag : (defaults[tag.toLowerCase()] ?? tag)) as LanguageCode;
}

export interface TranscribeEngineOptions {
  /** Milliseconds between the first polls, doubling to `maxPollMs`. */
  pollMs?: number;
  maxPollMs?: number;
  client?: TranscribeClient;
}

export function transcribeEngine(config: IngestConfig, s3: S3Client, options: TranscribeEngineOptions = {}): AsrEngine {
  const client =
    options.client ??
    new TranscribeClient({
      region: config.s3Region,
      ...(config.transcribeEndpoint ? { endpoint: config.transcribeEndpoint } : {}),
      ...(config.s3AccessKeyId && config.s3SecretAccessKey ? { credentials: { accessKeyId: config.s3AccessKeyId, secretAccessKey: config.s3SecretAccessKey } } : {}),
    });
  return {
    name: 'transcribe',
    async recognize(o: RecognizeOptions): Promise<Recognition> {
      if (!o.staged) throw new IngestError('asr_failed', 'Transcribe needs the audio staged on S3', { fatal: true });
      const { bucket, key } = o.staged;
      const folder = `${key.slice(0, key.lastIndexOf('/') + 1)}transcribe/`;
      const jobName = `hlsgate-${randomUUID()}`;
      const language = transcribeLanguage(o.language);
      const deadline = Date.now() + o.timeoutMs;
      try {
        await client.send(
          new StartTranscriptionJobCommand({
            TranscriptionJobName: jobName,
            Media: { MediaFileUri: `s3://${bucket}/${key}` },
            MediaFormat: 'flac',
            MediaSampleRateHertz: 16000,
            ...(language ? { LanguageCode: language } : { IdentifyLanguage: true }),
            OutputBucketName: bucket,
            OutputKey: folder,
            Subtitles: { Formats: ['vtt'], OutputStartIndex: 1 },
          }),
          o.signal ? { abortSignal: o.signal } : {},
        );
      } catch (error) {
        if (o.signal?.aborted) throw new IngestError('aborted', 'speech recognition cancelled');
        throw new IngestError('asr_failed', `Transcribe refused the job: ${(error as Error).message}`, { cause: error });
      }
      let job: TranscriptionJob | undefined;
      let wait = options.pollMs ?? 2000;
      try {
        for (;;) {
          const answer = await client.send(new GetTranscriptionJobCommand({ TranscriptionJobName: jobName }), o.signal ? { abortSignal: o.signal } : {});
          job = answer.TranscriptionJob;
          const status = job?.TranscriptionJobStatus;
          if (status === 'COMPLETED') break;
          if (status === 'FAILED') throw new IngestError('asr_failed', `Transcribe job ${jobName} failed: ${job?.FailureReason ?? 'no reason given'}`);
          if (Date.now() + wait > deadline) {
            throw new IngestError('asr_timeout', `Transcribe took longer than ${Math.round(o.timeoutMs / 1000)} s (HLSGATE_ASR_TIMEOUT); job ${jobName} was left ${status ?? 'unknown'}`);
          }
          await sleep(wait, o.signal);
          wait = Math.min(wait * 2, options.maxPollMs ?? 30_000);
        }
        // The JSON (words, times, confidences) and the VTT Transcribe wrote beside the audio.
        const json = await getText(s3, bucket, `${folder}${jobName}.json`, o.signal);
        if (json === null) throw new IngestError('asr_failed', `Transcribe says job ${jobName} is done but s3://${bucket}/${folder}${jobName}.json is not there`);
        const vtt = await getText(s3, bucket, `${folder}${jobName}.vtt`, o.signal);
        if (vtt !== null) parseVtt(vtt, { name: `${jobName}.vtt`, durationSeconds: null });
        const output = JSON.parse(json) as TranscribeOutput;
        return { language: job?.LanguageCode ?? output.results.language_code ?? o.language, words: transcribeWords(output) };
      } catch (error) {
        if (o.signal?.aborted) throw new IngestError('aborted', 'speech recognition cancelled');
        if (error instanceof IngestError) throw error;
        throw new IngestError('asr_failed', `Transcribe job ${jobName}: ${(error as Error).message}`, { cause: error });
      } finally {
        // The job's record is not needed once read (its output files go with incoming/<id>/).
        await client.send(new DeleteTranscriptionJobCommand({ TranscriptionJobName: jobName })).catch(() => undefined);
      }
    },
  };
}
