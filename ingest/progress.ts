/** ffmpeg `-progress pipe:1` parsing, and the progress line shown to a person. Pure, except Reporter. */

export interface TranscodeProgress {
  /** Media time written so far, seconds. */
  outTimeSeconds: number;
  /** 0..1 of the source duration. */
  fraction: number;
  /** ffmpeg's speed (×realtime) when it reports one. */
  speed: number | null;
  done: boolean;
}

/**
 * Accumulates `key=value` lines from `-progress` output; each block ends with `progress=continue`
 * or `progress=end`, at which `push` returns a snapshot. Partial lines across chunks are kept.
 */
export class ProgressParser {
  #buffer = '';
  #fields = new Map<string, string>();
  constructor(private readonly durationSeconds: number) {}

  push(chunk: string): TranscodeProgress[] {
    this.#buffer += chunk;
    const lines = this.#buffer.split('\n');
    this.#buffer = lines.pop() ?? '';
    const out: TranscodeProgress[] = [];
    for (const raw of lines) {
      const line = raw.trim();
      const eq = line.indexOf('=');
      if (eq <= 0) continue;
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1);
      this.#fields.set(key, value);
      if (key === 'progress') {
        out.push(snapshot(this.#fields, this.durationSeconds));
        this.#fields.clear();
      }
    }
    return out;
  }
}

function snapshot(fields: Map<string, string>, duration: number): TranscodeProgress {
  // out_time_us is microseconds; ffmpeg 5.1 also writes out_time_ms with the same (µs) value.
  const us = Number(fields.get('out_time_us') ?? fields.get('out_time_ms'));
  const outTimeSeconds = Number.isFinite(us) && us > 0 ? us / 1e6 : 0;
  const speedMatch = /^([\d.]+)x$/.exec(fields.get('speed')?.trim() ?? '');
  const done = fields.get('progress') === 'end';
  const fraction = done ? 1 : duration > 0 ? Math.min(1, outTimeSeconds / duration) : 0;
  return { outTimeSeconds, fraction, speed: speedMatch ? Number(speedMatch[1]) : null, done };
}

/** Seconds left at the average rate so far; null until there is a rate. */
export function estimateRemaining(fraction: number, elapsedSeconds: number): number | null {
  if (fraction <= 0 || elapsedSeconds <= 0) return null;
  if (fraction >= 1) return 0;
  return (elapsedSeconds / fraction) * (1 - fraction);
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** `label [#####.....]  42%  ETA 1:05  extra` */
export function renderBar(label: string, fraction: number, width: number, extra = ''): string {
  const f = Math.max(0, Math.min(1, fraction));
  const filled = Math.round(f * width);
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(f * 100)).padStart(3)}%${extra ? '  ' + extra : ''}`;
}

export type ProgressEvent =
  | { phase: 'transcode'; fraction: number; outTimeSeconds: number; speed: number | null }
  | { phase: 'upload'; fraction: number; bytesDone: number; bytesTotal: number; objectsDone: number; objectsTotal: number; key?: string; skipped?: boolean };

export interface ProgressSink {
  (event: ProgressEvent): void;
}

/**
 * Shows progress to a person: a bar redrawn in place on a TTY (with ETA, and bytes/s for
 * uploads), otherwise a plain line at most every `intervalMs`.
 */
export function createProgressReporter(options: {
  stream?: NodeJS.WriteStream;
  now?: () => number;
  intervalMs?: number;
  label?: string;
}): ProgressSink & { finish(): void } {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const tty = Boolean(stream.isTTY);
  const interval = options.intervalMs ?? (tty ? 100 : 5000);
  let phase: string | null = null;
  let phaseStart = 0;
  let lastDraw = -Infinity;
  let drawn = false;
  const sink = (event: ProgressEvent) => {
    const t = now();
    if (event.phase !== phase) {
      if (drawn && tty) stream.write('\n');
      phase = event.phase;
      phaseStart = t;
      lastDraw = -Infinity;
    }
    const complete = event.fraction >= 1;
    if (!complete && t - lastDraw < interval) return;
    lastDraw = t;
    const elapsed = (t - phaseStart) / 1000;
    const eta = `ETA ${formatDuration(estimateRemaining(event.fraction, elapsed))}`;
    const label = `${options.label ? options.label + ' ' : ''}${event.phase.padEnd(9)}`;
    let extra: string;
    if (event.phase === 'transcode') {
      extra = `${eta}${event.speed ? `  ${event.speed.toFixed(2)}x` : ''}`;
    } else {
      const rate = elapsed > 0 ? event.bytesDone / elapsed : 0;
      extra = `${event.objectsDone}/${event.objectsTotal} objects  ${formatBytes(event.bytesDone)}/${formatBytes(event.bytesTotal)}  ${formatBytes(rate)}/s  ${eta}`;
    }
    const line = renderBar(label, event.fraction, tty ? 30 : 20, extra);
    if (tty) {
      stream.write(`\r${line}\x1b[K`);
      drawn = true;
    } else {
      stream.write(line + '\n');
    }
  };
  return Object.assign(sink, {
    finish() {
      if (drawn && tty) stream.write('\n');
      drawn = false;
      phase = null;
    },
  });
}
