/**
 * One recording from its source to `published`, every step resumable: the transcode output is
 * kept (with a marker) until the recording is published, uploads skip what S3 already holds, and
 * the repository copy is written only after the upload is verified.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { execa } from 'execa';
import { INCOMING_PREFIX, LAYOUT } from '../common/contracts.ts';
import type { Logger } from '../common/log.ts';
import { type Catalog, LeaseLostError, type Recording, type RecordingPatch } from './catalog.ts';
import type { IngestConfig } from './config.ts';
import { download } from './download.ts';
import { IngestError, failureOutcome } from './errors.ts';
import { selectRungs, type PlannedRung } from './ladder.ts';
import { type MediaPlaylist, absolutizeMaster, composeMaster, h264Codec, measureBandwidth, parseMasterVariants, parseMediaPlaylist, type VariantInfo } from './master.ts';
import { newDir, repositoryBaseName } from './names.ts';
import { probe, type ProbeResult } from './probe.ts';
import type { ProgressSink } from './progress.ts';
import { publishMaster } from './publish.ts';
import { deleteStaged, fetchStaged, isLocalSource, stageSource } from './staging.ts';
import { extractAudio } from './asr.ts';
import { PENDING_STATUS, captionsFailurePatch, createEngine, failedCaptionsStatus, publishCaptionsStatus, runCaptionsStep, wantsRecognition } from './captions.ts';
import { chaptersJson, parseSceneFile, slideChapters } from './chapters.ts';
import { cuesToVtt } from './asr.ts';
import { withSessionData, withSessionValue } from './master.ts';
import { CAPTIONS_STATUS_DATA_ID, CHAPTERS_DATA_ID } from '../common/contracts.ts';
import { SUBTITLES_FILE, prepareVtt, subtitlesPlaylist } from './subtitles.ts';
import { AUDIO_GROUP, AUDIO_RENDITION, FFMPEG_MASTER, makePoster, renderWatermark, transcode } from './transcode.ts';
import { collectObjects, readPublishedMaster, removeUnpublished, uploadObjects, verifyObjects } from './upload.ts';

export interface PipelineContext {
  config: IngestConfig;
  catalog: Catalog;
  s3: S3Client;
  logger: Logger;
  /** This worker's lease owner id. */
  owner: string;
  now?: () => number;
  signal?: AbortSignal;
  onProgress?: ProgressSink;
  /** OAuth access token for Zoom downloads without a download_token. */
  zoomAccessToken?: () => Promise<string>;
  fetch?: typeof fetch;
}

export interface Published {
  id: string;
  dir: string;
  masterKey: string;
  repositoryPath: string;
}

/** What the transcode step leaves behind, so a rerun can skip it. */
interface TranscodeMarker {
  dir: string;
  rungs: string[];
  durationSeconds: number;
}
const MARKER = '.complete.json';

export function workDirOf(config: IngestConfig, id: string): string {
  return join(config.workDir, id);
}

export function keyPrefixOf(config: IngestConfig, dir: string): string {
  return `${config.s3Prefix}/${dir}/`;
}

/** Retry or give up: the catalog patch after a failed attempt (`recording.attempts` counts it). Pure. */
export function failurePatch(
  recording: Recording,
  error: unknown,
  config: Pick<IngestConfig, 'maxAttempts' | 'retryDelay' | 'maxRetryDelay'>,
  now: number,
  random: () => number = Math.random,
): RecordingPatch {
  const attempts = recording.attempts;
  const { message, code, delay } = failureOutcome(attempts, error, config, random);
  return delay === null
    ? { attempts, state: 'failed', lastError: message, lastErrorCode: code }
    : { attempts, state: 'queued', lastError: message, lastErrorCode: code, nextAttemptAt: now + delay };
}

export type Outcome = 'published' | 'retrying' | 'failed' | 'lost';

export interface ProcessResult {
  /** The recording after the attempt, as the catalog has it. */
  recording: Recording;
  /** `lost`: another worker took the lease over; this worker dropped the recording. */
  outcome: Outcome;
  /** What the attempt was: the video to `published`, or the captions step of a published one. */
  step: 'media' | 'captions';
}

function outcomeOf(recording: Recording, step: 'media' | 'captions'): Outcome {
  // Captions queued again without an error: chapters went first, recognition comes next.
  if (step === 'captions') return recording.captionsState === 'failed' ? 'failed' : recording.captionsState === 'queued' && recording.captionsError ? 'retrying' : 'published';
  return recording.state === 'published' ? 'published' : recording.state === 'failed' ? 'failed' : 'retrying';
}

/** A leased recording whose work is its captions step (the video is published already). */
export function isCaptionsWork(recording: Recording): boolean {
  return recording.state === 'published' && recording.captionsState === 'queued';
}

/** Where the staged audio of a recording goes (outside PREFIX, as staged sources). */
export function audioKeyOf(id: string): string {
  return `${INCOMING_PREFIX}${id}/audio.flac`;
}

/**
 * Processes a recording this worker has leased. Resolves with the outcome of the attempt
 * (a lost lease included: the recording is dropped, the worker goes on); throws only when the
 * caller's signal cancelled it.
 */
export async function processRecording(ctx: PipelineContext, leased: Recording): Promise<ProcessResult> {
  const now = ctx.now ?? Date.now;
  const leaseMs = ctx.config.leaseSeconds * 1000;
  const log = ctx.logger.child({ recording: leased.id });
  const lost = new AbortController();
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, lost.signal]) : lost.signal;
  const heartbeat = setInterval(() => {
    ctx.catalog.renew(leased.id, ctx.owner, now(), leaseMs).then(
      (held) => {
        if (!held) lost.abort(new LeaseLostError(leased.id));
      },
      (error: unknown) => log.warn('lease renewal failed', { error }),
    );
  }, Math.max(250, leaseMs / 3));
  heartbeat.unref();
  let recording = leased;
  const update = async (patch: RecordingPatch) => {
    try {
      return (recording = await ctx.catalog.update(recording.id, ctx.owner, patch, now()));
    } catch (error) {
      if (error instanceof LeaseLostError) lost.abort(error);
      throw error;
    }
  };
  const step = isCaptionsWork(leased) ? 'captions' : 'media';
  try {
    if (step === 'captions') {
      await update({ captionsAttempts: leased.captionsAttempts + 1, captionsState: 'recognizing' });
      await runCaptionsStep(
        {
          config: ctx.config,
          s3: ctx.s3,
          logger: log,
          signal,
          work: join(workDirOf(ctx.config, leased.id), 'captions'),
          keyPrefix: keyPrefixOf(ctx.config, leased.dir!),
          writeRepositoryCopy: (master) => writeRepositoryCopy(ctx.config, recording, recording.dir!, master),
          update,
        },
        recording,
        () => createEngine(ctx.config, ctx.s3),
      );
      recording = (await ctx.catalog.get(recording.id))!;
      log.info('captions published', { source: recording.captionsSource, confidence: recording.captionsConfidence, autoselect: recording.captionsAutoselect });
      return { recording, outcome: outcomeOf(recording, step), step };
    }
    await update({ attempts: leased.attempts + 1 });
    const published = await run(ctx, recording, update, signal, log);
    log.info('published', { dir: published.dir, repositoryPath: published.repositoryPath });
    recording = (await ctx.catalog.get(recording.id))!;
    return { recording, outcome: 'published', step };
  } catch (error) {
    if (ctx.signal?.aborted) {
      log.warn('stopped', { state: recording.state, reason: (ctx.signal.reason as Error)?.message });
      throw error instanceof IngestError && error.code === 'aborted' ? error : new IngestError('aborted', 'processing cancelled', { cause: error });
    }
    if (lost.signal.aborted) {
      // Another worker resumes it; writing a failure now would overwrite its progress.
      log.warn('lease lost to another worker; dropping this recording', { state: recording.state });
      return { recording: (await ctx.catalog.get(recording.id)) ?? recording, outcome: 'lost', step };
    }
    const patch = step === 'captions' ? captionsFailurePatch(recording, error, ctx.config, now()) : failurePatch(recording, error, ctx.config, now());
    if (step === 'captions') {
      log.error(patch.captionsState === 'failed' ? 'captions failed; the recording stays published without them' : 'captions will retry', { code: patch.captionsErrorCode, error: patch.captionsError, attempts: recording.captionsAttempts });
    } else log.error(patch.state === 'failed' ? 'failed' : 'will retry', { code: patch.lastErrorCode, error: patch.lastError, attempts: patch.attempts });
    try {
      await update(patch);
    } catch (updateError) {
      log.error('could not record the failure', { error: updateError });
    }
    if (step === 'captions' && patch.captionsState === 'failed' && recording.dir) {
      // The teacher sees it in Moodle: the master's captions status (nothing else is rewritten).
      try {
        const repositoryPath = await publishCaptionsStatus(
          {
            config: ctx.config,
            s3: ctx.s3,
            keyPrefix: keyPrefixOf(ctx.config, recording.dir),
            signal,
            writeRepositoryCopy: (master) => writeRepositoryCopy(ctx.config, recording, recording.dir!, master),
          },
          failedCaptionsStatus(patch.captionsErrorCode ?? null, patch.captionsError ?? 'speech recognition failed'),
        );
        if (repositoryPath) await update({ repositoryPath });
      } catch (statusError) {
        log.warn('could not publish the captions status', { error: statusError });
      }
    }
    const after = (await ctx.catalog.get(recording.id)) ?? recording;
    return { recording: after, outcome: lost.signal.aborted ? 'lost' : outcomeOf(after, step), step };
  } finally {
    clearInterval(heartbeat);
    try {
      await ctx.catalog.release(recording.id, ctx.owner, now());
    } catch (error) {
      // The lease runs out by itself; the outcome above is what counts.
      log.warn('could not release the lease', { error });
    }
  }
}

async function run(
  ctx: PipelineContext,
  initial: Recording,
  update: (patch: RecordingPatch) => Promise<Recording>,
  signal: AbortSignal,
  log: Logger,
): Promise<Published> {
  const { config } = ctx;
  let recording = initial;
  const work = workDirOf(config, recording.id);
  const outDir = join(work, 'out');

  // A published recording queued again (new title, course or repository): its media on S3 is
  // served as immutable and stays as it is; only the repository copy is written.
  if (recording.masterKey && recording.dir) {
    const { dir: publishedDir, masterKey: publishedKey } = recording;
    recording = await update({ state: 'uploading' });
    const master = await readPublishedMaster(ctx.s3, config.s3Bucket, keyPrefixOf(config, publishedDir), signal);
    if (master !== null) {
      log.info('republishing from what is on S3', { dir: publishedDir });
      const repositoryPath = await writeRepositoryCopy(config, recording, publishedDir, master);
      await update({ state: 'published', repositoryPath, lastError: null, lastErrorCode: null });
      return { id: recording.id, dir: publishedDir, masterKey: publishedKey, repositoryPath };
    }
    // Part of the media is gone: encode again under a fresh dir, never over immutable keys.
    log.warn('the published media is incomplete on S3; processing again under a new dir', { dir: publishedDir });
    recording = await update({ dir: newDir(), masterKey: null });
  }

  // 1. Download (Zoom, or a source staged on S3 by `add` on another machine) — a local file is used where it is.
  let sourcePath = recording.source;
  const stagedKey = recording.stagedKey;
  if (recording.sourceKind === 'file' && stagedKey && !(await isLocalSource(recording))) {
    recording = await update({ state: 'downloading' });
    sourcePath = join(work, `source${extname(recording.source).toLowerCase().replace(/[^.a-z0-9]/g, '')}`);
    log.info('downloading the staged source', { key: stagedKey });
    await fetchStaged(ctx.s3, config.s3Bucket, stagedKey, sourcePath, signal);
  }
  let transcriptPath: string | null = recording.transcriptSource && !/^https?:/.test(recording.transcriptSource) ? recording.transcriptSource : null;
  // Recognition instead of the transcript only when configured so (HLSGATE_ASR_OVER_TRANSCRIPT).
  const recognise = wantsRecognition(config, Boolean(recording.transcriptSource));
  const useTranscript = Boolean(recording.transcriptSource) && !(recognise && config.asrOverTranscript);
  if (recording.sourceKind === 'zoom') {
    recording = await update({ state: 'downloading' });
    sourcePath = join(work, 'source.mp4');
    // The webhook's download_token first (it lives 24 h); when Zoom refuses it, the OAuth token.
    let useDownloadToken = Boolean(recording.downloadToken);
    const token = async () => (useDownloadToken ? recording.downloadToken : ctx.zoomAccessToken ? await ctx.zoomAccessToken() : null);
    const fetchOne = async (url: string, path: string, expectedSize: number | null) => {
      const options = { url, path, token, expectedSize, signal, ...(ctx.fetch ? { fetch: ctx.fetch } : {}) };
      try {
        await download(options);
      } catch (error) {
        if (!(useDownloadToken && ctx.zoomAccessToken && error instanceof IngestError && error.code === 'download_expired')) throw error;
        log.warn('download_token refused; trying the OAuth access token', { error: error.message });
        useDownloadToken = false;
        await download(options);
      }
    };
    await fetchOne(recording.source, sourcePath, recording.expectedSize);
    if (recording.transcriptSource && useTranscript) {
      transcriptPath = join(work, 'transcript.vtt');
      await fetchOne(recording.transcriptSource, transcriptPath, null);
    }
  }

  // 2. Probe, 3. transcode, 4. extras, 5. package — skipped when a previous attempt finished them.
  recording = await update({ state: 'transcoding' });
  let dir = recording.dir ?? (await update({ dir: newDir() })).dir!;
  const marker = await readMarker(outDir);
  if (!marker || marker.dir !== dir) {
    // An attempt elsewhere (a worker that died on another machine) may have uploaded part of this
    // dir; a new encode need not give the same bytes, and those keys are served as immutable.
    const leftovers = await removeUnpublished(ctx.s3, config.s3Bucket, keyPrefixOf(config, dir));
    if (leftovers > 0) {
      log.warn('an earlier attempt left objects under this dir; encoding under a new one', { dir, removed: leftovers });
      dir = (await update({ dir: newDir() })).dir!;
    }
    const probed = await probe(sourcePath, signal);
    await update({ durationSeconds: probed.durationSeconds });
    await rm(outDir, { recursive: true, force: true });
    const rungs = selectRungs(config.ladder, probed.height);
    log.info('transcoding', { rungs: rungs.map((r) => r.name), duration: probed.durationSeconds, audio: probed.hasAudio });
    const watermarkText = renderWatermark(config.watermarkText, {
      course: recording.course,
      title: recording.title,
      institution: config.institution,
      date: recording.recordedAt.slice(0, 10),
    });
    const transcoded = await transcode({
      input: sourcePath,
      outDir,
      probe: probed,
      rungs,
      preset: config.x264Preset,
      lowerPreset: config.x264LowerPreset,
      ...(config.x264Params ? { x264Params: config.x264Params } : {}),
      segmentFormat: config.segmentFormat,
      maxFrameRate: config.maxFrameRate,
      ...(watermarkText ? { watermarkText } : {}),
      ...(config.watermarkImage ? { watermarkImage: config.watermarkImage } : {}),
      timeoutMs: config.transcodeTimeout * 1000,
      sceneFile: join(work, 'scenes.txt'),
      signal,
      onProgress: (p) => ctx.onProgress?.({ phase: 'transcode', fraction: p.fraction, outTimeSeconds: p.outTimeSeconds, speed: p.speed }),
    });
    await makePoster(sourcePath, join(outDir, LAYOUT.poster), probed.durationSeconds, signal, probed.videoStreamIndex);
    if (recognise && probed.hasAudio) await extractAudio(sourcePath, join(work, 'audio.flac'), signal);
    else await rm(join(work, 'audio.flac'), { force: true });
    const frameRate = probed.frameRate > config.maxFrameRate + 0.5 ? config.maxFrameRate : probed.frameRate;
    const language = config.asrLanguage === 'auto' ? 'en' : config.asrLanguage;
    await packageMaster(outDir, rungs, { ...probed, frameRate }, useTranscript ? transcriptPath : null, transcoded.stderrTail, language);
    // Chapters at the slide changes the transcode's decode found ("Slide N" until words are known).
    const chapters = slideChapters(parseSceneFile(await readFile(join(work, 'scenes.txt'), 'utf8').catch(() => '')), probed.durationSeconds, config.chapterMinSeconds);
    if (chapters.length > 0) {
      await writeFile(join(outDir, LAYOUT.chaptersVtt), cuesToVtt(chapters.map((c) => ({ start: c.start, end: c.end, text: c.title })), { kind: 'chapters' }));
      await writeFile(join(outDir, LAYOUT.chaptersJson), chaptersJson(chapters, language));
      const masterPath = join(outDir, LAYOUT.master);
      await writeFile(masterPath, withSessionData(await readFile(masterPath, 'utf8'), CHAPTERS_DATA_ID, LAYOUT.chaptersJson));
    }
    await writeFile(join(outDir, MARKER), JSON.stringify({ dir, rungs: rungs.map((r) => r.name), durationSeconds: probed.durationSeconds } satisfies TranscodeMarker));
  } else {
    log.info('transcode already done, resuming', { dir });
  }

  // Published before its captions: the teacher sees that recognition is still to come.
  {
    const masterPath = join(outDir, LAYOUT.master);
    const current = await readFile(masterPath, 'utf8');
    const status = recognise && existsSync(join(work, 'audio.flac')) ? PENDING_STATUS : null;
    const updated = withSessionValue(current, CAPTIONS_STATUS_DATA_ID, status);
    if (updated !== current) await writeFile(masterPath, updated);
  }

  // 6. Upload, 7. verify.
  recording = await update({ state: 'uploading' });
  const prefix = keyPrefixOf(config, dir);
  const masterKey = `${prefix}${LAYOUT.master}`;
  const objects = await collectObjects(outDir, prefix);
  const result = await uploadObjects({
    client: ctx.s3,
    bucket: config.s3Bucket,
    objects,
    lastKeys: [masterKey],
    concurrency: config.uploadConcurrency,
    signal,
    onObject: (p) => {
      log.debug('object', { key: p.key, skipped: p.skipped });
      ctx.onProgress?.({ phase: 'upload', fraction: p.bytesTotal ? p.bytesDone / p.bytesTotal : 1, bytesDone: p.bytesDone, bytesTotal: p.bytesTotal, objectsDone: p.objectsDone, objectsTotal: p.objectsTotal, key: p.key, skipped: p.skipped });
    },
  });
  log.info('uploaded', { uploaded: result.uploaded.length, skipped: result.skipped.length, bytes: result.bytesUploaded });
  try {
    await verifyObjects(ctx.s3, config.s3Bucket, objects);
  } catch (error) {
    if (error instanceof IngestError) throw error;
    throw new IngestError('verify_failed', `cannot list the uploaded objects: ${(error as Error).message}`, { cause: error });
  }

  // The audio for recognition, staged so that any worker can take the captions step.
  let audioKey: string | null = null;
  if (recognise && existsSync(join(work, 'audio.flac'))) {
    audioKey = audioKeyOf(recording.id);
    await stageSource({ client: ctx.s3, bucket: config.s3Bucket, file: join(work, 'audio.flac'), key: audioKey, stateDir: join(config.workDir, 'staging'), signal });
  }

  // 8. Publish: the repository copy with absolute URIs, only now; the captions step follows.
  const repositoryPath = await writeRepositoryCopy(config, recording, dir, await readFile(join(outDir, LAYOUT.master), 'utf8'));
  const captions = audioKey
    ? { captionsState: 'queued' as const, captionsNextAt: (ctx.now ?? Date.now)(), captionsAttempts: 0, audioKey, captionsError: null, captionsErrorCode: null }
    : useTranscript
      ? { captionsState: 'published' as const, captionsSource: recording.sourceKind === 'zoom' ? 'zoom' : 'file', captionsLanguage: config.asrLanguage === 'auto' ? 'en' : config.asrLanguage, captionsAutoselect: 1, captionsNote: 'the transcript given with the recording' }
      : {};
  const chaptersSource = existsSync(join(outDir, LAYOUT.chaptersJson)) ? 'slides' : null;
  await update({ state: 'published', repositoryPath, masterKey, lastError: null, lastErrorCode: null, chaptersSource, ...captions });
  if (recording.stagedKey) {
    try {
      await deleteStaged(ctx.s3, config.s3Bucket, recording.stagedKey);
      await update({ stagedKey: null });
    } catch (error) {
      log.warn('could not delete the staged source', { key: recording.stagedKey, error });
    }
  }

  // 9. Clean up: work files (and a downloaded source) go; a local source file is never touched.
  await rm(work, { recursive: true, force: true });
  return { id: recording.id, dir, masterKey, repositoryPath };
}

/** The repository copy of `master` (the S3 master, relative URIs) for this recording, written atomically. */
async function writeRepositoryCopy(config: IngestConfig, recording: Recording, dir: string, master: string): Promise<string> {
  try {
    return await publishMaster({
      root: config.repositoryRoot,
      course: recording.course,
      baseName: repositoryBaseName(new Date(recording.recordedAt), recording.title),
      content: absolutizeMaster(master, `${config.mediaBaseUrl}${dir}/`),
      previousPath: recording.repositoryPath,
    });
  } catch (error) {
    if (error instanceof IngestError) throw error;
    throw new IngestError('publish_failed', `cannot write to the repository: ${(error as Error).message}`, { cause: error });
  }
}

async function readMarker(outDir: string): Promise<TranscodeMarker | null> {
  try {
    return JSON.parse(await readFile(join(outDir, MARKER), 'utf8')) as TranscodeMarker;
  } catch {
    return null;
  }
}

/**
 * A file ffprobe can read for a rendition's first segment: the segment itself (MPEG-TS), or its
 * init section followed by it (fMP4), written beside it as a hidden file that is never uploaded.
 */
async function withProbeable<T>(dir: string, media: MediaPlaylist, use: (path: string) => Promise<T>): Promise<T> {
  const segment = join(dir, media.segments[0]!.uri);
  if (!media.initUri) return use(segment);
  const joined = join(dir, `.probe-${process.pid}.mp4`);
  await writeFile(joined, Buffer.concat([await readFile(join(dir, media.initUri)), await readFile(segment)]));
  try {
    return await use(joined);
  } finally {
    await rm(joined, { force: true });
  }
}

/** Start time of a segment (s): players align WebVTT cues with the media clock by it. */
async function firstPts(segment: string): Promise<number> {
  const result = await execa('ffprobe', ['-v', 'error', '-show_entries', 'format=start_time', '-of', 'csv=p=0', segment], { reject: false });
  const value = Number(String(result.stdout).trim());
  return Number.isFinite(value) ? value : 0;
}

async function segmentProbe(segment: string): Promise<{ profile: string; level: number; width: number; height: number }> {
  const result = await execa('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=profile,level,width,height', '-of', 'json', segment]);
  const stream = (JSON.parse(String(result.stdout)) as { streams: Array<{ profile: string; level: number; width: number; height: number }> }).streams[0];
  if (!stream) throw new IngestError('transcode_failed', `${segment} has no video stream`);
  return stream;
}

/**
 * Null when the encoded duration matches the source's, else why not. ffmpeg exits 0 on a file cut
 * short (a partial copy with its index at the front): without this check the lecture would be
 * published with its end missing. Pure.
 */
export function checkDuration(encodedSeconds: number, sourceSeconds: number): string | null {
  const tolerance = Math.max(3, sourceSeconds * 0.05);
  if (encodedSeconds >= sourceSeconds - tolerance) return null;
  return `the video stops at ${encodedSeconds.toFixed(1)} s but the file says it lasts ${sourceSeconds.toFixed(1)} s: is the file truncated or damaged?`;
}

/** A rendition's playlist, checked complete and as long as the source; and its measured bandwidth. */
async function readRendition(outDir: string, name: string, probed: ProbeResult, stderrTail: string) {
  const dir = join(outDir, name);
  const media = parseMediaPlaylist(await readFile(join(dir, LAYOUT.mediaPlaylist), 'utf8'));
  if (!media.endList || media.segments.length === 0) throw new IngestError('transcode_failed', `${name}/${LAYOUT.mediaPlaylist} is incomplete`);
  const short = checkDuration(media.segments.reduce((sum, x) => sum + x.duration, 0), probed.durationSeconds);
  if (short) throw new IngestError('input_truncated', short, { fatal: true, ...(stderrTail ? { stderrTail } : {}) });
  const sized = await Promise.all(media.segments.map(async (s) => ({ duration: s.duration, bytes: (await stat(join(dir, s.uri))).size })));
  return { dir, media, bandwidth: measureBandwidth(sized, media.targetDuration) };
}

/**
 * Writes `master.m3u8` from what was actually produced: measured bandwidth (video plus the shared
 * audio rendition), the resolution and codec of the first segment (CODECS from ffmpeg's own master
 * when it wrote them), the source frame rate, the audio group, and the subtitles rendition when
 * there is a transcript.
 */
async function packageMaster(outDir: string, rungs: PlannedRung[], probed: ProbeResult, transcriptPath: string | null, stderrTail: string, language: string): Promise<void> {
  const ffmpegMasterPath = join(outDir, FFMPEG_MASTER);
  const ffmpegVariants = existsSync(ffmpegMasterPath) ? parseMasterVariants(await readFile(ffmpegMasterPath, 'utf8')) : [];
  const variants: VariantInfo[] = [];
  let segmentCount: number | null = null;
  let firstPtsSeconds: number | null = null;
  for (const rung of rungs) {
    const uri = `${rung.name}/${LAYOUT.mediaPlaylist}`;
    const { dir, media, bandwidth } = await readRendition(outDir, rung.name, probed, stderrTail);
    if (segmentCount !== null && media.segments.length !== segmentCount) {
      throw new IngestError('transcode_failed', `renditions have different segment counts (${segmentCount} and ${media.segments.length} in ${rung.name})`);
    }
    segmentCount = media.segments.length;
    const { info, pts } = await withProbeable(dir, media, async (path) => ({ info: await segmentProbe(path), pts: firstPtsSeconds ?? (await firstPts(path)) }));
    firstPtsSeconds ??= pts;
    const fromFfmpeg = ffmpegVariants.find((v) => v.uri === uri)?.attributes.CODECS;
    const videoCodec = fromFfmpeg?.split(',').find((c) => c.startsWith('avc1.')) ?? h264Codec(info.profile, info.level);
    variants.push({
      uri,
      bandwidth: bandwidth.peak,
      averageBandwidth: bandwidth.average,
      codecs: probed.hasAudio ? `${videoCodec},mp4a.40.2` : videoCodec,
      width: info.width,
      height: info.height,
      frameRate: probed.frameRate,
    });
  }
  let audio;
  if (probed.hasAudio) {
    const { bandwidth } = await readRendition(outDir, AUDIO_RENDITION, probed, stderrTail);
    audio = { groupId: AUDIO_GROUP, name: 'Audio', uri: `${AUDIO_RENDITION}/${LAYOUT.mediaPlaylist}`, channels: 2, bandwidth: bandwidth.peak, averageBandwidth: bandwidth.average };
  }
  let subtitles;
  if (transcriptPath) {
    const vtt = prepareVtt(await readFile(transcriptPath, 'utf8'), firstPtsSeconds ?? 0);
    const subsDir = join(outDir, LAYOUT.subtitlesDir);
    await rm(subsDir, { recursive: true, force: true });
    await mkdir(subsDir, { recursive: true });
    await writeFile(join(subsDir, SUBTITLES_FILE), vtt);
    await writeFile(join(subsDir, LAYOUT.mediaPlaylist), subtitlesPlaylist(probed.durationSeconds));
    subtitles = { groupId: 'subs', name: 'Transcript', language, uri: `${LAYOUT.subtitlesDir}/${LAYOUT.mediaPlaylist}` };
  }
  await writeFile(join(outDir, LAYOUT.master), composeMaster(variants, { subtitles, audio }));
  await rm(ffmpegMasterPath, { force: true });
}
