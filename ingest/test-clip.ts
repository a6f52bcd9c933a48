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
