/**
 * The local stack: everything of the production shape on one machine, no AWS account.
 *
 *   embedded S3 (s3rver) ──► media host (CloudFront stand-in) ◄── browser
 *                               │ /_auth/*  ──► auth server (server/app.ts)
 *                               │ /_dev/*   (stands in for Moodle's web service)
 *   sample lectures: ffmpeg clip ──► ingest/ (real pipeline) ──► S3 + repository folder
 *   demo page: Vite on demo/vite.config.ts (when that file exists)
 *
 * Every server listens on 127.0.0.1; URLs use `localhost` so that cookies behave as on one
 * registrable domain. Data and dev keys live in `dataDir` and are reused on the next start.
 */
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_PORTS, type DevVideo, TOKEN_AUDIENCE, type ViewTokenClaims } from '../../common/contracts.ts';
import { type Logger, createLogger } from '../../common/log.ts';
import { loadIngestConfig } from '../../ingest/config.ts';
import { ingestFile } from '../../ingest/index.ts';
import { makeSpokenClip, makeTestClip } from '../../ingest/test-clip.ts';
import { createApp } from '../../server/app.ts';
import { MAX_COOKIE_TTL, MIN_COOKIE_TTL, loadServerConfig } from '../../server/config.ts';
import { signViewToken } from '../../server/token.ts';
import { withFileLock } from './file-lock.ts';
import { CAPTIONED_TITLE, SAMPLE_TRANSCRIPT_CUES, publishSampleChapters, toVtt } from './sample-transcript.ts';
import { type DevKeys, loadOrCreateDevKeys } from './keys.ts';
import { devVideos, listRepository, readRepository, rebaseRepository } from './lectures.ts';
import { MAX_DEV_TOKEN_TTL, type MediaHost, startMediaHost } from './media-host.ts';
import { type LocalS3, s3ClientConfig, startS3 } from './s3.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_DATA_DIR = resolve(HERE, '..', '.data');
export const DEMO_VITE_CONFIG = resolve(HERE, '..', 'vite.config.ts');
export const BUCKET = 'media';
export const PREFIX = 'lectures';
export const DEFAULT_COOKIE_TTL = 600;
const DEFAULT_TOKEN_TTL = 3600;
const SAMPLE_COURSE = 'Demo course';
/** The spoken sample lectures' titles start so, then ` (<engine>)`. */
export const SPOKEN_TITLE = 'Lecture 6 (spoken)';

export interface SampleLecture {
  title: string;
  file: string;
  seconds: number;
  width: number;
  height: number;
  fps: number;
  /** `HLSGATE_LADDER` syntax, height:kbps. */
  ladder: string;
  /** When it was "recorded": fixed, so the repository file name is stable. */
  date: Date;
  /** `HLSGATE_SEGMENT_FORMAT`; default mpegts. */
  segmentFormat?: 'mpegts' | 'fmp4';
  /** Published with the sample transcript as subtitles and the sample chapters (sample-transcript.ts). */
  captioned?: boolean;
  /** A WebVTT transcript published as the lecture's captions, as ingest takes Zoom's. */
  transcript?: string;
  /**
   * The spoken clip (ingest/test-clip.ts `makeSpokenClip`: espeak-ng over three slides) instead of
   * a generated one, its captions recognised by this engine (`HLSGATE_ASR`) and its chapters found
   * at the slide changes, all by ingest's own captions step. `transcribe` runs the real Transcribe
   * client against the local stand-in (ingest/fixtures/transcribe-server.ts), started for that
   * ingest only. `file`, `seconds`, `width`, `height` and `fps` are the clip's own then.
   */
  asr?: 'pocketsphinx' | 'transcribe';
}

/** Lecture 1 is long enough for a 3-minute playback test; low fps and ultrafast keep first start short. */
export const SAMPLE_LECTURES: readonly SampleLecture[] = [
  { title: 'Lecture 1', file: 'lecture-1.mp4', seconds: 200, width: 1280, height: 720, fps: 15, ladder: '720:2000,480:1000,360:600', date: new Date('2026-01-12T09:15:00Z') },
  { title: 'Lecture 2', file: 'lecture-2.mp4', seconds: 30, width: 1280, height: 720, fps: 15, ladder: '720:2000,480:1000,360:600', date: new Date('2026-01-19T09:15:00Z') },
  // fMP4 (CMAF) segments, for the players' browser tests; short and small so first start stays quick.
  { title: 'Lecture 3 (fMP4)', file: 'lecture-3.mp4', seconds: 12, width: 854, height: 480, fps: 15, ladder: '480:1000,360:600,240:300', date: new Date('2026-01-26T09:15:00Z'), segmentFormat: 'fmp4' },
  // A transcript (subtitles rendition) and chapters, for the transcript panel and the chapter menu.
  { title: CAPTIONED_TITLE, file: 'lecture-4.mp4', seconds: 30, width: 640, height: 360, fps: 15, ladder: '360:600,240:300', date: new Date('2026-02-02T09:15:00Z'), captioned: true },
  // Captions from a Zoom-style transcript (a subtitles rendition), for Moodle's search; one small rung keeps it quick.
  { title: 'Lecture 5 (captions)', file: 'lecture-5.mp4', seconds: 100, width: 640, height: 360, fps: 10, ladder: '360:600', date: new Date('2026-02-09T09:15:00Z'), transcript: join(HERE, 'fixtures', 'zoom-transcript.vtt') },
  // The 60-s spoken clip through each speech recogniser that runs here (issue 19's "Done when"):
  // captions, the transcript's search, Moodle's search and slide chapters from what ingest makes of it.
  ...(['pocketsphinx', 'transcribe'] as const).map((asr, i) => ({
    title: `${SPOKEN_TITLE} (${asr})`, file: 'spoken', seconds: 60, width: 640, height: 360, fps: 25, ladder: '360:600', date: new Date(`2026-02-${16 + i}T09:15:00Z`), asr,
  })),
];

export interface StackOptions {
  /** Default demo/.data. */
  dataDir?: string;
  /** 0 = a free port; defaults DEFAULT_PORTS. */
  ports?: Partial<Record<'media' | 'auth' | 's3' | 'demo', number>>;
  /** Cookie lifetime in seconds (default 600); changeable at run time. */
  cookieTtl?: number;
  /** Start Vite on demo/vite.config.ts (when the file exists). Default false. */
  demoPage?: boolean;
  /** Another Vite config for the demo page (tests). */
  demoViteConfig?: string;
  /** Generate and ingest the sample lectures when they are not published yet. Default false. */
  sampleLectures?: boolean;
  /**
   * Resolve only once the sample lectures are ready (default true). With false, `samplesReady`
   * tells when, and `GET /_dev/ready` answers 503 until then.
   */
  waitForSamples?: boolean;
  /** Bench only: also serve `/_open/lectures/…` without cookie checks. */
  unprotectedPrefix?: boolean;
  logger?: Logger;
  /** Epoch milliseconds, for the media host and the auth server (tests move it forward). */
  now?: () => number;
  /**
   * A developer's own Moodle (`HLSGATE_MOODLE_URL`, e.g. http://localhost:8100): its origin joins
   * the media host's and the auth server's CORS lists, and it is an accepted token issuer.
   */
  moodleUrl?: string;
  /** More Moodles beside it (the tests run 4.5 and 5.1 at once): each origin joins the lists and is an issuer too. */
  moreMoodleUrls?: string[];
  /** The auth server's `HLSGATE_SIGNED_PLAYLISTS` (per-viewer signed playlists for native HLS). Default false. */
  signedPlaylists?: boolean;
  /**
   * Origins of pages that stand for the Moodle App's web view (the app reaches the media host and the
   * auth server from its own origin, `http://localhost` on Android): they join both CORS lists and
   * are no token issuer.
   */
  appOrigins?: string[];
}

/** What to type into the filter's settings (Plugins › Filters › Protected HLS videos) for this stack. */
export interface MoodleFilterSettings {
  authurl: string;
  issuer: string;
  tokenkid: string;
  tokensecret: string;
  mediabaseurls: string;
}

/** The filter's settings for a Moodle at `moodleUrl` in front of the stack whose media host is `mediaUrl`. */
export function moodleFilterSettings(o: { mediaUrl: string; moodleUrl: string; keys: Pick<DevKeys, 'tokenKid' | 'tokenSecret'> }): MoodleFilterSettings {
  return {
    authurl: `${o.mediaUrl}/_auth`,
    issuer: new URL(o.moodleUrl).href.replace(/\/$/, ''),
    tokenkid: o.keys.tokenKid,
    tokensecret: o.keys.tokenSecret,
    mediabaseurls: `${o.mediaUrl}/${PREFIX}/`,
  };
}

export interface Stack {
  urls: { media: string; auth: string; s3: string; demo?: string };
  /** `${media}/lectures/`. */
  mediaBaseUrl: string;
  bucket: string;
  dataDir: string;
  /** S3 client settings for the embedded S3 (tests put objects straight into it). */
  s3Config: ReturnType<typeof s3ClientConfig>;
  videos(): Promise<DevVideo[]>;
  /** A view token as Moodle would mint it (issuer = the media host, kid `dev`). */
  mintToken(res: string, options?: { ttl?: number; sub?: string; wm?: string }): string;
  setCookieTtl(seconds: number): void;
  cookieTtl(): number;
  /** `/_auth/*` answers 503 for `seconds` (0 ends it). */
  authOutage(seconds: number): void;
  /** Settles when the sample lectures are ready (at once when none were asked for). */
  samplesReady: Promise<void>;
  /** With `moodleUrl`: the filter's settings to paste into that Moodle. */
  moodleSettings?: MoodleFilterSettings;
  stop(): Promise<void>;
}

function listenServer(server: Server, port: number): Promise<number> {
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolveListen((server.address() as AddressInfo).port);
    });
  });
}

/** The auth server's `HLSGATE_*` settings for this stack. */
export function authServerEnv(o: {
  keys: DevKeys;
  mediaUrl: string;
  origins: string[];
  cookieTtl: number;
  port: number;
  /** Issuers besides the media host's (the dev token endpoint's): a developer's Moodle. */
  issuers?: string[];
  signedPlaylists?: boolean;
}): Record<string, string> {
  return {
    HLSGATE_SIGNED_PLAYLISTS: String(o.signedPlaylists ?? false),
    HLSGATE_TOKEN_SECRETS: `${o.keys.tokenKid}:${o.keys.tokenSecret}`,
    HLSGATE_TOKEN_ISSUERS: [o.mediaUrl, ...(o.issuers ?? [])].join(','),
    HLSGATE_TOKEN_MAX_LIFETIME: String(MAX_DEV_TOKEN_TTL),
    HLSGATE_MEDIA_BASE_URLS: `${o.mediaUrl}/${PREFIX}/`,
    HLSGATE_CLOUDFRONT_KEY_PAIR_ID: o.keys.keyPairId,
    HLSGATE_CLOUDFRONT_PRIVATE_KEY_FILE: o.keys.privateKeyFile,
    HLSGATE_COOKIE_TTL: String(o.cookieTtl),
    HLSGATE_COOKIE_SECURE: 'false',
    HLSGATE_ALLOWED_ORIGINS: o.origins.join(','),
    HLSGATE_PORT: String(o.port),
    HLSGATE_HOST: '127.0.0.1',
    // The stand-in appends the viewer's address as CloudFront does: rate limits see viewers, not the proxy.
    HLSGATE_CLIENT_ADDRESS_HEADER: 'x-forwarded-for',
  };
}

/** The ingest settings for the sample lectures: the embedded S3 and a repository in dataDir. */
export function ingestEnv(o: {
  dataDir: string;
  s3Endpoint: string;
  mediaBaseUrl: string;
  ladder: string;
  segmentFormat?: string | undefined;
  asr?: string | undefined;
  transcribeEndpoint?: string | undefined;
}): Record<string, string> {
  const { accessKeyId, secretAccessKey } = s3ClientConfig(o.s3Endpoint).credentials as { accessKeyId: string; secretAccessKey: string };
  return {
    HLSGATE_S3_BUCKET: BUCKET,
    HLSGATE_S3_PREFIX: PREFIX,
    HLSGATE_S3_ENDPOINT: o.s3Endpoint,
    HLSGATE_S3_FORCE_PATH_STYLE: 'true',
    HLSGATE_S3_ACCESS_KEY_ID: accessKeyId,
    HLSGATE_S3_SECRET_ACCESS_KEY: secretAccessKey,
    HLSGATE_MEDIA_BASE_URL: o.mediaBaseUrl,
    HLSGATE_REPOSITORY_ROOT: join(o.dataDir, 'repository'),
    HLSGATE_CATALOG_PATH: join(o.dataDir, 'ingest', 'catalog.sqlite'),
    HLSGATE_WORK_DIR: join(o.dataDir, 'ingest', 'work'),
    HLSGATE_LADDER: o.ladder,
    HLSGATE_X264_PRESET: 'ultrafast',
    HLSGATE_X264_LOWER_PRESET: 'ultrafast',
    HLSGATE_INSTITUTION: 'hlsgate demo',
    HLSGATE_SEGMENT_FORMAT: o.segmentFormat ?? 'mpegts',
    ...(o.asr ? { HLSGATE_ASR: o.asr, HLSGATE_ASR_LANGUAGE: 'en' } : {}),
    // The spoken clip's slides change every 20 s: chapters are kept 10 s apart, not 30.
    ...(o.asr ? { HLSGATE_CHAPTER_MIN_SECONDS: '10' } : {}),
    ...(o.transcribeEndpoint ? { HLSGATE_TRANSCRIBE_ENDPOINT: o.transcribeEndpoint } : {}),
  };
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const logger = options.logger ?? createLogger({ name: 'stack' });
  const now = options.now ?? Date.now;
  const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const ports = { ...DEFAULT_PORTS, ...options.ports };
  let cookieTtl = DEFAULT_COOKIE_TTL;
  const setCookieTtl = (seconds: number) => {
    if (!Number.isInteger(seconds) || seconds < MIN_COOKIE_TTL || seconds > MAX_COOKIE_TTL) {
      throw new RangeError(`the cookie TTL must be a whole number of seconds from ${MIN_COOKIE_TTL} to ${MAX_COOKIE_TTL}`);
    }
    cookieTtl = seconds;
  };
  setCookieTtl(options.cookieTtl ?? DEFAULT_COOKIE_TTL);
  mkdirSync(dataDir, { recursive: true });
  const keys = loadOrCreateDevKeys(dataDir);

  const stoppers: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stopOne of stoppers.splice(0).reverse()) {
      await stopOne().catch((error: unknown) => logger.warn('stop failed', { error }));
    }
  };

  let samplesState = { ready: !options.sampleLectures, message: options.sampleLectures ? 'preparing the sample lectures' : 'ready' };
  const samplesAbort = new AbortController();

  try {
    const s3 = await startS3({ directory: join(dataDir, 's3'), port: ports.s3, buckets: [BUCKET] });
    stoppers.push(() => s3.stop());
    const s3Config = s3ClientConfig(s3.endpoint);
    const s3Client = new S3Client(s3Config);
    stoppers.push(async () => s3Client.destroy());

    // The media host first: its port is the issuer and the media base URL of everything else.
    let mintToken: Stack['mintToken'] = () => {
      throw new Error('the stack is still starting');
    };
    let mediaBaseUrl = '';
    const repositoryRoot = join(dataDir, 'repository');
    const videos = async () => devVideos(await listRepository(repositoryRoot, PREFIX), mediaBaseUrl);
    const media: MediaHost = await startMediaHost({
      s3: s3Client,
      bucket: BUCKET,
      prefix: PREFIX,
      publicKeys: { [keys.keyPairId]: keys.publicKeyPem },
      allowedOrigins: [],
      port: ports.media,
      unprotectedPrefix: options.unprotectedPrefix === true,
      logger: logger.child({ component: 'media-host' }),
      now,
      dev: {
        videos,
        mintToken: (request) => mintToken(request.res, request),
        cookieTtl: () => cookieTtl,
        setCookieTtl: (seconds) => setCookieTtl(seconds),
        readiness: () => samplesState,
      },
    });
    stoppers.push(() => media.stop());
    mediaBaseUrl = `${media.url}/${PREFIX}/`;
    mintToken = (res, opts = {}) => {
      const iat = Math.floor(now() / 1000);
      const claims: ViewTokenClaims = {
        iss: media.url,
        aud: TOKEN_AUDIENCE,
        sub: opts.sub ?? 'dev-student',
        iat,
        exp: iat + (opts.ttl ?? DEFAULT_TOKEN_TTL),
        res,
      };
      if (opts.wm !== undefined) claims.wm = opts.wm;
      return signViewToken(claims, { kid: keys.tokenKid, secret: keys.tokenSecret });
    };

    // The demo page (optional), so its origin is known before the auth server's CORS list.
    let demoUrl: string | undefined;
    const viteConfig = options.demoViteConfig ?? DEMO_VITE_CONFIG;
    if (options.demoPage && existsSync(viteConfig)) {
      process.env.VITE_HLSGATE_MEDIA_URL = media.url;
      const { createServer } = await import('vite');
      const vite = await createServer({
        configFile: viteConfig,
        logLevel: 'warn',
        server: { host: '127.0.0.1', port: ports.demo, strictPort: ports.demo !== 0 },
        // Vite's pre-bundled dependencies per data dir, not in node_modules/.vite: two stacks (the
        // browser tests' two lanes, scripts/e2e.sh) may start Vite at once, and one must not rename
        // the other's half-written cache away.
        cacheDir: join(dataDir, 'vite'),
        // Pages read the media host from here (the ports may not be the defaults).
        define: { 'import.meta.env.VITE_HLSGATE_MEDIA_URL': JSON.stringify(media.url) },
      });
      stoppers.push(() => vite.close());
      await vite.listen();
      const port = (vite.httpServer!.address() as AddressInfo).port;
      demoUrl = `http://localhost:${port}`;
    } else if (options.demoPage) {
      logger.warn('no demo page: demo/vite.config.ts does not exist yet');
    }
    const demoPort = demoUrl ? Number(new URL(demoUrl).port) : ports.demo || DEFAULT_PORTS.demo;
    const demoOrigins = [`http://localhost:${demoPort}`, `http://127.0.0.1:${demoPort}`];
    const moodleSettings = options.moodleUrl ? moodleFilterSettings({ mediaUrl: media.url, moodleUrl: options.moodleUrl, keys }) : undefined;
    const moodleUrls = [...(options.moodleUrl ? [options.moodleUrl] : []), ...(options.moreMoodleUrls ?? [])];
    const moodleOrigins = moodleUrls.map((url) => new URL(url).origin);
    const appOrigins = (options.appOrigins ?? []).map((url) => new URL(url).origin);
    for (const origin of [...demoOrigins, ...moodleOrigins, ...appOrigins]) media.allowOrigin(origin);

    // The auth server, configured exactly as in production, through its HLSGATE_* settings.
    const authConfig = loadServerConfig(
      authServerEnv({
        keys, mediaUrl: media.url, origins: [...demoOrigins, ...moodleOrigins, ...appOrigins, media.url], cookieTtl, port: ports.auth,
        issuers: moodleUrls.map((url) => new URL(url).href.replace(/\/$/, '')),
        signedPlaylists: options.signedPlaylists,
      }),
    );
    const app = createApp(authConfig, { now, logger: logger.child({ component: 'auth' }), cookieTtl: () => cookieTtl });
    const authServer = serve({ fetch: app.fetch, port: ports.auth, hostname: '127.0.0.1' }) as Server;
    stoppers.push(
      () =>
        new Promise<void>((done) => {
          authServer.close(() => done());
          authServer.closeAllConnections?.();
        }),
    );
    const authPort = await new Promise<number>((done, reject) => {
      if (authServer.listening) return done((authServer.address() as AddressInfo).port);
      authServer.once('listening', () => done((authServer.address() as AddressInfo).port));
      authServer.once('error', reject);
    });
    const authUrl = `http://localhost:${authPort}`;
    media.setAuthTarget(`http://127.0.0.1:${authPort}`);

    const samplesReady = options.sampleLectures
      ? prepareSampleLectures({ dataDir, s3Endpoint: s3.endpoint, mediaBaseUrl, logger, signal: samplesAbort.signal }).then(
          () => {
            samplesState = { ready: true, message: 'ready' };
          },
          (error: unknown) => {
            samplesState = { ready: false, message: `the sample lectures failed: ${(error as Error).message}` };
            if (!samplesAbort.signal.aborted) logger.error('sample lectures failed', { error });
            throw error;
          },
        )
      : Promise.resolve();
    // Observed here so that a failure with waitForSamples false is not an unhandled rejection.
    samplesReady.catch(() => undefined);
    stoppers.push(async () => {
      samplesAbort.abort(new Error('the stack is stopping'));
      await samplesReady.catch(() => undefined);
    });
    if (options.waitForSamples !== false) await samplesReady;

    let stopping: Promise<void> | undefined;
    return {
      urls: { media: media.url, auth: authUrl, s3: s3.endpoint, ...(demoUrl ? { demo: demoUrl } : {}) },
      mediaBaseUrl,
      bucket: BUCKET,
      dataDir,
      s3Config,
      videos,
      mintToken: (res, opts) => mintToken(res, opts),
      setCookieTtl,
      cookieTtl: () => cookieTtl,
      authOutage: (seconds) => media.authOutage(seconds),
      samplesReady,
      ...(moodleSettings ? { moodleSettings } : {}),
      stop: () => (stopping ??= stopAll()),
    };
  } catch (error) {
    samplesAbort.abort(error);
    await stopAll();
    throw error;
  }
}

/** The Transcribe stand-in for a sample's ingest, on the stack's S3. */
async function startSampleTranscribe(s3Endpoint: string): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const { startTranscribeStandIn } = await import('../../ingest/fixtures/transcribe-server.ts');
  const s3 = new S3Client(s3ClientConfig(s3Endpoint));
  const standIn = await startTranscribeStandIn({ s3, s3Endpoint });
  return {
    endpoint: standIn.endpoint,
    stop: async () => {
      await standIn.stop();
      s3.destroy();
    },
  };
}

/**
 * Generates and ingests the sample lectures that are not in the repository yet, holding a lock
 * on the data dir so that two stacks starting together ingest each lecture once.
 */
export async function prepareSampleLectures(o: {
  dataDir: string;
  s3Endpoint: string;
  mediaBaseUrl: string;
  logger: Logger;
  signal: AbortSignal;
  lectures?: readonly SampleLecture[];
}): Promise<void> {
  const repositoryRoot = join(o.dataDir, 'repository');
  const lectures = o.lectures ?? SAMPLE_LECTURES;
  // A lecture whose captions are recognised counts once they are published (a stop during its
  // recognition leaves the video published; the next start finishes the captions).
  const published = async () => {
    const done = new Set<string>();
    for (const { entry, content } of await readRepository(repositoryRoot, PREFIX)) {
      if (entry.course !== SAMPLE_COURSE) continue;
      if (lectures.find((l) => l.title === entry.title)?.asr && !content.includes('TYPE=SUBTITLES')) continue;
      done.add(entry.title);
    }
    return done;
  };
  const have = await published();
  const chapters = async () => {
    // The repository's masters name the media host of this start (it may run on another port than at
    // ingest time, or serve a copy of another stack's data): what a Moodle reads from them must reach it.
    const rebased = await rebaseRepository(repositoryRoot, PREFIX, o.mediaBaseUrl);
    if (rebased > 0) o.logger.info('repository masters moved to this media host', { files: rebased, mediaBaseUrl: o.mediaBaseUrl });
    // The chapters contract ingest will fulfil (sample-transcript.ts): written at each start, as the
    // master's session data names the media host's current address.
    const entries = await listRepository(repositoryRoot, PREFIX);
    for (const lecture of lectures.filter((l) => l.captioned)) {
      const entry = entries.find((e) => e.course === SAMPLE_COURSE && e.title === lecture.title);
      if (entry) await publishSampleChapters({ s3Endpoint: o.s3Endpoint, bucket: BUCKET, prefix: PREFIX, dir: entry.dir, mediaBaseUrl: o.mediaBaseUrl });
    }
  };
  if (lectures.every((l) => have.has(l.title))) return await chapters();
  await withFileLock(
    join(o.dataDir, 'samples.lock'),
    async () => {
      for (const lecture of lectures) {
        if ((await published()).has(lecture.title)) continue;
        o.signal.throwIfAborted();
        const clips = join(o.dataDir, 'samples');
        mkdirSync(clips, { recursive: true });
        const file = lecture.asr ? await makeSpokenClip({ cacheDir: clips }) : join(clips, lecture.file);
        if (!existsSync(file) || statSync(file).size === 0) {
          o.logger.info('generating a sample clip', { title: lecture.title, seconds: lecture.seconds });
          const temp = join(clips, `.${lecture.file}.${process.pid}.tmp.mp4`);
          try {
            await makeTestClip({ path: temp, seconds: lecture.seconds, width: lecture.width, height: lecture.height, fps: lecture.fps, audio: true });
            renameSync(temp, file);
          } finally {
            rmSync(temp, { force: true });
          }
        }
        o.signal.throwIfAborted();
        let subtitles: string | undefined;
        if (lecture.transcript) subtitles = lecture.transcript;
        else if (lecture.captioned) {
          subtitles = join(clips, `${lecture.file}.vtt`);
          writeFileSync(subtitles, toVtt(SAMPLE_TRANSCRIPT_CUES));
        }
        o.logger.info('ingesting a sample lecture', { title: lecture.title });
        const started = performance.now();
        const transcribe = lecture.asr === 'transcribe' ? await startSampleTranscribe(o.s3Endpoint) : undefined;
        try {
          const config = loadIngestConfig({
            env: ingestEnv({
              dataDir: o.dataDir, s3Endpoint: o.s3Endpoint, mediaBaseUrl: o.mediaBaseUrl, ladder: lecture.ladder, segmentFormat: lecture.segmentFormat,
              asr: lecture.asr, transcribeEndpoint: transcribe?.endpoint,
            }),
          });
          const result = await ingestFile(
            config,
            { file, course: SAMPLE_COURSE, title: lecture.title, date: lecture.date, ...(subtitles ? { subtitles } : {}) },
            { logger: o.logger.child({ component: 'ingest' }), signal: o.signal, captions: lecture.asr !== undefined },
          );
          if (lecture.asr && result.captionsState !== 'published') throw new Error(`${lecture.title}: its captions step ended ${result.captionsState ?? 'without captions'} (\`ingest status\` says why)`);
        } finally {
          await transcribe?.stop();
        }
        o.logger.info('sample lecture published', { title: lecture.title, seconds: Math.round((performance.now() - started) / 100) / 10 });
      }
    },
    { signal: o.signal },
  );
  await chapters();
}
