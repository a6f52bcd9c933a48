/**
 * One ffmpeg process for the whole ladder: decode once, watermark once, `split`, scale and encode
 * each rung, HLS out with aligned keyframes. The arguments are built by a pure function.
 */
import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { IngestError, tailLines } from './errors.ts';
import { findFont, requireDrawtext } from './fonts.ts';
import { AUDIO_KBPS, type PlannedRung } from './ladder.ts';
import type { ProbeResult } from './probe.ts';
import { ProgressParser, type TranscodeProgress } from './progress.ts';
import { LAYOUT } from '../common/contracts.ts';

export const SEGMENT_SECONDS = 6;
export const KEYFRAME_SECONDS = 2;
export const SEGMENT_FORMATS = ['mpegts', 'fmp4'] as const;
export type SegmentFormat = (typeof SEGMENT_FORMATS)[number];
/** Segment file names: MPEG-TS, or CMAF fragments after an init section (`init_<n>.mp4`, named by ffmpeg). */
export const SEGMENT_PATTERNS: Record<SegmentFormat, string> = { mpegts: 'seg_%05d.ts', fmp4: 'seg_%05d.m4s' };
/** The one audio rendition every rung shares (`EXT-X-MEDIA` TYPE=AUDIO). */
export const AUDIO_RENDITION = 'audio';
export const AUDIO_GROUP = 'aud';
/** The master ffmpeg writes; ours (composed from it) replaces it. */
export const FFMPEG_MASTER = 'ffmpeg-master.m3u8';

export interface TranscodePlan {
  input: string;
  outDir: string;
  rungs: PlannedRung[];
  hasAudio: boolean;
  preset: string;
  /** The x264 preset of every rung below the top one (default `preset`): cheaper where fewer pixels show. */
  lowerPreset?: string;
  /** Extra x264 options (`-x264-params`), e.g. chosen for lecture content. */
  x264Params?: string;
  /** Default mpegts. */
  segmentFormat?: SegmentFormat;
  /** The input's video stream (default the first): cover art in an MP4 is a video stream too. */
  videoStreamIndex?: number;
  /** File holding the watermark text (drawn with expansion=none, so no escaping of the text). */
  watermarkTextFile?: string;
  fontFile?: string;
  watermarkImage?: string;
  /** Frames per second to convert down to (a 60 fps screen capture needs no 60 fps lecture). */
  fpsCap?: number;
  /**
   * Where to write slide changes: the decoded frames also go, 160 px wide, through ffmpeg's scene
   * score (`select=gt(scene,…)`), and the frames past the threshold are printed to this file.
   */
  sceneFile?: string;
}

/** Scene score above which a frame counts as a slide change (0..1; slides change whole: ~0.3 and up). */
export const SCENE_THRESHOLD = 0.3;

/**
 * Escapes a value for a filter option inside a filtergraph: first for the option parser
 * (`\ ' :`), then for the graph parser (`\ ' [ ] , ;`).
 */
export function escapeFilterValue(value: string): string {
  const option = value.replace(/[\\':]/g, '\\$&');
  return option.replace(/[\\'[\],;]/g, '\\$&');
}

export function buildFilterGraph(plan: TranscodePlan): string {
  const chains: string[] = [];
  let base = plan.videoStreamIndex === undefined ? '0:v' : `0:${plan.videoStreamIndex}`;
  if (plan.sceneFile) {
    // Slide changes from the same decode, on a small copy (the watermark is not in it yet).
    chains.push(`[${base}]split=2[scenesrc][main]`);
    chains.push(`[scenesrc]scale=160:-2,select='gt(scene,${SCENE_THRESHOLD})',metadata=print:file=${escapeFilterValue(plan.sceneFile)},nullsink`);
    base = 'main';
  }
  if (plan.watermarkImage) {
    chains.push(`[1:v]format=rgba,colorchannelmixer=aa=0.6[wmimg]`);
    chains.push(`[${base}][wmimg]overlay=x=main_w-overlay_w-main_h/30:y=main_h/30[wm0]`);
    base = 'wm0';
  }
  const steps: string[] = [];
  if (plan.fpsCap) steps.push(`fps=${plan.fpsCap}`);
  if (plan.watermarkTextFile) {
    if (!plan.fontFile) throw new Error('a text watermark needs fontFile');
    steps.push(
      'drawtext=' +
        [
          `fontfile=${escapeFilterValue(plan.fontFile)}`,
          `textfile=${escapeFilterValue(plan.watermarkTextFile)}`,
          'expansion=none',
          'fontsize=h/28',
          'fontcolor=white@0.55',
          'shadowcolor=black@0.45',
          'shadowx=2',
          'shadowy=2',
          'x=w-tw-h/30',
          'y=h-th-h/30',
        ].join(':'),
    );
  }
  const n = plan.rungs.length;
  if (n > 1) steps.push(`split=${n}${plan.rungs.map((_, i) => `[s${i}]`).join('')}`);
  if (n > 1) {
    chains.push(`[${base}]${steps.join(',')}`);
    plan.rungs.forEach((r, i) => chains.push(`[s${i}]scale=-2:${r.height}[v${i}]`));
  } else {
    chains.push(`[${base}]${[...steps, `scale=-2:${plan.rungs[0]!.height}`].join(',')}[v0]`);
  }
  return chains.join(';');
}

export function buildTranscodeArgs(plan: TranscodePlan): string[] {
  const format = plan.segmentFormat ?? 'mpegts';
  const args = ['-hide_banner', '-nostdin', '-y', '-v', 'warning', '-i', plan.input];
  if (plan.watermarkImage) args.push('-i', plan.watermarkImage);
  args.push('-filter_complex', buildFilterGraph(plan));
  plan.rungs.forEach((_, i) => args.push('-map', `[v${i}]`));
  // One audio encode for the whole ladder: every rung refers to the same rendition.
  if (plan.hasAudio) args.push('-map', '0:a:0');
  args.push(
    '-c:v', 'libx264',
    '-preset', plan.preset,
    '-profile:v', 'high',
    '-pix_fmt', 'yuv420p',
    '-sc_threshold', '0',
    '-force_key_frames', `expr:gte(t,n_forced*${KEYFRAME_SECONDS})`,
  );
  if (plan.lowerPreset && plan.lowerPreset !== plan.preset) plan.rungs.slice(1).forEach((_, i) => args.push(`-preset:v:${i + 1}`, plan.lowerPreset!));
  if (plan.x264Params) args.push('-x264-params', plan.x264Params);
  plan.rungs.forEach((r, i) => {
    args.push(`-b:v:${i}`, `${r.videoKbps}k`, `-maxrate:v:${i}`, `${r.maxrateKbps}k`, `-bufsize:v:${i}`, `${r.bufsizeKbps}k`);
  });
  if (plan.hasAudio) args.push('-c:a', 'aac', '-ac', '2', '-ar', '48000', '-b:a', `${AUDIO_KBPS}k`);
  const streamMap = plan.hasAudio
    ? [`a:0,agroup:${AUDIO_GROUP},name:${AUDIO_RENDITION}`, ...plan.rungs.map((r, i) => `v:${i},agroup:${AUDIO_GROUP},name:${r.name}`)]
    : plan.rungs.map((r, i) => `v:${i},name:${r.name}`);
  args.push(
    '-f', 'hls',
    '-hls_time', String(SEGMENT_SECONDS),
    '-hls_playlist_type', 'vod',
    '-hls_flags', 'independent_segments',
    '-hls_segment_type', format,
  );
  if (format === 'fmp4') args.push('-hls_fmp4_init_filename', 'init.mp4');
  args.push(
    '-hls_segment_filename', join(plan.outDir, '%v', SEGMENT_PATTERNS[format]),
    '-master_pl_name', FFMPEG_MASTER,
    '-var_stream_map', streamMap.join(' '),
    '-progress', 'pipe:1',
    '-nostats',
    join(plan.outDir, '%v', LAYOUT.mediaPlaylist),
  );
  return args;
}

/** Fills in the watermark text template: `{course}`, `{title}`, `{institution}`, `{date}`. */
export function renderWatermark(template: string, values: Record<string, string>): string {
  return template
    .replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? values[key]! : whole))
    .replace(/\s+/g, ' ')
    .trim();
}

export interface TranscodeOptions {
  input: string;
  outDir: string;
  probe: ProbeResult;
  rungs: PlannedRung[];
  preset: string;
  lowerPreset?: string;
  x264Params?: string;
  segmentFormat?: SegmentFormat;
  watermarkText?: string;
  watermarkImage?: string;
  /** Convert down to this frame rate when the source is faster. */
  maxFrameRate?: number;
  /** Write slide changes (scene scores) found during the decode to this file. */
  sceneFile?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (progress: TranscodeProgress) => void;
}

export interface TranscodeResult {
  args: string[];
  wallMs: number;
  /** ffmpeg's warnings, if any (a damaged source decodes "successfully" with warnings). */
  stderrTail: string;
}

export async function transcode(options: TranscodeOptions): Promise<TranscodeResult> {
  await mkdir(options.outDir, { recursive: true });
  const plan: TranscodePlan = {
    input: options.input,
    outDir: options.outDir,
    rungs: options.rungs,
    hasAudio: options.probe.hasAudio,
    preset: options.preset,
    videoStreamIndex: options.probe.videoStreamIndex,
    ...(options.lowerPreset ? { lowerPreset: options.lowerPreset } : {}),
    ...(options.x264Params ? { x264Params: options.x264Params } : {}),
    ...(options.segmentFormat ? { segmentFormat: options.segmentFormat } : {}),
  };
  if (options.maxFrameRate && options.probe.frameRate > options.maxFrameRate + 0.5) plan.fpsCap = options.maxFrameRate;
  if (options.sceneFile) plan.sceneFile = options.sceneFile;
  if (options.watermarkText) {
    await requireDrawtext();
    plan.fontFile = await findFont();
    plan.watermarkTextFile = join(options.outDir, '..', 'watermark.txt');
    await writeFile(plan.watermarkTextFile, options.watermarkText);
  }
  if (options.watermarkImage) {
    try {
      await access(options.watermarkImage);
    } catch {
      throw new IngestError('watermark_image_missing', `the watermark image ${options.watermarkImage} (HLSGATE_WATERMARK_IMAGE) cannot be read`, { fatal: true });
    }
    plan.watermarkImage = options.watermarkImage;
  }
  const args = buildTranscodeArgs(plan);
  const started = performance.now();
  const parser = new ProgressParser(options.probe.durationSeconds);
  const child = execa('ffmpeg', args, {
    reject: false,
    ...(options.signal ? { cancelSignal: options.signal } : {}),
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    forceKillAfterDelay: 3000,
    // The progress (stdout) is read as it comes; kept whole it would grow with the encode's length.
    buffer: { stdout: false },
  });
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    for (const p of parser.push(chunk)) options.onProgress?.(p);
  });
  const result = await child;
  const stderrTail = tailLines(String(result.stderr ?? ''));
  if (result.isCanceled) throw new IngestError('aborted', 'transcode cancelled', { stderrTail });
  if (result.timedOut) {
    throw new IngestError('transcode_timeout', `transcode took longer than ${Math.round((options.timeoutMs ?? 0) / 1000)} s and was stopped`, { stderrTail });
  }
  if (result.failed) {
    if ((result as { code?: string }).code === 'ENOENT') {
      throw new IngestError('transcode_failed', 'ffmpeg is not installed (Debian: apt-get install ffmpeg)', { fatal: true });
    }
    // A source that probes but cannot be decoded is bad input: retrying will not help.
    const badInput = /Invalid data found|could not find codec|Error while decoding|moov atom not found|does not contain any stream/i.test(stderrTail);
    throw new IngestError('transcode_failed', `ffmpeg failed (exit ${result.exitCode ?? result.signal})`, { fatal: badInput, stderrTail });
  }
  return { args, wallMs: performance.now() - started, stderrTail };
}

/** A poster frame at 10 % of the duration (at most 30 s in), at most 720 lines high. */
export async function makePoster(input: string, output: string, durationSeconds: number, signal?: AbortSignal, videoStreamIndex = 0): Promise<void> {
  const at = Math.min(30, durationSeconds * 0.1);
  const result = await execa(
    'ffmpeg',
    ['-hide_banner', '-nostdin', '-y', '-v', 'error', '-ss', at.toFixed(3), '-i', input, '-map', `0:${videoStreamIndex}`, '-frames:v', '1', '-vf', "scale=-2:'min(720,ih)'", '-q:v', '3', output],
    { reject: false, ...(signal ? { cancelSignal: signal } : {}) },
  );
  if (result.failed) {
    throw new IngestError('transcode_failed', `poster extraction failed (exit ${result.exitCode})`, { stderrTail: tailLines(String(result.stderr)) });
  }
}
