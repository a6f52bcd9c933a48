/**
 * Captions as a step of its own: a 60-s spoken slide clip (espeak-ng) through the real pipeline
 * with pocketsphinx, the local S3, and the SQLite catalog (the catalog contract, captions claims
 * included, runs on PostgreSQL too: catalog.test.ts). One full recognition in the whole file.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../common/log.ts';
import { sleep } from '../common/retry.ts';
import { wordErrorRate } from './asr.ts';
import { type Recording, SqliteCatalog } from './catalog.ts';
import { main } from './cli.ts';
import type { IngestConfig } from './config.ts';
import { addFile } from './index.ts';
import { parseAttributes, sessionValue } from './master.ts';
import { CAPTIONS_STATUS_DATA_ID } from '../common/contracts.ts';
import { parseLadder } from './ladder.ts';
import { createS3Client } from './s3.ts';
import { SPOKEN_SLIDES, SPOKEN_SLIDE_SECONDS, SPOKEN_SYNC_WORDS, TEST_CLIP_CACHE, makeSpokenClip, spokenWordTime } from './test-clip.ts';
import { type TestEnv, startTestEnv } from './test-support.ts';
import { getText, listRemote } from './upload.ts';
import { runQueue } from './worker.ts';
import { qualityGate } from './captions.ts';

const quiet = createLogger({ name: 'test', level: 'silent' });

function capture() {
  const chunks: string[] = [];
  const stream = new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c.toString()), cb()) }) as Writable & NodeJS.WriteStream;
  return { stream, text: () => chunks.join('') };
}

describe('captions step (pocketsphinx)', () => {
  let env: TestEnv;
  let catalog: SqliteCatalog;
  let clip: string;
  let recording: Recording;
  const s3 = () => createS3Client(env.config);

  beforeAll(async () => {
    // One rung: what is tested here is not the ladder.
    env = await startTestEnv({ asr: 'pocketsphinx', asrMinConfidence: 0.9, maxAttempts: 2, chapterMinSeconds: 10, ladder: parseLadder('240:300') });
    catalog = new SqliteCatalog(env.config.catalogPath);
    clip = await makeSpokenClip({ cacheDir: TEST_CLIP_CACHE });
  });
  afterAll(async () => {
    await catalog?.close();
    await env?.cleanup();
  });

  /** Runs the queue until nothing is due (retries included, their delays are ms here). */
  async function drain(config: IngestConfig, seen: Array<{ step: string; recording: Recording; master: string | null }> = []) {
    const client = s3();
    try {
      for (let round = 0; round < 20; round++) {
        await runQueue({
          config,
          catalog,
          s3: client,
          logger: quiet,
          owner: `test-${round}`,
          onFinished: (r) => void seen.push({ step: '', recording: r, master: null }),
        });
        const current = (await catalog.get(recording.id))!;
        if (current.state !== 'queued' && current.captionsState !== 'queued' && current.captionsState !== 'recognizing') return current;
        await sleep(120);
      }
      throw new Error('the queue did not settle');
    } finally {
      client.destroy();
    }
  }

  async function master(r: Recording): Promise<string> {
    const client = s3();
    try {
      return (await getText(client, 'media', r.masterKey!))!;
    } finally {
      client.destroy();
    }
  }

  it('publishes the lecture first; a crashing and a hanging engine leave it published without captions, with a status and a retry', async () => {
    recording = (await addFile(catalog, { file: clip, course: 'MATH-101', title: 'Eigenvalues' })).recording;
    // Stopped right after the media step: published, and the master tells the teacher captions are to come.
    const stop = new AbortController();
    const client = s3();
    await runQueue({ config: env.config, catalog, s3: client, logger: quiet, owner: 'media-only', signal: stop.signal, onFinished: (_r, _o, step) => step === 'media' && stop.abort() });
    client.destroy();
    const first = (await catalog.get(recording.id))!;
    expect(first).toMatchObject({ state: 'published', captionsState: 'queued' });
    expect(sessionValue(await master(first), CAPTIONS_STATUS_DATA_ID)).toMatch(/^pending: speech recognition is queued/);
    expect(sessionValue(readFileSync(first.repositoryPath!, 'utf8'), CAPTIONS_STATUS_DATA_ID)).toMatch(/^pending: /);
    // The engine crashes (a model folder that is not there) on every attempt.
    const crashing = await drain({ ...env.config, asrModel: join(env.root, 'no-model', 'en-us') });
    expect(crashing).toMatchObject({ state: 'published', captionsState: 'failed', captionsErrorCode: 'asr_failed', captionsAttempts: 2, audioKey: `incoming/${recording.id}/audio.flac` });
    expect(crashing.captionsError).toMatch(/pocketsphinx failed \(exit 1\).*does not contain acoustic model/);
    const published = await master(crashing);
    expect(published).not.toContain('TYPE=SUBTITLES');
    // Failed for good: the teacher's status says so and why, in the S3 master and the repository copy.
    expect(sessionValue(published, CAPTIONS_STATUS_DATA_ID)).toMatch(/^failed: pocketsphinx failed \(exit 1\).*published without captions/);
    expect(sessionValue(readFileSync(crashing.repositoryPath!, 'utf8'), CAPTIONS_STATUS_DATA_ID)).toMatch(/^failed: pocketsphinx failed/);
    // Chapters at the slide changes (20 s and 40 s), found during the transcode's decode.
    expect(crashing.chaptersSource).toBe('slides');
    expect(published).toContain('#EXT-X-SESSION-DATA:DATA-ID="com.apple.hls.chapters",URI="chapters.json"');
    expect(readFileSync(crashing.repositoryPath!, 'utf8')).toContain(`#EXT-X-SESSION-DATA:DATA-ID="com.apple.hls.chapters",URI="http://localhost:8787/lectures/${crashing.dir}/chapters.json"`);
    const chapters = JSON.parse((await getText(s3(), 'media', `lectures/${crashing.dir}/chapters.json`))!) as Array<{ 'start-time': number; titles: Array<{ title: string }> }>;
    expect(chapters.map((c) => c.titles[0]!.title)).toEqual(['Slide 1', 'Slide 2', 'Slide 3']);
    chapters.forEach((c, i) => expect(Math.abs(c['start-time'] - i * SPOKEN_SLIDE_SECONDS)).toBeLessThanOrEqual(2));
    const chaptersVtt = (await getText(s3(), 'media', `lectures/${crashing.dir}/chapters.vtt`))!;
    expect(chaptersVtt).toMatch(/^WEBVTT\n\nchapter-1\n00:00:00\.000 --> 00:00:2\d\.\d{3}\nSlide 1\n/);
    expect(readFileSync(crashing.repositoryPath!, 'utf8')).toContain('#EXT-X-STREAM-INF');
    const status = capture();
    await main(['status'], { env: cliEnv(env.config), stdout: status.stream, stderr: capture().stream });
    expect(status.text()).toMatch(/CAPTIONS/);
    expect(status.text()).toMatch(new RegExp(`${recording.id.slice(0, 8)} +published .* failed: asr_failed`));
    expect(status.text()).toMatch(/captions: pocketsphinx failed .*the recording stays published; `ingest retry/);

    // Retried with a time limit it cannot meet: stopped, and failed again once out of attempts.
    await catalog.retry(recording.id, Date.now());
    const hanging = await drain({ ...env.config, asrTimeout: 1, maxAttempts: 1 });
    expect(hanging).toMatchObject({ state: 'published', captionsState: 'failed', captionsErrorCode: 'asr_timeout' });
    expect(hanging.captionsError).toMatch(/longer than 1 s \(HLSGATE_ASR_TIMEOUT\)/);

    // whisper with a corrupt model (whisper.cpp's magic, then no model): ggml aborts the engine's
    // own process; the worker goes on, the lecture stays published, its audio kept for a retry.
    const model = join(env.root, 'corrupt-ggml.bin');
    writeFileSync(model, Buffer.concat([Buffer.from('lmgg'), Buffer.alloc(4096, 0x5a)]));
    await catalog.retry(recording.id, Date.now());
    const whisper = await drain({ ...env.config, asr: 'whisper', asrModel: model });
    expect(whisper).toMatchObject({ state: 'published', captionsState: 'failed', captionsErrorCode: 'asr_failed', captionsAttempts: 1, audioKey: `incoming/${recording.id}/audio.flac` });
    expect(whisper.captionsError).toMatch(/^whisper cannot load the model .*corrupt-ggml\.bin: the engine crashed \(SIGABRT\)/);
    expect(await master(whisper)).not.toContain('TYPE=SUBTITLES');
  });

  it('a retry with a working engine republishes only the playlists and the subtitles; captions below the gate are a transcript, not AUTOSELECT', async () => {
    recording = (await catalog.get(recording.id))!;
    const client = s3();
    const before = await listRemote(client, 'media', `lectures/${recording.dir}/`);
    await catalog.retry(recording.id, Date.now());
    const done = await drain(env.config);
    const after = await listRemote(client, 'media', `lectures/${recording.dir}/`);
    client.destroy();
    expect(done).toMatchObject({ state: 'published', captionsState: 'published', captionsSource: 'asr:pocketsphinx', captionsLanguage: 'en', captionsAutoselect: 0, audioKey: null });
    expect(done.captionsNote).toMatch(/below 0\.90 \(HLSGATE_ASR_MIN_CONFIDENCE\): published as a transcript/);
    const changed = [...after].filter(([key, o]) => before.get(key)?.etag !== o.etag).map(([key]) => key.slice(`lectures/${recording.dir}/`.length)).sort();
    // Slide chapters retitled with the first words spoken in them.
    expect(changed).toEqual(['chapters.json', 'chapters.vtt', 'master.m3u8', 'subs/index.m3u8', expect.stringMatching(/^subs\/transcript-[0-9a-f]{12}\.vtt$/)]);
    const titles = (JSON.parse((await getText(s3(), 'media', `lectures/${done.dir}/chapters.json`))!) as Array<{ titles: Array<{ title: string }> }>).map((c) => c.titles[0]!.title);
    expect(titles).toHaveLength(3);
    expect(titles.every((t) => !t.startsWith('Slide') && t.endsWith('…'))).toBe(true);
    expect([...before.keys()].every((k) => after.has(k))).toBe(true);

    const text = await master(done);
    const line = text.split('\n').find((l) => l.includes('TYPE=SUBTITLES'))!;
    expect(parseAttributes(line.slice(13))).toMatchObject({ LANGUAGE: 'en', AUTOSELECT: 'NO', DEFAULT: 'NO', NAME: 'English (automatic)', URI: 'subs/index.m3u8' });
    // Why, for the teacher in Moodle: the gate's note as the master's captions status.
    expect(sessionValue(text, CAPTIONS_STATUS_DATA_ID)).toBe(`not-selected: ${done.captionsNote!}`);
    expect(sessionValue(readFileSync(done.repositoryPath!, 'utf8'), CAPTIONS_STATUS_DATA_ID)).toMatch(/^not-selected: recognised by pocketsphinx, mean word confidence 0\.\d\d is below 0\.90/);
    expect(text.split('\n').filter((l) => l.startsWith('#EXT-X-STREAM-INF:')).every((l) => l.endsWith(',SUBTITLES="subs"'))).toBe(true);
    expect(readFileSync(done.repositoryPath!, 'utf8')).toContain(`URI="http://localhost:8787/lectures/${done.dir}/subs/index.m3u8"`);

    // The cues: in sync with the slides (each part's speech starts as its slide shows), mapped to the
    // segments' clock, and the words measured against what espeak-ng said.
    const playlist = (await getText(s3(), 'media', `lectures/${done.dir}/subs/index.m3u8`))!;
    const vttName = playlist.split('\n').find((l) => l.endsWith('.vtt'))!;
    const vtt = (await getText(s3(), 'media', `lectures/${done.dir}/subs/${vttName}`))!;
    expect(vtt).toMatch(/^WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:\d+,LOCAL:00:00:00\.000\n/);
    const starts = [...vtt.matchAll(/^(\d\d):(\d\d):(\d\d\.\d{3}) --> /gm)].map((m) => Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]));
    for (let part = 0; part < SPOKEN_SLIDES.length; part++) {
      const first = starts.find((s) => s >= part * SPOKEN_SLIDE_SECONDS - 1)!;
      expect(Math.abs(first - part * SPOKEN_SLIDE_SECONDS)).toBeLessThan(1);
    }
    // Each word below shows in a cue while espeak-ng says it (the truth from espeak-ng's own timing,
    // spokenWordTime, not from the recogniser): the captions are in sync word by word, in every slide.
    const cues = vtt.split('\n\n').slice(1).map((block) => {
      const [timing, ...text] = block.split('\n');
      const [from, to] = timing!.split(' --> ').map((t) => t.split(':').reduce((sum, part) => sum * 60 + Number(part), 0));
      return { start: from!, end: to!, words: text.join(' ').toLowerCase().split(/\s+/) };
    });
    for (const word of SPOKEN_SYNC_WORDS) {
      const truth = await spokenWordTime(word);
      const mid = (truth.start + truth.end) / 2;
      expect(cues.find((c) => c.words.includes(word) && c.start <= mid && mid <= c.end), `"${word}", said ${truth.start.toFixed(2)}–${truth.end.toFixed(2)} s, in ${JSON.stringify(cues)}`).toBeDefined();
    }
    const words = vtt.split('\n\n').slice(1).map((block) => block.split('\n').slice(1).join(' ')).join(' ');
    const wer = wordErrorRate(SPOKEN_SLIDES.join(' '), words);
    console.info(`pocketsphinx word error rate on the spoken clip: ${(wer * 100).toFixed(1)} % (mean confidence ${done.captionsConfidence!.toFixed(3)})`);
    expect(wer).toBeLessThan(0.75);
  });

  it('captions --vtt: a broken file is refused naming its line; a good one replaces the captions, AUTOSELECT, markup kept as text', async () => {
    const dir = join(env.root, 'hand');
    mkdirSync(dir, { recursive: true });
    const run = async (...argv: string[]) => {
      const stdout = capture();
      const stderr = capture();
      const code = await main(argv, { env: cliEnv(env.config), stdout: stdout.stream, stderr: stderr.stream });
      return { code, stdout: stdout.text(), stderr: stderr.text() };
    };
    writeFileSync(join(dir, 'late.vtt'), 'WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nHello\n\n00:00:58.000 --> 00:01:05.000\nToo late\n');
    expect(await run('captions', recording.id, '--vtt', join(dir, 'late.vtt'))).toMatchObject({ code: 1, stderr: expect.stringMatching(/bad_vtt.*late\.vtt line 6: the cue ends at 00:01:05\.000, after the end of the recording/) });
    writeFileSync(join(dir, 'garbled.vtt'), 'WEBVTT\n\n00:00:01.000 -> 00:00:04.000\nHello\n');
    expect((await run('captions', recording.id, '--vtt', join(dir, 'garbled.vtt'))).stderr).toMatch(/garbled\.vtt line 3: expected a cue timing line/);
    writeFileSync(join(dir, 'fixed.vtt'), 'WEBVTT\n\n00:00:00.500 --> 00:00:04.000\n<script>alert(1)</script> Welcome to <i>linear algebra</i> & more\n\n00:00:20.000 --> 00:00:24.000\nThe second part: eigenvalues.\n');
    const given = await run('captions', recording.id.slice(0, 8), '--vtt', join(dir, 'fixed.vtt'));
    expect(given).toMatchObject({ code: 0, stdout: expect.stringMatching(/^published .* 2 captions cues/) });
    const r = (await catalog.get(recording.id))!;
    expect(r).toMatchObject({ captionsState: 'published', captionsSource: 'manual', captionsAutoselect: 1, captionsInput: null });
    const text = await master(r);
    expect(text).toMatch(/TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=YES/);
    // Captions given by hand: nothing left to explain.
    expect(sessionValue(text, CAPTIONS_STATUS_DATA_ID)).toBeNull();
    const playlist = (await getText(s3(), 'media', `lectures/${r.dir}/subs/index.m3u8`))!;
    const vtt = (await getText(s3(), 'media', `lectures/${r.dir}/subs/${playlist.split('\n').find((l) => l.endsWith('.vtt'))!}`))!;
    expect(vtt).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Welcome to <i>linear algebra</i> &amp; more');

    // Chapters by hand, the same way.
    writeFileSync(join(dir, 'chapters.vtt'), 'WEBVTT\n\n00:00:00.000 --> 00:00:30.000\nIntroduction & <b>vectors</b>\n\n00:00:30.000 --> 00:01:00.000\nAn example\n');
    expect(await run('chapters', recording.id, '--vtt', join(dir, 'chapters.vtt'))).toMatchObject({ code: 0 });
    const after = (await catalog.get(recording.id))!;
    expect(after).toMatchObject({ chaptersSource: 'manual', chaptersInput: null, captionsSource: 'manual', captionsState: 'published' });
    const json = JSON.parse((await getText(s3(), 'media', `lectures/${r.dir}/chapters.json`))!) as Array<{ 'start-time': number; titles: Array<{ title: string }> }>;
    expect(json.map((c) => [c['start-time'], c.titles[0]!.title])).toEqual([[0, 'Introduction & vectors'], [30, 'An example']]);
    expect(await master(after)).toMatch(/AUTOSELECT=YES/);
  });

  it('qualityGate passes captions at or above the threshold', () => {
    expect(qualityGate(0.72, 0.6, 'pocketsphinx')).toMatchObject({ autoselect: true, note: expect.stringContaining('0.72 (at least 0.60)') });
    expect(qualityGate(0.5, 0.6, 'pocketsphinx').autoselect).toBe(false);
  });
});

export function cliEnv(c: IngestConfig): Record<string, string> {
  return {
    HLSGATE_LOG_LEVEL: 'silent',
    HLSGATE_S3_BUCKET: c.s3Bucket,
    HLSGATE_S3_ENDPOINT: c.s3Endpoint!,
    HLSGATE_S3_FORCE_PATH_STYLE: 'true',
    HLSGATE_S3_ACCESS_KEY_ID: c.s3AccessKeyId!,
    HLSGATE_S3_SECRET_ACCESS_KEY: c.s3SecretAccessKey!,
    HLSGATE_MEDIA_BASE_URL: c.mediaBaseUrl,
    HLSGATE_REPOSITORY_ROOT: c.repositoryRoot,
    HLSGATE_CATALOG_PATH: c.catalogPath,
    HLSGATE_WORK_DIR: c.workDir,
    HLSGATE_LADDER: '240:300',
    HLSGATE_X264_PRESET: 'ultrafast',
    HLSGATE_ASR: c.asr,
    HLSGATE_ASR_MIN_CONFIDENCE: String(c.asrMinConfidence),
  };
}

describe('captions step on bad input', () => {
  let env: TestEnv;
  let catalog: SqliteCatalog;
  beforeAll(async () => {
    env = await startTestEnv({ asr: 'pocketsphinx', maxAttempts: 3, ladder: parseLadder('240:300') });
    catalog = new SqliteCatalog(env.config.catalogPath);
  });
  afterAll(async () => {
    await catalog?.close();
    await env?.cleanup();
  });

  async function ingest(file: string, config: IngestConfig, subtitles?: string): Promise<Recording> {
    const { recording } = await addFile(catalog, { file, course: 'C-1', title: `${file.split('/').pop()!}${subtitles ? ' +vtt' : ''}`, ...(subtitles ? { subtitles } : {}) });
    const client = createS3Client(config);
    try {
      for (let round = 0; round < 20; round++) {
        await runQueue({ config, catalog, s3: client, logger: quiet, owner: `w${round}` });
        const current = (await catalog.get(recording.id))!;
        if (current.state === 'published' && current.captionsState !== 'queued' && current.captionsState !== 'recognizing') return current;
        await sleep(120);
      }
      throw new Error('the queue did not settle');
    } finally {
      client.destroy();
    }
  }

  it('music only: no words, failed at once (asr_empty); no audio at all: nothing to recognise; another language than asked: failed (asr_wrong_language); the video published every time', async () => {
    const { makeTestClip } = await import('./test-clip.ts');
    const { execa } = await import('execa');
    const tone = join(env.root, 'tone.mp4');
    await makeTestClip({ path: tone, seconds: 4, width: 320, height: 240 });
    const music = await ingest(tone, env.config);
    expect(music).toMatchObject({ state: 'published', captionsState: 'failed', captionsErrorCode: 'asr_empty', captionsAttempts: 1 });
    const statusClient = createS3Client(env.config);
    const musicMaster = (await getText(statusClient, 'media', music.masterKey!))!;
    expect(musicMaster).not.toContain('TYPE=SUBTITLES');
    expect(sessionValue(musicMaster, CAPTIONS_STATUS_DATA_ID)).toMatch(/^no-speech: pocketsphinx recognised no speech \(a silent or music-only recording\?\); published without captions$/);

    const mute = join(env.root, 'mute.mp4');
    await makeTestClip({ path: mute, seconds: 3, width: 320, height: 240, audio: false });
    const muted = await ingest(mute, env.config);
    expect(muted).toMatchObject({ state: 'published', captionsState: null, audioKey: null });
    expect(sessionValue((await getText(statusClient, 'media', muted.masterKey!))!, CAPTIONS_STATUS_DATA_ID)).toBeNull();
    statusClient.destroy();

    const spoken = join(env.root, 'spoken-5s.mp4');
    await execa('ffmpeg', ['-v', 'error', '-y', '-i', await makeSpokenClip({ cacheDir: TEST_CLIP_CACHE }), '-t', '5', '-c', 'copy', spoken]);
    const german = await ingest(spoken, { ...env.config, asrLanguage: 'de' });
    expect(german).toMatchObject({ state: 'published', captionsState: 'failed', captionsErrorCode: 'asr_wrong_language', captionsAttempts: 1 });
    expect(german.captionsError).toMatch(/pocketsphinx recognised en, not the de asked for/);
    const client = createS3Client(env.config);
    expect((await getText(client, 'media', german.masterKey!))!).not.toContain('SUBTITLES');
    client.destroy();
  });

  it('a transcript given with the recording wins over recognition, unless HLSGATE_ASR_OVER_TRANSCRIPT', async () => {
    const { makeTestClip } = await import('./test-clip.ts');
    const clip = join(env.root, 'with-transcript.mp4');
    await makeTestClip({ path: clip, seconds: 4, width: 320, height: 240 });
    const vtt = join(env.root, 'zoom.vtt');
    writeFileSync(vtt, 'WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nHello from the transcript\n');
    const kept = await ingest(clip, env.config, vtt);
    expect(kept).toMatchObject({ state: 'published', captionsState: 'published', captionsSource: 'file', captionsAutoselect: 1, audioKey: null });
    const client = createS3Client(env.config);
    expect((await getText(client, 'media', kept.masterKey!))!).toMatch(/TYPE=SUBTITLES,GROUP-ID="subs",NAME="Transcript",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=YES/);
    client.destroy();
    // Told to recognise anyway: the engine's result (here: nothing in a tone) decides, not the transcript.
    const copy = join(env.root, 'with-transcript-2.mp4');
    writeFileSync(copy, readFileSync(clip));
    expect(await ingest(copy, { ...env.config, asrOverTranscript: true }, vtt)).toMatchObject({ state: 'published', captionsState: 'failed', captionsErrorCode: 'asr_empty', captionsSource: null });
  });
});
