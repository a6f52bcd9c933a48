/** A generated clip (testsrc2 + sine) for tests, the demo and benchmarks. */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { execa } from 'execa';

export interface TestClipOptions {
  path: string;
  seconds: number;
  width: number;
  height: number;
  fps?: number;
  /** A 440 Hz tone; false makes a silent screen capture with no audio stream at all. */
  audio?: boolean;
}

export async function makeTestClip(options: TestClipOptions): Promise<void> {
  const fps = options.fps ?? 30;
  await mkdir(dirname(options.path), { recursive: true });
  const args = ['-hide_banner', '-nostdin', '-y', '-v', 'error',
    '-f', 'lavfi', '-i', `testsrc2=size=${options.width}x${options.height}:rate=${fps}:duration=${options.seconds}`];
  if (options.audio !== false) args.push('-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${options.seconds}`);
  args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '23', '-pix_fmt', 'yuv420p', '-g', String(fps * 2));
  if (options.audio !== false) args.push('-c:a', 'aac', '-b:a', '96k');
  args.push('-movflags', '+faststart', '-t', String(options.seconds), options.path);
  await execa('ffmpeg', args);
}

/**
 * A lecture-like clip, which is what schools encode: still slides (a title bar and lines of
 * "text" as boxes, a new slide every 12 s) with a small moving speaker picture (a zooming
 * Mandelbrot with camera noise) in the corner, and a tone. Encoded as a camera or Zoom would
 * deliver it (High profile with B-frames), so its decode costs what a real source's does.
 */
export async function makeLectureClip(options: Omit<TestClipOptions, 'fps' | 'audio'>): Promise<void> {
  const { width: w, height: h, seconds } = options;
  await mkdir(dirname(options.path), { recursive: true });
  const slides = Math.max(1, Math.ceil(seconds / 12));
  const boxes: string[] = [];
  for (let s = 0; s < slides; s++) {
    const on = `enable='between(t,${s * 12},${s * 12 + 12})'`;
    boxes.push(`drawbox=x=${Math.round(w * 0.06)}:y=${Math.round(h * 0.06)}:w=${Math.round(w * (0.5 + 0.05 * (s % 4)))}:h=${Math.round(h * 0.09)}:color=0x1f3a93:t=fill:${on}`);
    for (let line = 0; line < 6; line++) {
      const width = Math.round(w * (0.3 + ((s * 7 + line * 13) % 40) / 100));
      boxes.push(`drawbox=x=${Math.round(w * 0.08)}:y=${Math.round(h * (0.24 + line * 0.1))}:w=${width}:h=${Math.round(h * 0.035)}:color=0x333333:t=fill:${on}`);
    }
  }
  const sw = Math.round(w / 5 / 2) * 2;
  const sh = Math.round((sw * 3) / 4 / 2) * 2;
  const graph = [
    `color=c=0xf4f4f0:s=${w}x${h}:r=30:d=${seconds},${boxes.join(',')}[slides]`,
    `mandelbrot=s=${sw}x${sh}:r=30,trim=duration=${seconds},noise=alls=10:allf=t,format=yuv420p[speaker]`,
    `[slides][speaker]overlay=x=W-w-${Math.round(w * 0.03)}:y=H-h-${Math.round(h * 0.04)}:shortest=1,format=yuv420p[v]`,
  ].join(';');
  await execa('ffmpeg', [
    '-hide_banner', '-nostdin', '-y', '-v', 'error',
    '-filter_complex', graph,
    '-f', 'lavfi', '-i', `sine=frequency=220:sample_rate=48000:duration=${seconds}`,
    '-map', '[v]', '-map', '0:a',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-profile:v', 'high', '-pix_fmt', 'yuv420p', '-g', '60',
    '-c:a', 'aac', '-b:a', '96k', '-movflags', '+faststart', '-t', String(seconds), options.path,
  ]);
}
