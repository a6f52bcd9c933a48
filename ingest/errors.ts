/** Errors are data: a string code, a human message, and whether retrying can help. */
import { retryDelay } from '../common/retry.ts';
import type { IngestConfig } from './config.ts';

export type IngestErrorCode =
  | 'input_unreadable'
  | 'input_not_video'
  | 'input_truncated'
  | 'probe_failed'
  | 'transcode_failed'
  | 'transcode_timeout'
  | 'aborted'
  | 'font_missing'
  | 'drawtext_missing'
  | 'watermark_image_missing'
  | 'upload_failed'
  | 'verify_failed'
  | 'publish_failed'
  | 'unknown_course'
  | 'download_failed'
  | 'download_expired'
  | 'zoom_api'
  | 'zoom_auth'
  | 'catalog'
  | 'bad_request'
  | 'asr_failed'
  | 'asr_timeout'
  | 'asr_empty'
  | 'asr_wrong_language'
  | 'asr_unavailable'
  | 'bad_vtt';

export class IngestError extends Error {
  constructor(
    readonly code: IngestErrorCode,
    message: string,
    readonly options: { fatal?: boolean; stderrTail?: string; cause?: unknown } = {},
  ) {
    super(options.stderrTail ? `${message}\n--- ffmpeg stderr (tail) ---\n${options.stderrTail}` : message, {
      cause: options.cause,
    });
    this.name = 'IngestError';
  }
  /** A fatal error will not go away by retrying (bad input, missing font). */
  get fatal(): boolean {
    return this.options.fatal ?? false;
  }
  get stderrTail(): string | undefined {
    return this.options.stderrTail;
  }
}

/** The last `maxLines` non-empty lines of a process's stderr. */
export function tailLines(text: string, maxLines = 20, maxChars = 4000): string {
  const lines = text.split(/\r?\n|\r/).filter((l) => l.trim() !== '');
  const tail = lines.slice(-maxLines).join('\n');
  return tail.length > maxChars ? tail.slice(-maxChars) : tail;
}

/** Retry or give up after a failed attempt (`attempts` counts it): the error's words and code, and the delay before the next try (null: give up). Pure. */
export function failureOutcome(
  attempts: number,
  error: unknown,
  config: Pick<IngestConfig, 'maxAttempts' | 'retryDelay' | 'maxRetryDelay'>,
  random: () => number = Math.random,
): { message: string; code: string; delay: number | null } {
  const fatal = error instanceof IngestError ? error.fatal : false;
  const delay = fatal ? null : retryDelay({ maxRetry: config.maxAttempts - 1, retryDelayMs: config.retryDelay, maxRetryDelayMs: config.maxRetryDelay }, attempts, random);
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof IngestError ? error.code : ((error as { code?: string })?.code ?? 'internal');
  return { message, code, delay };
}
