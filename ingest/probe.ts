/** ffprobe a source: duration, resolution, frame rate, audio. */
import { stat } from 'node:fs/promises';
import { execa } from 'execa';
import { IngestError, tailLines } from './errors.ts';

export interface ProbeResult {
  durationSeconds: number;
  /** Display size (rotation applied). */
  width: number;
  height: number;
  /** Frames per second, e.g. 29.97. */
  frameRate: number;
  hasAudio: boolean;
  videoCodec: string;
  /** Index of the video stream to use (cover art and thumbnails are not it). */
  videoStreamIndex: number;
}

interface FfprobeStream {
  index?: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  duration?: string;
  tags?: Record<string, string>;
  side_data_list?: Array<{ rotation?: number }>;
  disposition?: { attached_pic?: number };
}

/** `"30000/1001"` → 29.97; null when not a usable rate. */
export function parseRate(value: string | undefined): number | null {
  if (!value) return null;
  const [num, den] = value.split('/').map(Number);
  if (!num || !Number.isFinite(num)) return null;
  const rate = den ? num / den : num;
  return rate > 0 && rate < 1000 ? rate : null;
}

/** Pure: ffprobe's JSON → ProbeResult, or an IngestError saying what is wrong with the input. */
export function interpretProbe(json: { streams?: FfprobeStream[]; format?: { duration?: string } }, file: string): ProbeResult {
  const streams = json.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  if (!video || !video.width || !video.height) {
    throw new IngestError('input_not_video', `${file} has no video stream`, { fatal: true });
  }
  const duration = Number(json.format?.duration ?? video.duration);
  if (!Number.isFinite(duration) || duration <= 0) {
    throw new IngestError('input_not_video', `${file} has no usable duration`, { fatal: true });
  }
  const rotation = Number(video.tags?.rotate ?? video.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? 0);
  const swap = Math.abs(rotation) % 180 === 90;
  const frameRate = parseRate(video.avg_frame_rate) ?? parseRate(video.r_frame_rate) ?? 30;
  return {
    durationSeconds: duration,
    width: swap ? video.height : video.width,
    height: swap ? video.width : video.height,
    frameRate,
    hasAudio: streams.some((s) => s.codec_type === 'audio'),
    videoCodec: video.codec_name ?? 'unknown',
    videoStreamIndex: video.index ?? 0,
  };
}

export async function probe(file: string, signal?: AbortSignal): Promise<ProbeResult> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    throw new IngestError('input_unreadable', `cannot read ${file}: ${(error as Error).message}`, { fatal: true, cause: error });
  }
  if (size === 0) throw new IngestError('input_not_video', `${file} is empty`, { fatal: true });
  const result = await execa(
    'ffprobe',
    ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file],
    { reject: false, ...(signal ? { cancelSignal: signal } : {}) },
  );
  if (result.isCanceled) throw new IngestError('aborted', 'probe cancelled');
  if (result.failed) {
    if ((result as { code?: string }).code === 'ENOENT') {
      throw new IngestError('probe_failed', 'ffprobe is not installed (Debian: apt-get install ffmpeg)', { fatal: true });
    }
    throw new IngestError('input_not_video', `${file} is not a readable video (ffprobe exit ${result.exitCode})`, {
      fatal: true,
      stderrTail: tailLines(String(result.stderr)),
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(String(result.stdout));
  } catch {
    throw new IngestError('probe_failed', `ffprobe printed no JSON for ${file}`, { fatal: true });
  }
  return interpretProbe(json as Parameters<typeof interpretProbe>[0], file);
}
