/**
 * The captions step of a published recording: speech recognition on its staged audio (or a VTT
 * given by hand), then a republish that writes only the playlists and the subtitle objects (and
 * chapters) and the repository copy. The video on S3 is never touched, so a failing engine never
 * loses it: the recording stays published, with the captions' state and error beside it.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { execa } from 'execa';
import { CAPTIONS_STATUS_DATA_ID, CHAPTERS_DATA_ID, type CaptionsStatusState, INCOMING_PREFIX, LAYOUT } from '../common/contracts.ts';
import type { Logger } from '../common/log.ts';
import { type AsrEngine, type Cue, type RecognizedWord, checkRecognition, cuesToVtt, meanConfidence, wordsToCues } from './asr.ts';
import { pocketsphinxEngine } from './asr-pocketsphinx.ts';
import type { Recording, RecordingPatch } from './catalog.ts';
import type { IngestConfig } from './config.ts';
import { IngestError, failureOutcome } from './errors.ts';
import { parseMasterVariants, parseMediaPlaylist, withSessionData, withSessionValue, withSubtitles } from './master.ts';
import { deleteStaged, fetchStaged } from './staging.ts';
import { subtitlesPlaylist, prepareVtt } from './subtitles.ts';
import { collectObjects, getText, readPublishedMaster, removeUnpublished, uploadObjects, verifyObjects } from './upload.ts';
import { normalizeVtt, parseVtt } from './vtt.ts';
import { type Chapter, chaptersJson, cueTextToPlain, parseChaptersJson, titleChapters } from './chapters.ts';

export const SUBTITLES_GROUP = 'subs';

/** The engine `HLSGATE_ASR` names. */
export async function createEngine(config: IngestConfig, s3: S3Client): Promise<AsrEngine> {
  switch (config.asr) {
    case 'pocketsphinx':
      return pocketsphinxEngine({ model: config.asrModel });
    case 'transcribe': {
      const { transcribeEngine } = await import('./asr-transcribe.ts');
      return transcribeEngine(config, s3);
    }
    case 'whisper': {
      if (!config.asrModel) throw new IngestError('asr_unavailable', 'HLSGATE_ASR=whisper needs HLSGATE_ASR_MODEL (a whisper.cpp ggml model file)', { fatal: true });
      const { whisperEngine } = await import('./asr-whisper.ts');
      return whisperEngine({ model: config.asrModel });
    }
    default:
      throw new IngestError('asr_unavailable', 'no speech recognition engine is configured (HLSGATE_ASR=none)', { fatal: true });
  }
}

/** Whether a recording published now should go on to speech recognition. */
export function wantsRecognition(config: Pick<IngestConfig, 'asr' | 'asrOverTranscript'>, hasTranscript: boolean): boolean {
  return config.asr !== 'none' && (!hasTranscript || config.asrOverTranscript);
}

/** `en` → `English`, for the track's NAME. */
export function languageName(tag: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

/** The quality gate: whether recognised captions may be selected automatically, and why (for the teacher). Pure. */
export function qualityGate(confidence: number | null, minimum: number, engine: string): { autoselect: boolean; note: string } {
  const m = minimum.toFixed(2);
  if (confidence === null) {
    // Nothing to measure the captions by: offered automatically only when the admin waived the gate.
    return minimum <= 0
      ? { autoselect: true, note: `recognised by ${engine}, which reports no word confidences; HLSGATE_ASR_MIN_CONFIDENCE is 0: captions offered automatically` }
      : {
          autoselect: false,
          note: `recognised by ${engine}, which reports no word confidences, so the quality gate (HLSGATE_ASR_MIN_CONFIDENCE ${m}) cannot pass: published as a transcript, not selected automatically; check it and set HLSGATE_ASR_MIN_CONFIDENCE=0 to trust ${engine}, or correct it with \`ingest captions <id> --vtt\``,
        };
  }
  const c = confidence.toFixed(2);
  return confidence >= minimum
    ? { autoselect: true, note: `recognised by ${engine}, mean word confidence ${c} (at least ${m}): captions offered automatically` }
    : {
        autoselect: false,
        note: `recognised by ${engine}, mean word confidence ${c} is below ${m} (HLSGATE_ASR_MIN_CONFIDENCE): published as a transcript, not selected automatically; correct it with \`ingest captions <id> --vtt\``,
      };
}

/** The master's captions status (`<state>: <why>`, CAPTIONS_STATUS_DATA_ID) for the teacher. Pure. */
export function captionsStatusValue(state: CaptionsStatusState, why: string): string {
  return `${state}: ${why}`;
}

/** The status a recording published before recognition carries until the captions step ends. */
export const PENDING_STATUS = captionsStatusValue('pending', 'speech recognition is queued; captions are added when it finishes');

/** The status after a captions attempt that failed for good: no speech found, or the engine's error. Pure. */
export function failedCaptionsStatus(code: string | null, message: string): string {
  return code === 'asr_empty'
    ? captionsStatusValue('no-speech', `${message}; published without captions`)
    : captionsStatusValue('failed', `${message}; published without captions (\`ingest retry\` tries again)`);
}

/**
 * Rewrites only the published master (and its repository copy) with a new captions status: how a
 * failure the teacher must see reaches Moodle without touching anything else.
 */
export async function publishCaptionsStatus(ctx: Pick<CaptionsContext, 'config' | 's3' | 'keyPrefix' | 'writeRepositoryCopy' | 'signal'>, status: string | null): Promise<string | null> {
  const master = await readPublishedMaster(ctx.s3, ctx.config.s3Bucket, ctx.keyPrefix, ctx.signal);
  if (master === null) return null;
  const updated = withSessionValue(master, CAPTIONS_STATUS_DATA_ID, status);
  if (updated === master) return null;
  // Through the same upload as every publish (its content type and cache headers).
  const out = await mkdtemp(join(tmpdir(), 'hlsgate-status-'));
  try {
    await writeFile(join(out, LAYOUT.master), updated);
    const objects = await collectObjects(out, ctx.keyPrefix);
    await uploadObjects({ client: ctx.s3, bucket: ctx.config.s3Bucket, objects, concurrency: 1, signal: ctx.signal });
    await verifyObjects(ctx.s3, ctx.config.s3Bucket, objects);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
  return ctx.writeRepositoryCopy(updated);
}

/** Retry or give up after a failed captions attempt; the video's state is left alone. Pure. */
export function captionsFailurePatch(
  recording: Recording,
  error: unknown,
  config: Pick<IngestConfig, 'maxAttempts' | 'retryDelay' | 'maxRetryDelay'>,
  now: number,
  random: () => number = Math.random,
): RecordingPatch {
  const { message, code, delay } = failureOutcome(recording.captionsAttempts, error, config, random);
  return delay === null
    ? { captionsState: 'failed', captionsError: message, captionsErrorCode: code }
    : { captionsState: 'queued', captionsError: message, captionsErrorCode: code, captionsNextAt: now + delay };
}

/** The start time of the published video's first segment: X-TIMESTAMP-MAP aligns cues with it. */
async function publishedFirstPts(s3: S3Client, bucket: string, prefix: string, master: string, work: string, signal?: AbortSignal): Promise<number> {
  const variant = parseMasterVariants(master)[0];
  if (!variant) throw new IngestError('upload_failed', 'the published master has no variant');
  const mediaKey = `${prefix}${variant.uri}`;
  const media = parseMediaPlaylist((await getText(s3, bucket, mediaKey, signal)) ?? '');
  const base = mediaKey.slice(0, mediaKey.lastIndexOf('/') + 1);
  const first = join(work, 'first-segment');
  await fetchStaged(s3, bucket, `${base}${media.segments[0]!.uri}`, first, signal);
  let probeable = first;
  if (media.initUri) {
    const init = join(work, 'init-section');
    await fetchStaged(s3, bucket, `${base}${media.initUri}`, init, signal);
    probeable = join(work, 'first.mp4');
    await writeFile(probeable, Buffer.concat([await readFile(init), await readFile(first)]));
  }
  const result = await execa('ffprobe', ['-v', 'error', '-show_entries', 'format=start_time', '-of', 'csv=p=0', probeable], { reject: false });
  const value = Number(String(result.stdout).trim());
  return Number.isFinite(value) ? value : 0;
}

export interface CaptionsContext {
  config: IngestConfig;
  s3: S3Client;
  logger: Logger;
  signal: AbortSignal;
  work: string;
  keyPrefix: string;
  /** Writes the repository copy of a master (relative URIs). */
  writeRepositoryCopy(master: string): Promise<string>;
  update(patch: RecordingPatch): Promise<Recording>;
}

interface CaptionsResult {
  vtt: string;
  /** The recognised words (to title slide chapters with). */
  words?: RecognizedWord[];
  patch: RecordingPatch;
  autoselect: boolean;
  language: string;
  name: string;
  /** The master's captions status; null: none (captions given by hand). */
  status: string | null;
}

async function recognise(ctx: CaptionsContext, recording: Recording, engine: AsrEngine): Promise<CaptionsResult> {
  const audio = join(ctx.work, 'audio.flac');
  await fetchStaged(ctx.s3, ctx.config.s3Bucket, recording.audioKey!, audio, ctx.signal);
  const started = performance.now();
  const result = checkRecognition(
    await engine.recognize({
      audio,
      language: ctx.config.asrLanguage,
      workDir: ctx.work,
      staged: { bucket: ctx.config.s3Bucket, key: recording.audioKey! },
      timeoutMs: ctx.config.asrTimeout * 1000,
      signal: ctx.signal,
    }),
    ctx.config.asrLanguage,
    engine.name,
    { durationSeconds: recording.durationSeconds, minWordsPerMinute: ctx.config.asrMinWordsPerMinute },
  );
  const confidence = meanConfidence(result.words);
  const gate = qualityGate(confidence, ctx.config.asrMinConfidence, engine.name);
  ctx.logger.info('recognised', { engine: engine.name, words: result.words.length, confidence, seconds: Math.round((performance.now() - started) / 100) / 10 });
  const language = ctx.config.asrLanguage === 'auto' ? result.language : ctx.config.asrLanguage;
  return {
    vtt: cuesToVtt(wordsToCues(result.words)),
    words: result.words,
    autoselect: gate.autoselect,
    status: captionsStatusValue(gate.autoselect ? 'offered' : 'not-selected', gate.note),
    language,
    name: `${languageName(language)} (automatic)`,
    patch: { captionsSource: `asr:${engine.name}`, captionsLanguage: language, captionsConfidence: confidence, captionsAutoselect: gate.autoselect ? 1 : 0, captionsNote: gate.note },
  };
}

async function stagedVtt(ctx: CaptionsContext, key: string, name: string, durationSeconds: number | null): Promise<Cue[]> {
  const text = await getText(ctx.s3, ctx.config.s3Bucket, key, ctx.signal);
  if (text === null) throw new IngestError('bad_request', `${name} staged at ${key} is gone: give it again`, { fatal: true });
  return parseVtt(text, { name, durationSeconds }).cues;
}

/**
 * Runs the captions step of a published recording (its lease held) and republishes it. Throws on
 * failure; the caller records it with `captionsFailurePatch`.
 */
export async function runCaptionsStep(ctx: CaptionsContext, initial: Recording, engineFor: () => Promise<AsrEngine>): Promise<Recording> {
  const { config, s3 } = ctx;
  let recording = initial;
  const bucket = config.s3Bucket;
  await rm(ctx.work, { recursive: true, force: true });
  await mkdir(ctx.work, { recursive: true });
  const master = await readPublishedMaster(s3, bucket, ctx.keyPrefix, ctx.signal);
  if (master === null) throw new IngestError('upload_failed', `the published media under ${ctx.keyPrefix} is incomplete; republish the recording first`);

  let captions: CaptionsResult | null = null;
  if (recording.captionsInput) {
    const cues = await stagedVtt(ctx, recording.captionsInput, 'the captions file', recording.durationSeconds);
    const language = config.asrLanguage === 'auto' ? 'en' : config.asrLanguage;
    captions = {
      vtt: normalizeVtt({ cues }),
      autoselect: true,
      status: null,
      language,
      name: languageName(language),
      patch: { captionsSource: 'manual', captionsLanguage: language, captionsConfidence: null, captionsAutoselect: 1, captionsNote: 'captions given by hand (ingest captions --vtt)' },
    };
  } else if (recording.audioKey && !recording.chaptersInput) {
    captions = await recognise(ctx, recording, await engineFor());
  }
  let chapters: Chapter[] | null = null;
  if (recording.chaptersInput) {
    const cues = await stagedVtt(ctx, recording.chaptersInput, 'the chapters file', recording.durationSeconds);
    chapters = cues.map((c, i) => ({ start: c.start, end: c.end, title: cueTextToPlain(c.text) || `Chapter ${i + 1}` }));
  } else if (captions?.words && recording.chaptersSource === 'slides') {
    // Slide chapters get the first words spoken in them as titles.
    const json = await getText(s3, bucket, `${ctx.keyPrefix}${LAYOUT.chaptersJson}`, ctx.signal);
    if (json !== null) chapters = titleChapters(parseChaptersJson(json), captions.words);
  }

  // The republish: new subtitle objects under a name of their own (VTT is cached as immutable),
  // the subtitles playlist, the chapters, the master last; nothing else is written.
  const out = join(ctx.work, 'out');
  let newMaster = master;
  if (captions) {
    const firstPts = await publishedFirstPts(s3, bucket, ctx.keyPrefix, master, ctx.work, ctx.signal);
    const vtt = prepareVtt(captions.vtt, firstPts);
    const file = `transcript-${createHash('sha256').update(vtt).digest('hex').slice(0, 12)}.vtt`;
    await mkdir(join(out, LAYOUT.subtitlesDir), { recursive: true });
    await writeFile(join(out, LAYOUT.subtitlesDir, file), vtt);
    await writeFile(join(out, LAYOUT.subtitlesDir, LAYOUT.mediaPlaylist), subtitlesPlaylist(recording.durationSeconds ?? 0, file));
    newMaster = withSubtitles(newMaster, {
      groupId: SUBTITLES_GROUP,
      name: captions.name,
      language: captions.language,
      uri: `${LAYOUT.subtitlesDir}/${LAYOUT.mediaPlaylist}`,
      autoselect: captions.autoselect,
    });
    newMaster = withSessionValue(newMaster, CAPTIONS_STATUS_DATA_ID, captions.status);
  }
  if (chapters) {
    await mkdir(out, { recursive: true });
    await writeFile(join(out, LAYOUT.chaptersVtt), cuesToVtt(chapters.map((c) => ({ start: c.start, end: c.end, text: c.title })), { kind: 'chapters' }));
    await writeFile(join(out, LAYOUT.chaptersJson), chaptersJson(chapters, captions?.language ?? (config.asrLanguage === 'auto' ? 'en' : config.asrLanguage)));
    newMaster = withSessionData(newMaster, CHAPTERS_DATA_ID, LAYOUT.chaptersJson);
  }
  await writeFile(join(out, LAYOUT.master), newMaster);
  const objects = await collectObjects(out, ctx.keyPrefix);
  const masterKey = `${ctx.keyPrefix}${LAYOUT.master}`;
  await uploadObjects({ client: s3, bucket, objects, lastKeys: [masterKey], concurrency: config.uploadConcurrency, signal: ctx.signal });
  await verifyObjects(s3, bucket, objects);
  const repositoryPath = await ctx.writeRepositoryCopy(newMaster);
  recording = await ctx.update({
    ...(captions?.patch ?? {}),
    ...(recording.chaptersInput ? { chaptersSource: 'manual' } : {}),
    repositoryPath,
    // Chapters alone: recognition still to do stays queued (next), published captions stay.
    ...(captions
      ? { captionsState: 'published', captionsError: null, captionsErrorCode: null, captionsNextAt: null }
      : recording.audioKey && !recording.captionsSource
        ? { captionsState: 'queued', captionsNextAt: Date.now(), captionsAttempts: 0, captionsError: null, captionsErrorCode: null }
        : { captionsState: recording.captionsSource ? 'published' : null, captionsNextAt: null }),
  });
  // What was staged for this step is used up (the audio too once any captions are published).
  for (const [key, field] of [[recording.captionsInput, 'captionsInput'], [recording.chaptersInput, 'chaptersInput'], [captions ? recording.audioKey : null, 'audioKey']] as const) {
    if (!key) continue;
    try {
      await deleteStaged(s3, bucket, key);
      recording = await ctx.update({ [field]: null });
    } catch (error) {
      ctx.logger.warn('could not delete a staged file', { key, error });
    }
  }
  if (captions?.patch.captionsSource === 'asr:transcribe') {
    // Transcribe's own output files (incoming/<id>/transcribe/) are read; they go too.
    try {
      await removeUnpublished(s3, bucket, `${INCOMING_PREFIX}${recording.id}/transcribe/`);
    } catch (error) {
      ctx.logger.warn('could not delete Transcribe output', { error });
    }
  }
  await rm(ctx.work, { recursive: true, force: true });
  return recording;
}
