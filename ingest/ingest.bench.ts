/**
 * Ingest benchmark (`npm run bench`, or `npx tsx ingest/ingest.bench.ts`):
 * - on one generated 720p clip: the single-pass ladder (one ffmpeg, one decode, `split`) against
 *   one ffmpeg process per rung (same settings, run side by side), wall and CPU time, and the
 *   realtime factor of the single pass;
 * - the upload of that ladder to the local S3: the worker pool against one object at a time.
 * Settings: HLSGATE_BENCH_SECONDS (clip length, default 60), HLSGATE_X264_PRESET (default veryfast),
 * HLSGATE_UPLOAD_CONCURRENCY (default 16), HLSGATE_BENCH_RUNS (interleaved transcode runs, best
 * kept, default 2). Writes bench-results/ingest.json.
 */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { findFont, requireDrawtext } from './fonts.ts';
import { parseLadder, selectRungs } from './ladder.ts';
import { probe } from './probe.ts';
import { createS3Client } from './s3.ts';
import { makeTestClip } from './test-clip.ts';
import { loadLocalS3Module, testConfig } from './test-support.ts';
import { type TranscodePlan, buildTranscodeArgs } from './transcode.ts';
import { collectObjects, uploadObjects } from './upload.ts';

const seconds = Number(process.env.HLSGATE_BENCH_SECONDS ?? 60);
const preset = process.env.HLSGATE_X264_PRESET ?? 'veryfast';
const concurrency = Number(process.env.HLSGATE_UPLOAD_CONCURRENCY ?? 16);
const runs = Math.max(1, Number(process.env.HLSGATE_BENCH_RUNS ?? 2));

/** CPU seconds (user + system) of this process's waited-for children, from /proc/self/stat. */
function childCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command name: field 3 is index 0, so cutime (16) and cstime (17) are 13 and 14.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

async function measure(run: () => Promise<unknown>): Promise<{ wallSeconds: number; cpuSeconds: number }> {
  const cpu0 = childCpuSeconds();
  const t0 = performance.now();
  await run();
  return { wallSeconds: (performance.now() - t0) / 1000, cpuSeconds: childCpuSeconds() - cpu0 };
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'hlsgate-bench-'));
  const s3module = await loadLocalS3Module();
  const s3 = await s3module.startS3({ directory: join(root, 's3'), buckets: ['media'] });
  try {
    const clip = join(root, 'clip.mp4');
    console.log(`ingest bench: ${seconds} s 1280x720 clip, x264 preset ${preset}, ${process.env.HLSGATE_LADDER ?? '720/480/360'}`);
    await makeTestClip({ path: clip, seconds, width: 1280, height: 720 });
    const probed = await probe(clip);
    const rungs = selectRungs(parseLadder(process.env.HLSGATE_LADDER ?? '1080:5000,720:2800,480:1400,360:800'), probed.height);
    await requireDrawtext();
    const textFile = join(root, 'watermark.txt');
    await writeFile(textFile, 'Bench University MATH-101');
    const base: Omit<TranscodePlan, 'outDir' | 'rungs'> = { input: clip, hasAudio: probed.hasAudio, preset, watermarkTextFile: textFile, fontFile: await findFont() };

    // Interleaved runs, best of each: other work on the machine only ever slows a run down.
    const singleDir = join(root, 'single');
    await mkdir(singleDir, { recursive: true });
    const singleRuns: Array<{ wallSeconds: number; cpuSeconds: number }> = [];
    const perRungRuns: Array<{ wallSeconds: number; cpuSeconds: number }> = [];
    for (let run = 0; run < runs; run++) {
      singleRuns.push(await measure(() => execa('ffmpeg', buildTranscodeArgs({ ...base, outDir: singleDir, rungs }))));
      perRungRuns.push(
        await measure(() =>
          Promise.all(rungs.map((rung) => execa('ffmpeg', buildTranscodeArgs({ ...base, outDir: join(root, `rung-${rung.name}`), rungs: [rung] })))),
        ),
      );
      console.log(`  run ${run + 1}/${runs}: single pass ${round(singleRuns[run]!.wallSeconds)} s wall / ${round(singleRuns[run]!.cpuSeconds)} s CPU, per rung ${round(perRungRuns[run]!.wallSeconds)} s / ${round(perRungRuns[run]!.cpuSeconds)} s`);
    }
    const best = (list: Array<{ wallSeconds: number; cpuSeconds: number }>) => ({
      wallSeconds: Math.min(...list.map((r) => r.wallSeconds)),
      cpuSeconds: Math.min(...list.map((r) => r.cpuSeconds)),
    });
    const single = best(singleRuns);
    const perRung = best(perRungRuns);

    const config = testConfig(root, s3.endpoint, s3module.LOCAL_S3_CREDENTIALS);
    const client = createS3Client(config);
    let sequentialSeconds = Infinity;
    let pooledSeconds = Infinity;
    let objectCount = 0;
    let bytes = 0;
    for (let run = 0; run < 5; run++) {
      // Fresh keys every run, so nothing is skipped as already uploaded.
      const sequentialObjects = await collectObjects(singleDir, `bench/sequential-${run}/`);
      const pooledObjects = await collectObjects(singleDir, `bench/pool-${run}/`);
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

    const results = {
      clip: { seconds, width: 1280, height: 720, preset, rungs: rungs.map((r) => r.name) },
      runs: { transcode: runs, upload: 5, figure: 'best of the runs, interleaved' },
      transcode: {
        singlePass: { wallSeconds: round(single.wallSeconds), cpuSeconds: round(single.cpuSeconds) },
        processPerRung: { wallSeconds: round(perRung.wallSeconds), cpuSeconds: round(perRung.cpuSeconds) },
        wallRatio: round(perRung.wallSeconds / single.wallSeconds),
        cpuRatio: round(perRung.cpuSeconds / single.cpuSeconds),
        realtimeFactor: round(seconds / single.wallSeconds),
        target: 'single pass ≥ 1.2× faster in wall and CPU time',
      },
      upload: {
        objects: objectCount,
        bytes,
        sequential: { seconds: round(sequentialSeconds, 3), bytesPerSecond: Math.round(bytes / sequentialSeconds) },
        pool: { concurrency, seconds: round(pooledSeconds, 3), bytesPerSecond: Math.round(bytes / pooledSeconds) },
        ratio: round(sequentialSeconds / pooledSeconds),
        target: 'pool ≥ 3× faster than sequential',
      },
      machine: { cpus: os.cpus().length, node: process.version, loadAverageAtEnd: os.loadavg().map((n) => round(n)) },
    };
    const t = results.transcode;
    console.log(`transcode  single pass     wall ${t.singlePass.wallSeconds} s  cpu ${t.singlePass.cpuSeconds} s  (${t.realtimeFactor}× realtime)`);
    console.log(`           process per rung wall ${t.processPerRung.wallSeconds} s  cpu ${t.processPerRung.cpuSeconds} s`);
    console.log(`           single pass is ${t.wallRatio}× faster in wall time, ${t.cpuRatio}× in CPU time (target ≥ 1.2×)`);
    const u = results.upload;
    console.log(`upload     ${u.objects} objects, ${(bytes / 1e6).toFixed(1)} MB to the local S3`);
    console.log(`           sequential ${u.sequential.seconds} s (${(u.sequential.bytesPerSecond / 1e6).toFixed(1)} MB/s), pool of ${concurrency} ${u.pool.seconds} s (${(u.pool.bytesPerSecond / 1e6).toFixed(1)} MB/s): ${u.ratio}× (target ≥ 3×)`);
    await mkdir('bench-results', { recursive: true });
    await writeFile(join('bench-results', 'ingest.json'), JSON.stringify(results, null, 2) + '\n');
    console.log(`machine    ${results.machine.cpus} CPUs, load average ${results.machine.loadAverageAtEnd.join(' ')} (other work on the machine skews wall times; CPU times hold)`);
    console.log('wrote bench-results/ingest.json');
  } finally {
    await s3.stop();
    await rm(root, { recursive: true, force: true });
  }
}

await main();
