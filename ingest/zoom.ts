/**
 * Zoom cloud recordings: Server-to-Server OAuth (account credentials, token cached until it
 * expires, a 401 fetches a new one), the recordings list in one-month windows with
 * `next_page_token` paging, 429 honoured with `Retry-After`, and the choice of files to ingest.
 */
import { type RetryPolicy, retryDelay, sleep } from '../common/retry.ts';
import type { Catalog, NewRecording } from './catalog.ts';
import { type CourseRule, courseFor } from './course-map.ts';
import { IngestError } from './errors.ts';

export interface ZoomCredentials {
  accountId: string;
  clientId: string;
  clientSecret: string;
  /** e.g. `https://api.zoom.us/v2` */
  apiBase: string;
  /** e.g. `https://zoom.us/oauth/token` */
  oauthUrl: string;
}

export interface ZoomRecordingFile {
  id: string;
  file_type: string;
  file_extension?: string;
  file_size?: number;
  recording_type?: string;
  download_url: string;
  status?: string;
  recording_start?: string;
}

export interface ZoomMeeting {
  uuid: string;
  id: number | string;
  topic: string;
  start_time: string;
  duration?: number;
  recording_files?: ZoomRecordingFile[];
}

interface RecordingsPage {
  from?: string;
  to?: string;
  next_page_token?: string;
  meetings?: ZoomMeeting[];
}

export interface ZoomClientOptions extends ZoomCredentials {
  fetch?: typeof fetch;
  now?: () => number;
  retry?: RetryPolicy;
  /** Longest wait a Retry-After may ask for before giving up, ms. */
  maxRetryAfterMs?: number;
  signal?: AbortSignal;
}

export class ZoomClient {
  readonly #options: ZoomClientOptions;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  #token: { value: string; expiresAt: number } | null = null;
  #pendingToken: Promise<string> | null = null;
  /** How many OAuth tokens this client fetched (for logs and tests). */
  tokensFetched = 0;

  constructor(options: ZoomClientOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? fetch;
    this.#now = options.now ?? Date.now;
  }

  /** A valid access token: the cached one until 60 s before it expires, else a new one. */
  async accessToken(): Promise<string> {
    if (this.#token && this.#token.expiresAt - 60_000 > this.#now()) return this.#token.value;
    this.#pendingToken ??= this.#fetchToken().finally(() => (this.#pendingToken = null));
    return this.#pendingToken;
  }

  async #fetchToken(): Promise<string> {
    const { accountId, clientId, clientSecret, oauthUrl } = this.#options;
    const url = new URL(oauthUrl);
    url.searchParams.set('grant_type', 'account_credentials');
    url.searchParams.set('account_id', accountId);
    const basic = Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
    const response = await this.#fetch(url, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      ...(this.#options.signal ? { signal: this.#options.signal } : {}),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new IngestError('zoom_auth', `Zoom refused the account credentials (HTTP ${response.status}): ${zoomMessage(text)}`, { fatal: response.status < 500 });
    }
    const body = JSON.parse(text) as { access_token?: string; expires_in?: number };
    if (!body.access_token) throw new IngestError('zoom_auth', 'Zoom answered the token request without an access_token');
    this.tokensFetched++;
    this.#token = { value: body.access_token, expiresAt: this.#now() + (body.expires_in ?? 3600) * 1000 };
    return body.access_token;
  }

  /** GET an API path with the token; 401 → one new token, 429 → Retry-After, 5xx → backoff. */
  async get<T>(path: string, query: Record<string, string | undefined> = {}): Promise<T> {
    const url = new URL(this.#options.apiBase.replace(/\/$/, '') + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    const policy = this.#options.retry ?? { maxRetry: 5, retryDelayMs: 1000, maxRetryDelayMs: 30_000 };
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      const token = await this.accessToken();
      const response = await this.#fetch(url, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        ...(this.#options.signal ? { signal: this.#options.signal } : {}),
      });
      if (response.ok) return (await response.json()) as T;
      const text = await response.text();
      if (response.status === 401 && !refreshed) {
        // The token expired early or was revoked: one new token, then the same request.
        refreshed = true;
        this.#token = null;
        continue;
      }
      let delay: number | null = null;
      if (response.status === 429) delay = retryAfterMs(response.headers.get('retry-after'), this.#now()) ?? retryDelay(policy, attempt);
      else if (response.status >= 500) delay = retryDelay(policy, attempt);
      if (delay !== null && attempt <= policy.maxRetry && delay <= (this.#options.maxRetryAfterMs ?? 10 * 60_000)) {
        await sleep(delay, this.#options.signal);
        continue;
      }
      throw new IngestError(response.status === 401 ? 'zoom_auth' : 'zoom_api', `Zoom ${path} answered HTTP ${response.status}: ${zoomMessage(text)}`);
    }
  }

  /** Every meeting with cloud recordings between `from` and `to`, one month per request window. */
  async *listRecordings(userId: string, from: Date, to: Date): AsyncGenerator<ZoomMeeting> {
    for (const window of monthWindows(from, to)) {
      let pageToken: string | undefined;
      do {
        const page = await this.get<RecordingsPage>(`/users/${encodeURIComponent(userId)}/recordings`, {
          from: window.from,
          to: window.to,
          page_size: '300',
          next_page_token: pageToken,
        });
        for (const meeting of page.meetings ?? []) yield meeting;
        pageToken = page.next_page_token || undefined;
      } while (pageToken);
    }
  }
}

function zoomMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: string; reason?: string };
    return body.message ?? body.reason ?? text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}

/** `Retry-After` in seconds or as an HTTP date → ms from now; null when absent or unreadable. */
export function retryAfterMs(value: string | null, now: number): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** `YYYY-MM-DD` windows of at most one month (the API's limit), covering from..to inclusive. */
export function monthWindows(from: Date, to: Date): Array<{ from: string; to: string }> {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const out: Array<{ from: string; to: string }> = [];
  let start = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()));
  const end = new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth(), to.getUTCDate()));
  while (start <= end) {
    // One calendar month later (Jan 31 → Feb 28, not Mar 3), minus a day.
    const lastOfNextMonth = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 2, 0)).getUTCDate();
    const next = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, Math.min(start.getUTCDate(), lastOfNextMonth)));
    next.setUTCDate(next.getUTCDate() - 1);
    const stop = next < end ? next : end;
    out.push({ from: day(start), to: day(stop) });
    start = new Date(stop);
    start.setUTCDate(start.getUTCDate() + 1);
  }
  return out;
}

const FALLBACK_TYPES = ['shared_screen_with_speaker_view', 'shared_screen_with_gallery_view', 'active_speaker', 'speaker_view', 'shared_screen', 'gallery_view'];

/** The MP4 to ingest (the configured recording type first, then the usual ones) and the VTT transcript. */
export function pickFiles(meeting: ZoomMeeting, recordingType: string): { video: ZoomRecordingFile | null; transcript: ZoomRecordingFile | null } {
  const files = (meeting.recording_files ?? []).filter((f) => !f.status || f.status === 'completed');
  const mp4s = files.filter((f) => f.file_type === 'MP4');
  let video: ZoomRecordingFile | null = null;
  for (const type of [recordingType, ...FALLBACK_TYPES]) {
    video = mp4s.find((f) => f.recording_type === type) ?? null;
    if (video) break;
  }
  video ??= mp4s[0] ?? null;
  const transcript = files.find((f) => f.file_type === 'TRANSCRIPT' || (f.recording_type === 'audio_transcript' && (f.file_extension ?? '').toUpperCase() === 'VTT')) ?? null;
  return { video, transcript };
}

export type QueueOutcome =
  | { outcome: 'queued' | 'existing'; id: string; title: string; course: string }
  | { outcome: 'unmapped' | 'no_video'; meetingId: string; topic: string };

/** Queues a meeting's recording (idempotent on the recording file's id). */
export async function queueMeeting(
  catalog: Catalog,
  meeting: ZoomMeeting,
  options: { rules: readonly CourseRule[]; recordingType: string; downloadToken?: string | null; now?: number },
): Promise<QueueOutcome> {
  const meetingId = String(meeting.id);
  const { video, transcript } = pickFiles(meeting, options.recordingType);
  if (!video) return { outcome: 'no_video', meetingId, topic: meeting.topic };
  const course = courseFor(options.rules, meeting);
  if (!course) return { outcome: 'unmapped', meetingId, topic: meeting.topic };
  const input: NewRecording = {
    sourceKey: `zoom:${video.id}`,
    sourceKind: 'zoom',
    source: video.download_url,
    downloadToken: options.downloadToken ?? null,
    transcriptSource: transcript?.download_url ?? null,
    expectedSize: video.file_size ?? null,
    course,
    title: meeting.topic || `Zoom meeting ${meetingId}`,
    recordedAt: new Date(video.recording_start ?? meeting.start_time).toISOString(),
  };
  const { recording, created } = await catalog.add(input, options.now ?? Date.now());
  return { outcome: created ? 'queued' : 'existing', id: recording.id, title: recording.title, course };
}
