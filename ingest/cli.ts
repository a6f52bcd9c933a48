/**
 * `npm run ingest -- <command>`:
 *   add <file|folder> --course <id> [--title <text>] [--date <iso>] [--subtitles <file.vtt>]
 *   zoom sync [--from <date>] [--to <date>]
 *   serve [--no-worker]
 *   run [--watch]
 *   status [--state <state>] [--json]
 *   retry <id>
 *   republish <id> [--title <text>] [--course <id>]
 *   captions <id> --vtt <file.vtt>
 *   chapters <id> --vtt <file.vtt>
 * Every command takes --config <file.json> (else HLSGATE_INGEST_CONFIG) over HLSGATE_* variables.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { INCOMING_PREFIX } from '../common/contracts.ts';
import { processRecording } from './pipeline.ts';
import { normalizeVtt, parseVtt } from './vtt.ts';
import { basename, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../common/config.ts';
import { createLogger } from '../common/log.ts';
import { type Catalog, type Recording, STATES, openCatalog } from './catalog.ts';
import { type IngestConfig, loadIngestConfig, stagesSources } from './config.ts';
import { type CourseRule, loadCourseMap } from './course-map.ts';
import { IngestError } from './errors.ts';
import { courseFolder } from './names.ts';
import { addFile, workerId } from './index.ts';
import { createProgressReporter, formatDuration } from './progress.ts';
import { createS3Client } from './s3.ts';
import { startWebhookServer } from './webhook.ts';
import { runQueue } from './worker.ts';
import { ZoomClient, queueMeeting } from './zoom.ts';

export const USAGE = `usage: npm run ingest -- <command> [options]

commands:
  add <file|folder> --course <id> [--title <text>] [--date <iso>] [--subtitles <file.vtt>]
                          queue local recordings (a folder: every video in it, titled by file name)
  zoom sync [--from <YYYY-MM-DD>] [--to <YYYY-MM-DD>]
                          queue new Zoom cloud recordings (default: the last 30 days)
  serve [--no-worker]     receive Zoom's recording.completed webhook (and process the queue)
  run [--watch]           process the queue once, or keep watching it
  status [--state <s>] [--json]
                          the recordings and their states
  retry <id>              requeue a failed recording (or its failed captions step)
  republish <id> [--title <text>] [--course <id>]
                          write a published recording's repository copy again (new title or
                          course, or a new repository root), reusing its media on S3
  captions <id> --vtt <file.vtt>
                          replace a published recording's captions with a checked WebVTT file
                          (republishes only the playlists and the subtitles)
  chapters <id> --vtt <file.vtt>
                          replace its chapters (cue text = chapter title) the same way

options:
  --config <file.json>    settings file (default: $HLSGATE_INGEST_CONFIG); HLSGATE_* variables override it
`;

const VIDEO_EXTENSIONS = new Set(['.mp4', '.m4v', '.mov', '.mkv', '.webm', '.avi', '.mpg', '.mpeg', '.ts', '.flv', '.wmv']);

export interface CliIo {
  env: Record<string, string | undefined>;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
  signal?: AbortSignal;
}

class UsageError extends Error {}

function out(io: CliIo, line = ''): void {
  io.stdout.write(line + '\n');
}

function loadRules(config: IngestConfig): CourseRule[] {
  return config.courseMap ? loadCourseMap(config.courseMap) : [];
}

function zoomClient(config: IngestConfig, signal?: AbortSignal): ZoomClient | null {
  if (!config.zoomAccountId || !config.zoomClientId || !config.zoomClientSecret) return null;
  return new ZoomClient({
    accountId: config.zoomAccountId,
    clientId: config.zoomClientId,
    clientSecret: config.zoomClientSecret,
    apiBase: config.zoomApiBase,
    oauthUrl: config.zoomOauthUrl,
    ...(signal ? { signal } : {}),
  });
}

/** Who holds a recording and since when (`host:pid:… since 10:04:05, 3:12`), or why nobody does. */
export function formatHolder(r: Recording, now = Date.now()): string {
  if (!r.leaseOwner || r.leaseUntil === null) return '';
  if (r.leaseUntil <= now) return `${r.leaseOwner} (lease lapsed)`;
  const since = r.leaseSince ?? r.updatedAt;
  return `${r.leaseOwner} since ${new Date(since).toISOString().slice(11, 19)}Z (${formatDuration(Math.max(0, now - since) / 1000)})`;
}

/** The captions step in a few words: `queued`, `asr:pocketsphinx 0.52 (transcript only)`, `failed: asr_timeout`. */
export function formatCaptions(r: Recording, now = Date.now()): string {
  switch (r.captionsState) {
    case null:
    case undefined:
      return '';
    case 'queued':
      return r.captionsNextAt !== null && r.captionsNextAt > now ? `queued (retry in ${formatDuration((r.captionsNextAt - now) / 1000)})` : 'queued';
    case 'recognizing':
      return 'recognizing';
    case 'failed':
      return `failed: ${r.captionsErrorCode ?? 'error'}`;
    case 'published': {
      const confidence = r.captionsConfidence !== null ? ` ${r.captionsConfidence.toFixed(2)}` : '';
      return `${r.captionsSource ?? 'published'}${confidence}${r.captionsAutoselect === 0 ? ' (transcript only)' : ''}`;
    }
  }
}

export function formatStatus(recordings: Recording[], now = Date.now()): string {
  const withCaptions = recordings.some((r) => r.captionsState);
  const rows = recordings.map((r) => [
    r.id.slice(0, 8),
    r.state === 'queued' && r.nextAttemptAt > now ? `queued (retry in ${formatDuration((r.nextAttemptAt - now) / 1000)})` : r.state,
    String(r.attempts),
    r.course,
    r.recordedAt.slice(0, 16).replace('T', ' '),
    r.durationSeconds ? formatDuration(r.durationSeconds) : '',
    r.title.length > 40 ? r.title.slice(0, 39) + '…' : r.title,
    formatHolder(r, now),
    ...(withCaptions ? [formatCaptions(r, now)] : []),
    (r.lastError ?? '').split('\n')[0]!.slice(0, 60),
  ]);
  const header = ['ID', 'STATE', 'TRIES', 'COURSE', 'RECORDED', 'LENGTH', 'TITLE', 'WORKER', ...(withCaptions ? ['CAPTIONS'] : []), 'LAST ERROR'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const table = [header, ...rows].map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
  // Why captions are not switched on, or failed: for the teacher, in full, under the table.
  const notes = recordings.flatMap((r) => {
    if (r.captionsState === 'failed' || (r.captionsState === 'queued' && r.captionsError)) return [`${r.id.slice(0, 8)}  captions: ${(r.captionsError ?? '').split('\n')[0]} (the recording stays published; \`ingest retry ${r.id.slice(0, 8)}\` tries again)`];
    if (r.captionsState === 'published' && r.captionsAutoselect === 0 && r.captionsNote) return [`${r.id.slice(0, 8)}  captions: ${r.captionsNote}`];
    return [];
  });
  return [...table, ...(notes.length ? ['', ...notes] : [])].join('\n');
}

async function findRecording(catalog: Catalog, idOrPrefix: string): Promise<Recording> {
  const exact = await catalog.get(idOrPrefix);
  if (exact) return exact;
  const matches = (await catalog.list()).filter((r) => r.id.startsWith(idOrPrefix));
  if (matches.length === 1) return matches[0]!;
  throw new UsageError(matches.length === 0 ? `no recording ${idOrPrefix}` : `${idOrPrefix} matches ${matches.length} recordings: give more of the id`);
}

async function commandAdd(config: IngestConfig, catalog: Catalog, positionals: string[], values: Record<string, unknown>, io: CliIo): Promise<number> {
  const target = positionals[0];
  if (!target) throw new UsageError('add needs a file or a folder');
  const course = values.course as string | undefined;
  if (!course) throw new UsageError('add needs --course <id>');
  const date = values.date ? new Date(values.date as string) : undefined;
  if (date && Number.isNaN(date.getTime())) throw new UsageError(`--date ${values.date as string} is not a date (ISO 8601, e.g. 2026-03-04T10:15)`);
  let info;
  try {
    info = await stat(target);
  } catch (error) {
    throw new IngestError('input_unreadable', `cannot read ${resolve(target)}: ${(error as Error).message}`, { fatal: true });
  }
  const files = info.isDirectory()
    ? (await readdir(target)).filter((f) => VIDEO_EXTENSIONS.has(extname(f).toLowerCase()) && !f.startsWith('.')).sort().map((f) => join(target, f))
    : [target];
  if (files.length === 0) throw new UsageError(`${target} holds no video files (${[...VIDEO_EXTENSIONS].join(' ')})`);
  const client = stagesSources(config) ? createS3Client(config) : null;
  const staging = client
    ? { client, bucket: config.s3Bucket, stateDir: join(config.workDir, 'staging'), ...(io.signal ? { signal: io.signal } : {}) }
    : undefined;
  try {
    for (const file of files) {
      const title = files.length === 1 && values.title ? (values.title as string) : basename(file, extname(file));
      const input = { file, course, title, ...(date ? { date } : {}), ...(values.subtitles ? { subtitles: values.subtitles as string } : {}) };
      const { recording, created } = await addFile(catalog, input, Date.now(), staging);
      const where = recording.stagedKey ? `  (staged: s3://${config.s3Bucket}/${recording.stagedKey})` : '';
      out(io, `${created ? 'queued ' : 'already '} ${recording.id}  ${recording.state.padEnd(11)} ${course} / ${title}${where}`);
    }
  } finally {
    client?.destroy();
  }
  return 0;
}

async function commandZoomSync(config: IngestConfig, catalog: Catalog, values: Record<string, unknown>, io: CliIo): Promise<number> {
  const client = zoomClient(config, io.signal);
  if (!client) throw new ConfigError(['HLSGATE_ZOOM_ACCOUNT_ID / HLSGATE_ZOOM_CLIENT_ID / HLSGATE_ZOOM_CLIENT_SECRET: needed for zoom sync']);
  const rules = loadRules(config);
  const to = values.to ? new Date(values.to as string) : new Date();
  const from = values.from ? new Date(values.from as string) : new Date(to.getTime() - 30 * 86_400_000);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from > to) throw new UsageError('--from and --to must be dates, from ≤ to');
  const counts: Record<string, number> = { queued: 0, existing: 0, unmapped: 0, no_video: 0 };
  for await (const meeting of client.listRecordings(config.zoomUserId, from, to)) {
    const outcome = await queueMeeting(catalog, meeting, { rules, recordingType: config.zoomRecordingType });
    counts[outcome.outcome]!++;
    if (outcome.outcome === 'queued') out(io, `queued    ${outcome.id}  ${outcome.course} / ${outcome.title}`);
    else if (outcome.outcome === 'unmapped') out(io, `skipped   meeting ${outcome.meetingId} "${outcome.topic}": no course in HLSGATE_COURSE_MAP matches it`);
    else if (outcome.outcome === 'no_video') out(io, `skipped   meeting ${outcome.meetingId} "${outcome.topic}": no completed MP4`);
  }
  out(io, `zoom sync ${from.toISOString().slice(0, 10)}..${to.toISOString().slice(0, 10)}: ${counts.queued} queued, ${counts.existing} already known, ${counts.unmapped} without a course, ${counts.no_video} without a video`);
  return 0;
}

async function commandRun(config: IngestConfig, catalog: Catalog, watch: boolean, io: CliIo): Promise<number> {
  const logger = createLogger({ name: 'ingest' });
  const s3 = createS3Client(config);
  const zoom = zoomClient(config, io.signal);
  const progress = createProgressReporter({ stream: io.stderr });
  try {
    const summary = await runQueue({
      config,
      catalog,
      s3,
      logger,
      owner: workerId(),
      watch,
      pollMs: 5000,
      ...(io.signal ? { signal: io.signal } : {}),
      onProgress: progress,
      onFinished: (r, outcome, step) => {
        progress.finish();
        if (outcome === 'lost') return out(io, `dropped    ${r.id}  ${r.course} / ${r.title}: another worker took it over`);
        if (step === 'captions') {
          return out(io, `captions   ${r.id}  ${r.course} / ${r.title}: ${formatCaptions(r) || 'none'}${r.captionsState !== 'published' && r.captionsError ? `\n  ${r.captionsError.split('\n')[0]}` : ''}`);
        }
        out(io, `${r.state.padEnd(10)} ${r.id}  ${r.course} / ${r.title}${r.repositoryPath ? `  → ${r.repositoryPath}` : ''}${r.state !== 'published' && r.lastError ? `\n  ${r.lastError.split('\n')[0]}` : ''}`);
      },
      ...(zoom ? { zoomAccessToken: () => zoom.accessToken() } : {}),
    });
    out(io, `done: ${summary.published} published, ${summary.retrying} to retry later, ${summary.failed} failed${summary.lost ? `, ${summary.lost} taken over by another worker` : ''}`);
    return summary.failed > 0 ? 1 : 0;
  } finally {
    progress.finish();
    s3.destroy();
  }
}

/**
 * `captions <id> --vtt` and `chapters <id> --vtt`: the file is checked here (an error names its
 * line), staged on S3 for whichever worker takes the step, and the step is run now when this
 * process can take the recording's lease.
 */
async function commandGiveVtt(config: IngestConfig, catalog: Catalog, kind: 'captions' | 'chapters', positionals: string[], values: Record<string, unknown>, io: CliIo): Promise<number> {
  if (!positionals[0]) throw new UsageError(`${kind} needs a recording id`);
  const file = values.vtt as string | undefined;
  if (!file) throw new UsageError(`${kind} needs --vtt <file.vtt>`);
  const recording = await findRecording(catalog, positionals[0]);
  if (recording.state !== 'published') throw new UsageError(`recording ${recording.id} is ${recording.state}: ${kind} can be given once it is published`);
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new IngestError('input_unreadable', `cannot read ${resolve(file)}: ${(error as Error).message}`, { fatal: true });
  }
  const parsed = parseVtt(text, { name: basename(file), durationSeconds: recording.durationSeconds });
  if (parsed.cues.length === 0) throw new IngestError('bad_vtt', `${basename(file)}: no cues`, { fatal: true });
  const body = normalizeVtt(parsed, kind);
  const key = `${INCOMING_PREFIX}${recording.id}/${kind}-${createHash('sha256').update(body).digest('hex').slice(0, 12)}.vtt`;
  const s3 = createS3Client(config);
  try {
    await s3.send(new PutObjectCommand({ Bucket: config.s3Bucket, Key: key, Body: body, ContentType: 'text/vtt' }));
    await catalog.queueCaptions(recording.id, Date.now(), kind === 'captions' ? { captionsInput: key } : { chaptersInput: key });
    const owner = workerId();
    const leased = await catalog.claim(owner, Date.now(), config.leaseSeconds * 1000, recording.id);
    if (!leased) {
      out(io, `queued    ${recording.id}  ${parsed.cues.length} ${kind} cues; a worker holds this recording and publishes them next`);
      return 0;
    }
    const logger = createLogger({ name: 'ingest' });
    const result = await processRecording({ config, catalog, s3, logger, owner, ...(io.signal ? { signal: io.signal } : {}) }, leased);
    if (result.outcome !== 'published') {
      io.stderr.write(`error (${result.recording.captionsErrorCode ?? 'captions'}): ${result.recording.captionsError ?? 'not published'}\n`);
      return 1;
    }
    out(io, `published ${recording.id}  ${parsed.cues.length} ${kind} cues  → ${result.recording.repositoryPath}`);
    return 0;
  } finally {
    s3.destroy();
  }
}

async function commandServe(config: IngestConfig, catalog: Catalog, values: Record<string, unknown>, io: CliIo): Promise<number> {
  if (!config.zoomWebhookSecret) throw new ConfigError(['HLSGATE_ZOOM_WEBHOOK_SECRET: needed to verify Zoom webhooks (serve)']);
  const logger = createLogger({ name: 'ingest-webhook' });
  const server = await startWebhookServer({
    secret: config.zoomWebhookSecret,
    catalog,
    rules: loadRules(config),
    recordingType: config.zoomRecordingType,
    logger,
    host: config.zoomWebhookHost,
    port: config.zoomWebhookPort,
  });
  out(io, `listening for Zoom webhooks on ${server.url}/zoom/webhook`);
  try {
    if (values['no-worker']) {
      await new Promise<void>((resolve) => (io.signal ? io.signal.addEventListener('abort', () => resolve(), { once: true }) : undefined));
      return 0;
    }
    return await commandRun(config, catalog, true, io);
  } finally {
    await server.stop();
  }
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        course: { type: 'string' },
        title: { type: 'string' },
        date: { type: 'string' },
        subtitles: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        watch: { type: 'boolean' },
        'no-worker': { type: 'boolean' },
        state: { type: 'string' },
        json: { type: 'boolean' },
        vtt: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command || command === 'help') {
    io.stdout.write(USAGE);
    return command || values.help ? 0 : 2;
  }
  let catalog: Catalog | null = null;
  try {
    const config = loadIngestConfig({ env: io.env, ...(values.config ? { file: values.config } : {}) });
    catalog = await openCatalog(config);
    switch (command) {
      case 'add':
        return await commandAdd(config, catalog, rest, values, io);
      case 'zoom':
        if (rest[0] !== 'sync') throw new UsageError('zoom needs a subcommand: zoom sync');
        return await commandZoomSync(config, catalog, values, io);
      case 'serve':
        return await commandServe(config, catalog, values, io);
      case 'run':
        return await commandRun(config, catalog, Boolean(values.watch), io);
      case 'status': {
        if (values.state && !STATES.includes(values.state as Recording['state'])) throw new UsageError(`--state must be one of ${STATES.join(', ')}`);
        const list = await catalog.list(values.state ? { state: values.state as Recording['state'] } : {});
        if (values.json) out(io, JSON.stringify(list.map(({ downloadToken: _t, ...r }) => r), null, 2));
        else out(io, list.length ? formatStatus(list) : 'no recordings');
        return 0;
      }
      case 'retry': {
        if (!rest[0]) throw new UsageError('retry needs a recording id');
        const r = await catalog.retry((await findRecording(catalog, rest[0])).id, Date.now());
        out(io, `requeued ${r.id}  ${r.course} / ${r.title}`);
        return 0;
      }
      case 'republish': {
        if (!rest[0]) throw new UsageError('republish needs a recording id');
        if (values.course !== undefined) courseFolder(values.course);
        if (values.title !== undefined && values.title.trim() === '') throw new UsageError('--title must not be empty');
        const changes = { ...(values.title !== undefined ? { title: values.title } : {}), ...(values.course !== undefined ? { course: values.course } : {}) };
        const r = await catalog.republish((await findRecording(catalog, rest[0])).id, Date.now(), changes);
        out(io, `requeued ${r.id}  ${r.course} / ${r.title} (the next run writes its repository copy)`);
        return 0;
      }
      case 'captions':
      case 'chapters':
        return await commandGiveVtt(config, catalog, command, rest, values, io);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`error: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      io.stderr.write(`${error.message}\n`);
      return 2;
    }
    const code = (error as { code?: string }).code;
    io.stderr.write(`error${code ? ` (${code})` : ''}: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await catalog?.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/ingest/cli.ts')) {
  // The AWS SDK warns on every start that its 2027 releases will need Node 22; hlsgate supports
  // Node 20.19+, so that one warning is noise to a person running a command. Others still show.
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name !== 'NodeVersionSupportWarning') process.stderr.write(`${warning.name}: ${warning.message}\n`);
  });
  const controller = new AbortController();
  let stops = 0;
  const stop = () => {
    if (++stops > 1) process.exit(130);
    process.stderr.write('\nstopping (the current step is abandoned and resumes on the next run; Ctrl-C again to quit now)\n');
    controller.abort(new IngestError('aborted', 'stopped by signal'));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  main(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr, signal: controller.signal }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
