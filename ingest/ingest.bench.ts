/**
 * Ingest benchmark (`npm run bench`, or `npx tsx ingest/ingest.bench.ts`), on two generated
 * 1280x720 clips — a test pattern (testsrc2) and a lecture-like clip (still slides, a small moving
 * speaker) — each measured in the same run:
 * - the physical limit of the ladder here: decode alone, and decode + scale + the top rung alone;
 * - the ladder as it was (x264 veryfast, one AAC encode per rung, MPEG-TS) and as it is now (the
 *   chosen x264 settings, one shared audio rendition; MPEG-TS and fMP4), wall and CPU seconds,
 *   and the ratio to the limit;
 * - x264 settings for lecture content by measured quality (SSIM and PSNR of every rung against
 *   the source scaled to its size) per CPU second;
 * - time to publish (the whole pipeline, probe to the repository copy, to the local S3),
 *   extrapolated to a 60-minute source;
 * - the upload of a ladder through a TCP proxy that adds 40 ms of round-trip time to the local S3:
 *   the worker pool against one object at a time.
 * - speech recognition (`asrBench`): CPU minutes per lecture-hour of each engine that runs here
 *   (pocketsphinx; Transcribe's compute is AWS's, the worker only polls) against the transcode of
 *   the same spoken clip at 1280x720 with the default ladder; a silent and a music-only minute
 *   finish; the engine's peak memory on a long input against a one-minute one (bounded memory).
 * Settings: HLSGATE_BENCH_SECONDS (clip length, default 60), HLSGATE_UPLOAD_CONCURRENCY (default 16),
 * HLSGATE_BENCH_SWEEP=0 measures only the settings before and now, HLSGATE_BENCH_ONLY=asr runs only
 * the speech recognition part, HLSGATE_BENCH_ASR_LONG (minutes of the long input, default 10).
 * Writes bench-results/ingest.json (bench-results/ingest-asr.json for the speech part).
 */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, type Socket, createServer, connect } from 'node:net';
import os, { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { createLogger } from '../common/log.ts';
import { DEFAULT_X264_LOWER_PRESET, DEFAULT_X264_PARAMS, DEFAULT_X264_PRESET } from './config.ts';
import { findFont, requireDrawtext } from './fonts.ts';
import { ingestFile } from './index.ts';
import { type PlannedRung, parseLadder, selectRungs } from './ladder.ts';
import { type ProbeResult, probe } from './probe.ts';
import { createS3Client } from './s3.ts';
import { makeLectureClip, makeTestClip } from './test-clip.ts';
import { loadLocalS3Module, testConfig } from './test-support.ts';
import { AUDIO_RENDITION, type TranscodePlan, buildTranscodeArgs } from './transcode.ts';
import { collectObjects, uploadObjects } from './upload.ts';

const seconds = Number(process.env.HLSGATE_BENCH_SECONDS ?? 60);
const concurrency = Number(process.env.HLSGATE_UPLOAD_CONCURRENCY ?? 16);
const sweep = process.env.HLSGATE_BENCH_SWEEP !== '0';
const LADDER = '1080:5000,720:2800,480:1400,360:800';
const HOUR = 3600;

interface X264Choice {
  name: string;
  preset: string;
  lowerPreset?: string;
  params?: string;
}

/** The ladder's x264 settings as they were, and as they are now (config.ts). */
const BEFORE: X264Choice = { name: 'veryfast (before)', preset: 'veryfast' };
const NOW: X264Choice = { name: `now: ${DEFAULT_X264_PRESET} top, ${DEFAULT_X264_LOWER_PRESET} below, ${DEFAULT_X264_PARAMS}`, preset: DEFAULT_X264_PRESET, lowerPreset: DEFAULT_X264_LOWER_PRESET, params: DEFAULT_X264_PARAMS };
/** x264 settings tried for lecture content, by quality per CPU second. */
const CANDIDATES: X264Choice[] = [
  BEFORE,
  NOW,
  { name: 'veryfast aq-mode=2', preset: 'veryfast', params: 'aq-mode=2' },
  { name: 'faster', preset: 'faster' },
  { name: 'superfast', preset: 'superfast' },
  { name: 'superfast aq-mode=2', preset: 'superfast', params: 'aq-mode=2' },
  { name: 'ultrafast', preset: 'ultrafast' },
];
const x264Of = (c: X264Choice) => ({ preset: c.preset, ...(c.lowerPreset ? { lowerPreset: c.lowerPreset } : {}), ...(c.params ? { x264Params: c.params } : {}) });

/** CPU seconds (user + system) of this process's waited-for children, from /proc/self/stat. */
function childCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

interface Cost {
  wallSeconds: number;
  cpuSeconds: number;
}

async function measure(run: () => Promise<unknown>): Promise<Cost> {
  const cpu0 = childCpuSeconds();
  const t0 = performance.now();
  await run();
  return { wallSeconds: (performance.now() - t0) / 1000, cpuSeconds: childCpuSeconds() - cpu0 };
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));
const ffmpeg = (args: string[]) => execa('ffmpeg', args);

/** The ladder as it was before the shared audio rendition: one AAC encode (and `a:N`) per rung. */
function audioPerRungArgs(plan: TranscodePlan): string[] {
  const args = buildTranscodeArgs(plan);
  if (!plan.hasAudio) return args;
  const out = [...args];
  const map = out.indexOf('0:a:0');
  out.splice(map + 1, 0, ...plan.rungs.slice(1).flatMap(() => ['-map', '0:a:0']));
  const bitrate = out.indexOf('-b:a');
  out.splice(bitrate, 2, ...plan.rungs.flatMap((r, i) => [`-b:a:${i}`, r.height <= 360 ? '96k' : '128k']));
  out[out.indexOf('-var_stream_map') + 1] = plan.rungs.map((r, i) => `v:${i},a:${i},name:${r.name}`).join(' ');
  return out;
}

/** SSIM (All) and PSNR (average) of a rung's output against the source scaled to its size. */
async function quality(source: string, playlist: string, width: number, height: number): Promise<{ ssim: number; psnr: number }> {
  const graph =
    `[0:v]setpts=PTS-STARTPTS,format=yuv420p,split[d1][d2];` +
    `[1:v]setpts=PTS-STARTPTS,scale=${width}:${height}:flags=bicubic,format=yuv420p,split[r1][r2];` +
    `[d1][r1]ssim;[d2][r2]psnr`;
  const result = await execa('ffmpeg', ['-hide_banner', '-nostdin', '-i', playlist, '-i', source, '-filter_complex', graph, '-an', '-f', 'null', '-']);
  const ssim = /SSIM .*All:([\d.]+)/.exec(result.stderr);
  const psnr = /PSNR .*average:([\d.]+|inf)/.exec(result.stderr);
  if (!ssim || !psnr) throw new Error(`no SSIM/PSNR in ffmpeg's output: ${result.stderr.slice(-500)}`);
  return { ssim: Number(ssim[1]), psnr: psnr[1] === 'inf' ? 100 : Number(psnr[1]) };
}

async function ladderQuality(source: string, outDir: string, rungs: PlannedRung[], probed: ProbeResult) {
  const per: Array<{ rung: string; ssim: number; psnr: number }> = [];
  for (const rung of rungs) {
    const width = Math.round((probed.width * rung.height) / probed.height / 2) * 2;
    per.push({ rung: rung.name, ...(await quality(source, join(outDir, rung.name, 'index.m3u8'), width, rung.height)) });
  }
  const mean = (k: 'ssim' | 'psnr') => per.reduce((s, r) => s + r[k], 0) / per.length;
  return { ssim: round(mean('ssim'), 4), psnr: round(mean('psnr')), rungs: per.map((r) => ({ ...r, ssim: round(r.ssim, 4), psnr: round(r.psnr) })) };
}

/** A TCP proxy that holds every chunk `delayMs` in each direction: `2 × delayMs` of round-trip time. */
async function startLatencyProxy(target: { host: string; port: number }, delayMs: number): Promise<{ port: number; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const delayed = (from: Socket, to: Socket) => {
    from.on('data', (chunk) => {
      // Same delay for every chunk, so timers fire in arrival order; back-pressure by pausing.
      setTimeout(() => {
        if (!to.destroyed && !to.write(chunk)) {
          from.pause();
          to.once('drain', () => from.resume());
        }
      }, delayMs);
    });
    from.on('end', () => setTimeout(() => to.end(), delayMs));
    from.on('error', () => to.destroy());
  };
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    for (const s of [client, upstream]) s.on('close', () => sockets.delete(s));
    delayed(client, upstream);
    delayed(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'hlsgate-bench-'));
  const s3module = await loadLocalS3Module();
  const s3 = await s3module.startS3({ directory: join(root, 's3'), buckets: ['media'] });
  const quiet = createLogger({ name: 'bench', level: 'silent' });
  try {
    console.log(`ingest bench: ${seconds} s 1280x720 clips, ladder ${LADDER} (capped at the source's 720p); x264 ${NOW.name}`);
    await requireDrawtext();
    const textFile = join(root, 'watermark.txt');
    await writeFile(textFile, 'Bench University MATH-101');
    const fontFile = await findFont();
    const clips = [
      { name: 'test pattern', path: join(root, 'pattern.mp4'), make: (path: string) => makeTestClip({ path, seconds, width: 1280, height: 720 }) },
      { name: 'lecture-like', path: join(root, 'lecture.mp4'), make: (path: string) => makeLectureClip({ path, seconds, width: 1280, height: 720 }) },
    ];
    const results: Record<string, unknown> = {};
    for (const clip of clips) {
      await clip.make(clip.path);
      const probed = await probe(clip.path);
      const rungs = selectRungs(parseLadder(LADDER), probed.height);
      const base = { input: clip.path, hasAudio: probed.hasAudio, watermarkTextFile: textFile, fontFile } as const;
      const now = x264Of(NOW);
      const dir = (name: string) => join(root, clip.name.replace(/\W+/g, '-'), name);
      console.log(`\n${clip.name}:`);

      const decode = await measure(() => ffmpeg(['-hide_banner', '-nostdin', '-v', 'error', '-i', clip.path, '-map', '0:v', '-f', 'null', '-']));
      // The limit: what no ladder of this top rung can beat here (the top rung is encoded as now).
      const limit = await measure(() => ffmpeg(buildTranscodeArgs({ ...base, ...now, hasAudio: false, rungs: rungs.slice(0, 1), outDir: dir('limit') })));
      const before = await measure(() => ffmpeg(audioPerRungArgs({ ...base, ...x264Of(BEFORE), rungs, outDir: dir('before') })));
      const ladder = await measure(() => ffmpeg(buildTranscodeArgs({ ...base, ...now, rungs, outDir: dir('now') })));
      const fmp4 = await measure(() => ffmpeg(buildTranscodeArgs({ ...base, ...now, segmentFormat: 'fmp4', rungs, outDir: dir('now-fmp4') })));
      const row = (label: string, c: Cost) =>
        console.log(`  ${label.padEnd(38)} wall ${c.wallSeconds.toFixed(1).padStart(5)} s  cpu ${c.cpuSeconds.toFixed(1).padStart(5)} s  ${(seconds / c.wallSeconds).toFixed(2)}× realtime  CPU ${(c.cpuSeconds / limit.cpuSeconds).toFixed(2)}× the limit's`);
      row('decode alone', decode);
      row(`limit: decode + ${rungs[0]!.name} alone`, limit);
      row(`ladder before (${rungs.map((r) => r.name).join('/')}, veryfast)`, before);
      row('ladder now (MPEG-TS)', ladder);
      row('ladder now (fMP4)', fmp4);

      // Quality: every rung against the source scaled to its size, encoded without the watermark
      // (burnt-in text is a wanted difference from the source, not a coding loss) and without audio.
      const candidates = [];
      console.log('  x264 settings, quality (SSIM / PSNR per rung, mean) per CPU second of the video ladder:');
      for (const c of sweep ? CANDIDATES : [BEFORE, NOW]) {
        const out = dir(`sweep-${c.name.replace(/\W+/g, '-')}`);
        const cost = await measure(() => ffmpeg(buildTranscodeArgs({ input: clip.path, hasAudio: false, ...x264Of(c), rungs, outDir: out })));
        const q = await ladderQuality(clip.path, out, rungs, probed);
        candidates.push({ ...c, cpuSeconds: round(cost.cpuSeconds), ...q });
        const perRung = q.rungs.map((r) => `${r.rung} ${r.ssim.toFixed(4)}/${r.psnr.toFixed(1)}`).join('  ');
        console.log(`    ${c.name.padEnd(46)} cpu ${cost.cpuSeconds.toFixed(1).padStart(5)} s  SSIM ${q.ssim.toFixed(4)} PSNR ${q.psnr.toFixed(2)} dB  (${perRung})`);
      }
      const qualityBefore = candidates.find((c) => c.name === BEFORE.name)!;
      const qualityNow = candidates.find((c) => c.name === NOW.name)!;

      // The whole pipeline: probe, transcode, poster, package, upload, verify, repository copy.
      const config = testConfig(dir('publish'), s3.endpoint, s3module.LOCAL_S3_CREDENTIALS, {
        ladder: parseLadder(LADDER),
        x264Preset: DEFAULT_X264_PRESET,
        x264LowerPreset: DEFAULT_X264_LOWER_PRESET,
        x264Params: DEFAULT_X264_PARAMS,
        uploadConcurrency: concurrency,
        leaseSeconds: 120,
      });
      const publish = await measure(() => ingestFile(config, { file: clip.path, course: 'BENCH', title: clip.name }, { logger: quiet }));
      const perHour = (publish.wallSeconds * HOUR) / seconds;
      console.log(`  time to publish (probe → repository copy): ${publish.wallSeconds.toFixed(1)} s wall, ${publish.cpuSeconds.toFixed(1)} s CPU = ${(seconds / publish.wallSeconds).toFixed(2)}× realtime; a 60-minute source: ${(perHour / 60).toFixed(1)} min`);

      results[clip.name] = {
        decode: { wallSeconds: round(decode.wallSeconds), cpuSeconds: round(decode.cpuSeconds) },
        limit: { rung: rungs[0]!.name, wallSeconds: round(limit.wallSeconds), cpuSeconds: round(limit.cpuSeconds), realtimeFactor: round(seconds / limit.wallSeconds) },
        ladderBefore: { wallSeconds: round(before.wallSeconds), cpuSeconds: round(before.cpuSeconds), cpuToLimit: round(before.cpuSeconds / limit.cpuSeconds), quality: { ssim: qualityBefore.ssim, psnr: qualityBefore.psnr, rungs: qualityBefore.rungs } },
        ladderNow: { wallSeconds: round(ladder.wallSeconds), cpuSeconds: round(ladder.cpuSeconds), cpuToLimit: round(ladder.cpuSeconds / limit.cpuSeconds), quality: { ssim: qualityNow.ssim, psnr: qualityNow.psnr, rungs: qualityNow.rungs } },
        ladderNowFmp4: { wallSeconds: round(fmp4.wallSeconds), cpuSeconds: round(fmp4.cpuSeconds) },
        cpuSaved: round(1 - ladder.cpuSeconds / before.cpuSeconds, 3),
        x264Sweep: candidates,
        timeToPublish: {
          wallSeconds: round(publish.wallSeconds),
          cpuSeconds: round(publish.cpuSeconds),
          realtimeFactor: round(seconds / publish.wallSeconds),
          sixtyMinuteSourceMinutes: round(perHour / 60, 1),
          target: '≥ 4× realtime',
        },
      };
    }

    // Upload through 40 ms of round-trip time.
    const proxy = await startLatencyProxy({ host: '127.0.0.1', port: s3.port }, 20);
    const objectsDir = join(root, 'lecture-like', 'now');
    const client = createS3Client(testConfig(root, `http://127.0.0.1:${proxy.port}`, s3module.LOCAL_S3_CREDENTIALS));
    let sequentialSeconds = Infinity;
    let pooledSeconds = Infinity;
    let objectCount = 0;
    let bytes = 0;
    for (let run = 0; run < 3; run++) {
      // Fresh keys every run, so nothing is skipped as already uploaded.
      const sequentialObjects = await collectObjects(objectsDir, `bench/sequential-${run}/`);
      const pooledObjects = await collectObjects(objectsDir, `bench/pool-${run}/`);
      objectCount = pooledObjects.length;
      bytes = pooledObjects.reduce((s, o) => s + o.size, 0);
      const t0 = performance.now();
      await uploadObjects({ client, bucket: 'media', objects: sequentialObjects, concurrency: 1 });
      sequentialSeconds = Math.min(sequentialSeconds, (performance.now() - t0) / 1000);
      const t1 = performance.now();
      await uploadObjects({ client, bucket: 'media', objects: pooledObjects, concurrency });
      pooledSeconds = Math.min(pooledSeconds, (performance.now() - t1) / 1000);
    }
    client.destroy();
    await proxy.stop();
    const upload = {
      rttMs: 40,
      objects: objectCount,
      bytes,
      sequential: { seconds: round(sequentialSeconds, 3), bytesPerSecond: Math.round(bytes / sequentialSeconds) },
      pool: { concurrency, seconds: round(pooledSeconds, 3), bytesPerSecond: Math.round(bytes / pooledSeconds) },
      ratio: round(sequentialSeconds / pooledSeconds),
      target: 'pool ≥ 8× faster than sequential at 40 ms RTT',
    };
    console.log(`\nupload through 40 ms RTT: ${objectCount} objects (the lecture-like ladder, ${AUDIO_RENDITION} included), ${(bytes / 1e6).toFixed(1)} MB`);
    console.log(`  sequential ${upload.sequential.seconds} s, pool of ${concurrency} ${upload.pool.seconds} s: ${upload.ratio}× (target ≥ 8×)`);

    const machine = { cpus: os.cpus().length, node: process.version, loadAverageAtEnd: os.loadavg().map((n) => round(n)) };
    await mkdir('bench-results', { recursive: true });
    await writeFile(join('bench-results', 'ingest.json'), JSON.stringify({ clipSeconds: seconds, ladder: LADDER, x264: NOW, clips: results, upload, machine }, null, 2) + '\n');
    console.log(`\nmachine    ${machine.cpus} CPUs, load average ${machine.loadAverageAtEnd.join(' ')} (other work on the machine skews wall times; CPU times hold)`);
    console.log('wrote bench-results/ingest.json');
  } finally {
    await s3.stop();
    await rm(root, { recursive: true, force: true });
  }
}

/** Peak resident memory (kB) and CPU seconds of one command, from GNU time. */
async function peak(command: string, args: string[]): Promise<{ maxRssKb: number; cpuSeconds: number; wallSeconds: number; stdout: string }> {
  const t0 = performance.now();
  const result = await execa('/usr/bin/time', ['-f', 'HLSGATE_TIME %M %U %S', command, ...args]);
  const m = /HLSGATE_TIME (\d+) ([\d.]+) ([\d.]+)/.exec(String(result.stderr))!;
  return { maxRssKb: Number(m[1]), cpuSeconds: Number(m[2]) + Number(m[3]), wallSeconds: (performance.now() - t0) / 1000, stdout: String(result.stdout) };
}

/**
 * whisper through the engine itself (its own process and ffmpeg's decode counted as CPU), with the
 * model in HLSGATE_BENCH_WHISPER_MODEL: none is reachable from this machine, so by default it
 * says so instead of a figure.
 */
async function whisperBench(audio: string, seconds: number, script: string, workDir: string) {
  const model = process.env.HLSGATE_BENCH_WHISPER_MODEL;
  if (!model) return 'not measured: no whisper.cpp model here (set HLSGATE_BENCH_WHISPER_MODEL to a ggml model file)';
  const { whisperEngine } = await import('./asr-whisper.ts');
  const { wordErrorRate } = await import('./asr.ts');
  let words: string[] = [];
  const cost = await measure(async () => {
    const result = await whisperEngine({ model }).recognize({ audio, language: 'en', workDir, timeoutMs: 3_600_000 });
    words = result.words.map((w) => w.text);
  });
  return {
    model: basename(model),
    cpuSeconds: round(cost.cpuSeconds),
    wallSeconds: round(cost.wallSeconds),
    cpuMinutesPerLectureHour: round(((cost.cpuSeconds / seconds) * HOUR) / 60, 1),
    wordErrorRate: round(wordErrorRate(script, words.join(' ')), 3),
  };
}

async function asrBench(): Promise<void> {
  const { extractAudio, wordErrorRate } = await import('./asr.ts');
  const { parsePocketsphinx, POCKETSPHINX_MODEL } = await import('./asr-pocketsphinx.ts');
  const { SPOKEN_SLIDES, makeSpokenClip } = await import('./test-clip.ts');
  const root = await mkdtemp(join(tmpdir(), 'hlsgate-bench-asr-'));
  const longMinutes = Number(process.env.HLSGATE_BENCH_ASR_LONG ?? 10);
  const perHour = (cpuSeconds: number, mediaSeconds: number) => round(((cpuSeconds / mediaSeconds) * HOUR) / 60, 1);
  const sphinx = (wav: string) =>
    peak('pocketsphinx_continuous', ['-infile', wav, '-time', 'yes', '-hmm', POCKETSPHINX_MODEL, '-dict', join(POCKETSPHINX_MODEL, '..', 'cmudict-en-us.dict'), '-lm', join(POCKETSPHINX_MODEL, '..', 'en-us.lm.bin'), '-logfn', '/dev/null']);
  const wavOf = async (input: string[], out: string) => void (await ffmpeg(['-hide_banner', '-nostdin', '-y', '-v', 'error', ...input, '-ac', '1', '-ar', '16000', '-c:a', 'pcm_s16le', out]));
  try {
    console.log('\nspeech recognition (CPU minutes per lecture-hour; 2 shared CPUs, CPU times hold):');
    const clip = await makeSpokenClip({ cacheDir: root, width: 1280, height: 720 });
    const clipSeconds = (await probe(clip)).durationSeconds;
    const probed = await probe(clip);
    const rungs = selectRungs(parseLadder(LADDER), probed.height);
    const transcodeCost = await measure(() => ffmpeg(buildTranscodeArgs({ input: clip, hasAudio: true, ...x264Of(NOW), rungs, outDir: join(root, 'ladder'), sceneFile: join(root, 'scenes.txt') })));
    const extract = await measure(() => extractAudio(clip, join(root, 'audio.flac')));
    await wavOf(['-i', join(root, 'audio.flac')], join(root, 'speech.wav'));
    const speech = await sphinx(join(root, 'speech.wav'));
    const wer = wordErrorRate(SPOKEN_SLIDES.join(' '), parsePocketsphinx(speech.stdout).map((w) => w.text).join(' '));
    await wavOf(['-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono', '-t', '60'], join(root, 'silent.wav'));
    const silent = await sphinx(join(root, 'silent.wav'));
    await wavOf(['-f', 'lavfi', '-i', "aevalsrc='0.2*sin(2*PI*(220+110*floor(t))*t)+0.2*sin(2*PI*330*t)':s=16000", '-t', '60'], join(root, 'music.wav'));
    const music = await sphinx(join(root, 'music.wav'));
    await wavOf(['-stream_loop', String(Math.ceil((longMinutes * 60) / clipSeconds) - 1), '-i', join(root, 'audio.flac'), '-t', String(longMinutes * 60)], join(root, 'long.wav'));
    const long = await sphinx(join(root, 'long.wav'));
    const out = {
      clipSeconds,
      transcode: { ladder: rungs.map((r) => r.name), cpuSeconds: round(transcodeCost.cpuSeconds), cpuMinutesPerLectureHour: perHour(transcodeCost.cpuSeconds, clipSeconds) },
      audioExtraction: { cpuSeconds: round(extract.cpuSeconds), cpuMinutesPerLectureHour: perHour(extract.cpuSeconds, clipSeconds) },
      pocketsphinx: { cpuSeconds: round(speech.cpuSeconds), cpuMinutesPerLectureHour: perHour(speech.cpuSeconds, clipSeconds), wordErrorRate: round(wer, 3), maxRssMb: round(speech.maxRssKb / 1024, 1) },
      silentMinute: { cpuSeconds: round(silent.cpuSeconds), words: parsePocketsphinx(silent.stdout).length, maxRssMb: round(silent.maxRssKb / 1024, 1) },
      musicMinute: { cpuSeconds: round(music.cpuSeconds), words: parsePocketsphinx(music.stdout).length, maxRssMb: round(music.maxRssKb / 1024, 1) },
      long: { minutes: longMinutes, cpuSeconds: round(long.cpuSeconds), cpuMinutesPerLectureHour: perHour(long.cpuSeconds, longMinutes * 60), maxRssMb: round(long.maxRssKb / 1024, 1) },
      transcribe: 'AWS computes; the worker stages the FLAC (the extraction above) and polls',
      whisper: await whisperBench(join(root, 'audio.flac'), clipSeconds, SPOKEN_SLIDES.join(' '), root),
    };
    console.log(`  transcode, ${out.transcode.ladder.join('/')} (scene detection included)  ${out.transcode.cpuMinutesPerLectureHour} CPU-min/h`);
    console.log(`  audio extraction (16 kHz FLAC)                   ${out.audioExtraction.cpuMinutesPerLectureHour} CPU-min/h`);
    console.log(`  pocketsphinx                                     ${out.pocketsphinx.cpuMinutesPerLectureHour} CPU-min/h, WER ${(wer * 100).toFixed(1)} %, peak ${out.pocketsphinx.maxRssMb} MB`);
    console.log(`  pocketsphinx, a silent minute / a music minute   ${out.silentMinute.cpuSeconds} s / ${out.musicMinute.cpuSeconds} s CPU, ${out.silentMinute.words} / ${out.musicMinute.words} words`);
    console.log(`  pocketsphinx, ${longMinutes} min of speech                    ${out.long.cpuMinutesPerLectureHour} CPU-min/h, peak ${out.long.maxRssMb} MB (1 min: ${out.pocketsphinx.maxRssMb} MB)`);
    console.log(`  whisper                                          ${typeof out.whisper === 'string' ? out.whisper : `${out.whisper.cpuMinutesPerLectureHour} CPU-min/h, WER ${(out.whisper.wordErrorRate * 100).toFixed(1)} % (${out.whisper.model})`}`);
    await mkdir('bench-results', { recursive: true });
    await writeFile(join('bench-results', 'ingest-asr.json'), JSON.stringify(out, null, 2) + '\n');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

if (process.env.HLSGATE_BENCH_ONLY !== 'asr') await main();
await asrBench();
