import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseLadder, selectRungs } from './ladder.ts';
import { parseMediaPlaylist } from './master.ts';
import { type ProbeResult, interpretProbe, probe } from './probe.ts';
import { makeTestClip } from './test-clip.ts';
import { buildFilterGraph, buildTranscodeArgs, escapeFilterValue, renderWatermark, transcode } from './transcode.ts';

const rungs = selectRungs(parseLadder('720:2800,360:800'), 720);

describe('buildTranscodeArgs', () => {
  it('decodes once, watermarks before the split, one encoder per rung with its own VBV', () => {
    const args = buildTranscodeArgs({ input: 'in.mp4', outDir: '/out', rungs, hasAudio: true, preset: 'veryfast', watermarkTextFile: '/w/t.txt', fontFile: '/f.ttf' });
    expect(args.filter((a) => a === '-i')).toHaveLength(1);
    const graph = args[args.indexOf('-filter_complex') + 1]!;
    expect(graph).toMatch(/^\[0:v\]drawtext=fontfile=\/f\.ttf:textfile=\/w\/t\.txt:expansion=none:.*,split=2\[s0\]\[s1\];\[s0\]scale=-2:720\[v0\];\[s1\]scale=-2:360\[v1\]$/);
    expect(args.join(' ')).toContain('-force_key_frames expr:gte(t,n_forced*2)');
    expect(args.join(' ')).toContain('-sc_threshold 0');
    expect(args.join(' ')).toContain('-b:v:0 2800k -maxrate:v:0 2996k -bufsize:v:0 4200k -b:v:1 800k -maxrate:v:1 856k -bufsize:v:1 1200k');
    expect(args.join(' ')).toContain('-hls_time 6 -hls_playlist_type vod -hls_flags independent_segments');
    // One audio encode, shared by both rungs as an audio group.
    expect(args[args.indexOf('-var_stream_map') + 1]).toBe('a:0,agroup:aud,name:audio v:0,agroup:aud,name:720p v:1,agroup:aud,name:360p');
    expect(args.filter((a) => a === '0:a:0')).toHaveLength(1);
    expect(args.filter((a) => a.startsWith('-b:a'))).toEqual(['-b:a']);
    expect(args.join(' ')).toContain('-hls_segment_type mpegts -hls_segment_filename /out/%v/seg_%05d.ts');
    expect(args).not.toContain('-x264-params');
    const fmp4 = buildTranscodeArgs({ input: 'in.mp4', outDir: '/out', rungs, hasAudio: true, preset: 'veryfast', segmentFormat: 'fmp4', x264Params: 'ref=2' });
    expect(fmp4.join(' ')).toContain('-hls_segment_type fmp4 -hls_fmp4_init_filename init.mp4 -hls_segment_filename /out/%v/seg_%05d.m4s');
    expect(fmp4.join(' ')).toContain('-x264-params ref=2');
    const cheaper = buildTranscodeArgs({ input: 'in.mp4', outDir: '/out', rungs, hasAudio: false, preset: 'veryfast', lowerPreset: 'superfast' });
    expect(cheaper.join(' ')).toContain('-preset veryfast -profile:v high');
    expect(cheaper.join(' ')).toContain('-preset:v:1 superfast');
    expect(cheaper).not.toContain('-preset:v:0');
    expect(args.at(-1)).toBe('/out/%v/index.m3u8');
  });

  it('maps no audio for a silent source, and needs no split for one rung', () => {
    const args = buildTranscodeArgs({ input: 'in.mp4', outDir: '/out', rungs: rungs.slice(1), hasAudio: false, preset: 'ultrafast' });
    expect(args).not.toContain('0:a:0');
    expect(args).not.toContain('-c:a');
    expect(args[args.indexOf('-var_stream_map') + 1]).toBe('v:0,name:360p');
    expect(buildFilterGraph({ input: 'x', outDir: '/o', rungs: rungs.slice(1), hasAudio: false, preset: 'x' })).toBe('[0:v]scale=-2:360[v0]');
    expect(buildFilterGraph({ input: 'x', outDir: '/o', rungs, hasAudio: false, preset: 'x', fpsCap: 30 })).toBe(
      '[0:v]fps=30,split=2[s0][s1];[s0]scale=-2:720[v0];[s1]scale=-2:360[v1]',
    );
    // Slide changes from the same decode: a 160-px copy through the scene score, before the watermark.
    expect(buildFilterGraph({ input: 'x', outDir: '/o', rungs: rungs.slice(1), hasAudio: false, preset: 'x', sceneFile: "/w/it's.txt" })).toBe(
      "[0:v]split=2[scenesrc][main];[scenesrc]scale=160:-2,select='gt(scene,0.3)',metadata=print:file=/w/it\\\\\\'s.txt,nullsink;[main]scale=-2:360[v0]",
    );
  });

  it('escapes paths for the filtergraph and fills the watermark template', () => {
    expect(escapeFilterValue("/a b/it's:x,[y];z")).toBe("/a b/it\\\\\\'s\\\\:x\\,\\[y\\]\\;z");
    expect(renderWatermark('{institution} · {course} {unknown}', { institution: '', course: 'MATH' })).toBe('· MATH {unknown}');
  });
});

describe('probe', () => {
  it('reads rotation, frame rate and audio from ffprobe JSON', () => {
    const result = interpretProbe(
      { streams: [{ codec_type: 'video', codec_name: 'h264', width: 1920, height: 1080, avg_frame_rate: '30000/1001', side_data_list: [{ rotation: -90 }] }], format: { duration: '12.5' } },
      'x.mp4',
    );
    expect(result).toEqual({ durationSeconds: 12.5, width: 1080, height: 1920, frameRate: 30000 / 1001, hasAudio: false, videoCodec: 'h264', videoStreamIndex: 0 });
    const withCover = interpretProbe(
      {
        streams: [
          { index: 0, codec_type: 'video', codec_name: 'mjpeg', width: 300, height: 300, disposition: { attached_pic: 1 } },
          { index: 1, codec_type: 'video', codec_name: 'h264', width: 1280, height: 720, r_frame_rate: '25/1' },
          { index: 2, codec_type: 'audio' },
        ],
        format: { duration: '5' },
      },
      'cover.mp4',
    );
    expect(withCover).toMatchObject({ width: 1280, height: 720, videoStreamIndex: 1, hasAudio: true, frameRate: 25 });
    expect(buildFilterGraph({ input: 'x', outDir: '/o', rungs: rungs.slice(1), hasAudio: false, preset: 'x', videoStreamIndex: 1 })).toBe('[0:1]scale=-2:360[v0]');
    expect(() => interpretProbe({ streams: [{ codec_type: 'audio' }], format: { duration: '3' } }, 'a.m4a')).toThrow(/no video stream/);
  });
});

describe('transcode (real ffmpeg)', () => {
  let dir: string;
  let clip: string;
  let probed: ProbeResult;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hlsgate-transcode-'));
    clip = join(dir, 'clip.mp4');
    await makeTestClip({ path: clip, seconds: 8, width: 320, height: 240, audio: false });
    probed = await probe(clip);
  });

  it('overlays an image watermark; a missing image is a clear error', async () => {
    const logo = join(dir, 'logo.png');
    await execa('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=white@0.5:s=40x20,format=rgba', '-frames:v', '1', logo]);
    const outDir = join(dir, 'img', 'out');
    const oneRung = selectRungs(parseLadder('240:300'), 240);
    await transcode({ input: clip, outDir, probe: probed, rungs: oneRung, preset: 'ultrafast', watermarkImage: logo, watermarkText: 'x' });
    expect(parseMediaPlaylist(await import('node:fs/promises').then((f) => f.readFile(join(outDir, '240p', 'index.m3u8'), 'utf8'))).segments).toHaveLength(2);
    await expect(transcode({ input: clip, outDir, probe: probed, rungs: oneRung, preset: 'ultrafast', watermarkImage: join(dir, 'nope.png') })).rejects.toMatchObject({
      code: 'watermark_image_missing',
      fatal: true,
    });
  });

  it('stops on cancellation and on timeout, with the reason as the error code', async () => {
    const controller = new AbortController();
    const oneRung = selectRungs(parseLadder('240:300'), 240);
    const cancelled = transcode({
      input: clip, outDir: join(dir, 'cancel', 'out'), probe: probed, rungs: oneRung, preset: 'veryslow', signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(cancelled).rejects.toMatchObject({ code: 'aborted' });
    await expect(
      transcode({ input: clip, outDir: join(dir, 'timeout', 'out'), probe: probed, rungs: oneRung, preset: 'veryslow', timeoutMs: 50 }),
    ).rejects.toMatchObject({ code: 'transcode_timeout' });
    expect(existsSync(join(dir, 'timeout', 'out'))).toBe(true);
    expect(readdirSync(dir)).toContain('cancel');
  });
});
