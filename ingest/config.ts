/**
 * Ingest settings: `HLSGATE_*` variables over an optional JSON file (`HLSGATE_INGEST_CONFIG`),
 * validated once at start. Every bad setting is named in one error.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, loadConfig, setting } from '../common/config.ts';
import { type Rung, parseLadder } from './ladder.ts';
import { SEGMENT_FORMATS } from './transcode.ts';
import { ASR_ENGINES } from './asr.ts';
import { whisperModelMultilingual, whisperModelProblem } from './asr-whisper.ts';

export const X264_PRESETS = [
  'ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow',
] as const;
export type X264Preset = (typeof X264_PRESETS)[number];

export const DEFAULT_LADDER = '1080:5000,720:2800,480:1400,360:800';
/** x264 settings for lecture content, chosen by measured quality per CPU second (ingest.bench.ts). */
export const DEFAULT_X264_PRESET: X264Preset = 'veryfast';
export const DEFAULT_X264_LOWER_PRESET: X264Preset = 'superfast';
export const DEFAULT_X264_PARAMS = 'aq-mode=2';

const ladderSetting = z.union([z.string(), z.array(z.unknown())]).transform((v, ctx) => {
  try {
    return parseLadder(v);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

const shape = {
  s3Bucket: setting.string(),
  s3Region: setting.string().default('us-east-1'),
  s3Prefix: setting.string().regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, 'must be path segments without leading or trailing /').default('lectures'),
  s3Accelerate: setting.boolean().default(false),
  s3Endpoint: setting.url().optional(),
  s3ForcePathStyle: setting.boolean().default(false),
  s3AccessKeyId: setting.string().optional(),
  s3SecretAccessKey: setting.string().optional(),
  mediaBaseUrl: setting.url().refine((v) => v.endsWith('/'), 'must end with /'),
  repositoryRoot: setting.string(),
  catalogPath: setting.string().default('.work/ingest/catalog.sqlite'),
  /** `postgres://…`: the PostgreSQL catalog shared by workers on many machines (else SQLite at catalogPath). */
  catalogUrl: setting
    .string()
    .refine((v) => /^postgres(ql)?:\/\/./.test(v), 'must be a postgres:// URL (leave it unset for the SQLite catalog)')
    .optional(),
  workDir: setting.string().default('.work/ingest/work'),
  /** `add` stages sources to S3 (`incoming/`) so any machine's worker can take them; default: on with a PostgreSQL catalog. */
  stageSources: setting.boolean().optional(),
  ladder: ladderSetting.default(parseLadder(DEFAULT_LADDER)),
  x264Preset: z.enum(X264_PRESETS).default(DEFAULT_X264_PRESET),
  /** The preset of the rungs below the top one. */
  x264LowerPreset: z.enum(X264_PRESETS).default(DEFAULT_X264_LOWER_PRESET),
  /** Extra libx264 options (`key=value:key=value`, ffmpeg's -x264-params); empty = the preset's own. */
  x264Params: z.string().trim().regex(/^([a-z0-9-]+=[A-Za-z0-9.,+-]+(:[a-z0-9-]+=[A-Za-z0-9.,+-]+)*)?$/, 'must be key=value pairs joined by : (e.g. ref=2:bframes=2)').default(DEFAULT_X264_PARAMS),
  /** `mpegts` (the default) or `fmp4` (CMAF fragments: less overhead, what video.js 10 plays natively). */
  segmentFormat: z.enum(SEGMENT_FORMATS).default('mpegts'),
  /** `{course}`, `{title}`, `{institution}`, `{date}` are replaced; `none` (or empty in the file) draws nothing. */
  watermarkText: z
    .string()
    .transform((v) => (v.trim().toLowerCase() === 'none' ? '' : v))
    .default('{institution} {course}'),
  watermarkImage: setting.string().optional(),
  institution: z.string().default(''),
  uploadConcurrency: setting.integer(1, 256).default(16),
  /** Faster sources (60 fps screen captures) are converted down to this. */
  maxFrameRate: setting.integer(1, 120).default(30),
  /** Seconds a transcode may run before it is stopped. */
  transcodeTimeout: setting.integer(10).default(6 * 3600),
  /** Processing attempts before a recording stays `failed`. */
  maxAttempts: setting.integer(1, 100).default(5),
  retryDelay: setting.integer(0).default(30_000),
  maxRetryDelay: setting.integer(0).default(3_600_000),
  /** Seconds a worker's claim on a recording lasts without renewal. */
  leaseSeconds: setting.integer(1).default(120),
  zoomAccountId: setting.string().optional(),
  zoomClientId: setting.string().optional(),
  zoomClientSecret: setting.string().optional(),
  zoomWebhookSecret: setting.string().optional(),
  zoomUserId: setting.string().default('me'),
  zoomRecordingType: setting.string().default('shared_screen_with_speaker_view'),
  zoomApiBase: setting.url().default('https://api.zoom.us/v2'),
  zoomOauthUrl: setting.url().default('https://zoom.us/oauth/token'),
  zoomWebhookPort: setting.integer(0, 65535).default(8790),
  zoomWebhookHost: setting.string().default('127.0.0.1'),
  courseMap: setting.string().optional(),
  /** Speech recognition for recordings without a transcript: `transcribe`, `whisper`, `pocketsphinx` or `none`. */
  asr: z.enum(ASR_ENGINES).default('none'),
  /** The language spoken (BCP 47, e.g. `en`, `en-GB`, `de`), or `auto` where the engine identifies it. */
  asrLanguage: setting.string().regex(/^(auto|[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*)$/, 'must be a language tag such as en or en-GB, or auto').default('en'),
  /** Mean word confidence below which recognised captions are published as a transcript, not switched on. */
  asrMinConfidence: z.coerce.number().min(0).max(1).default(0.6),
  /**
   * Fewer recognised words than this per minute of audio is "no speech" (published without
   * captions): music and noise give an engine a few stray words (pocketsphinx: about 6 a minute on
   * a music-only recording), a lecture 100 or more. 0 turns the rule off.
   */
  asrMinWordsPerMinute: z.coerce.number().min(0).default(10),
  /** Seconds a recognition may run before it is stopped (and retried). */
  asrTimeout: setting.integer(1).default(6 * 3600),
  /** The engine's model: whisper's model file; pocketsphinx's acoustic model folder. */
  asrModel: setting.string().optional(),
  /** Recognise speech even when Zoom (or `add --subtitles`) gives a transcript. */
  asrOverTranscript: setting.boolean().default(false),
  /** Amazon Transcribe endpoint (tests: a local stand-in); default the region's. */
  transcribeEndpoint: setting.url().optional(),
  /** Slide changes closer than this (seconds) to the chapter before are merged into it. */
  chapterMinSeconds: setting.integer(1).default(30),
};

export type IngestConfig = Omit<z.infer<z.ZodObject<typeof shape>>, 'ladder'> & { ladder: Rung[] };

export interface LoadIngestConfigOptions {
  /** JSON file of camelCase settings; defaults to `HLSGATE_INGEST_CONFIG`. */
  file?: string;
  env?: Record<string, string | undefined>;
}

export function loadIngestConfig(options: LoadIngestConfigOptions = {}): IngestConfig {
  const env = options.env ?? process.env;
  const file = options.file ?? env.HLSGATE_INGEST_CONFIG;
  const config = loadConfig(shape, { env, ...(file ? { file } : {}) }) as IngestConfig;
  const problems = crossCheck(config);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ...config,
    repositoryRoot: resolve(config.repositoryRoot),
    catalogPath: resolve(config.catalogPath),
    workDir: resolve(config.workDir),
  };
}

/** Whether `add` stages sources to S3: as configured, else when the catalog is shared (PostgreSQL). */
export function stagesSources(config: Pick<IngestConfig, 'stageSources' | 'catalogUrl'>): boolean {
  return config.stageSources ?? Boolean(config.catalogUrl);
}

/** Rules that involve more than one setting. */
export function crossCheck(config: IngestConfig): string[] {
  const problems: string[] = [];
  if (config.s3Accelerate && config.s3Endpoint) {
    problems.push('HLSGATE_S3_ACCELERATE: S3 Transfer Acceleration cannot be combined with a custom endpoint (HLSGATE_S3_ENDPOINT)');
  }
  if (config.s3Accelerate && config.s3ForcePathStyle) {
    problems.push('HLSGATE_S3_ACCELERATE: S3 Transfer Acceleration needs virtual-hosted buckets; unset HLSGATE_S3_FORCE_PATH_STYLE');
  }
  if (config.s3Accelerate && config.s3Bucket.includes('.')) {
    problems.push('HLSGATE_S3_ACCELERATE: Transfer Acceleration does not work with bucket names containing dots');
  }
  if (Boolean(config.s3AccessKeyId) !== Boolean(config.s3SecretAccessKey)) {
    problems.push('HLSGATE_S3_ACCESS_KEY_ID / HLSGATE_S3_SECRET_ACCESS_KEY: set both or neither');
  }
  const zoom = [config.zoomAccountId, config.zoomClientId, config.zoomClientSecret];
  if (zoom.some(Boolean) && !zoom.every(Boolean)) {
    problems.push('HLSGATE_ZOOM_ACCOUNT_ID / HLSGATE_ZOOM_CLIENT_ID / HLSGATE_ZOOM_CLIENT_SECRET: set all three or none');
  }
  if (!new URL(config.mediaBaseUrl).pathname.endsWith(`/${config.s3Prefix}/`)) {
    // CloudFront maps the URL path to the S3 key, so the repository copy would point nowhere.
    problems.push(`HLSGATE_MEDIA_BASE_URL: its path must end with /${config.s3Prefix}/ (HLSGATE_S3_PREFIX), as the S3 keys do`);
  }
  if (config.workDir.includes('%')) problems.push('HLSGATE_WORK_DIR: must not contain % (ffmpeg reads it as a pattern)');
  if (config.ladder.length === 0) problems.push('HLSGATE_LADDER: needs at least one rung');
  if (config.asr === 'whisper') {
    const problem = config.asrModel ? whisperModelProblem(config.asrModel) : 'HLSGATE_ASR_MODEL: HLSGATE_ASR=whisper needs the model file (a whisper.cpp ggml model)';
    if (problem) problems.push(problem);
    else if (whisperModelMultilingual(config.asrModel!) === false && !/^(auto|en(-.*)?)$/i.test(config.asrLanguage)) {
      problems.push(`HLSGATE_ASR_LANGUAGE: ${config.asrModel} is an English-only whisper model (.en); ${config.asrLanguage} needs a multilingual one`);
    }
  }
  if (config.asr === 'pocketsphinx' && config.asrLanguage !== 'auto' && !config.asrModel && !/^en(-|$)/i.test(config.asrLanguage)) {
    problems.push(`HLSGATE_ASR_LANGUAGE: pocketsphinx's Debian model is English only; ${config.asrLanguage} needs HLSGATE_ASR_MODEL`);
  }
  return problems;
}
