/**
 * The captioned sample lecture's transcript and chapters, for the player's transcript panel and
 * chapter menu (issue 19 §2, §4) until ingest makes its own.
 *
 * - The transcript goes through ingest as a Zoom transcript does (`ingestFile({ subtitles })`): a
 *   real `EXT-X-MEDIA TYPE=SUBTITLES` rendition with its `X-TIMESTAMP-MAP`.
 * - The chapters are the contract ingest will produce (`<dir>/chapters.vtt`, `<dir>/chapters.json`
 *   in Apple's com.apple.hls.chapters format, and `#EXT-X-SESSION-DATA:DATA-ID="com.apple.hls.chapters",
 *   URI="<absolute URL of chapters.json>"` in the master). `publishSampleChapters` writes them after
 *   ingest, and again at each start (the URI carries the media host's current address). Once ingest
 *   writes chapters itself, delete `publishSampleChapters` and its call in stack.ts.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CHAPTERS_DATA_ID } from '../../common/contracts.ts';
import { chaptersJson } from '../../ingest/chapters.ts';
import { withSessionData } from '../../ingest/master.ts';
import { s3ClientConfig } from './s3.ts';

export const CAPTIONED_TITLE = 'Lecture 4 (captions, chapters)';

/** 30 s of cues, 3 s each; words the browser test searches for; one cue with markup that must stay text. */
export const SAMPLE_TRANSCRIPT_CUES: readonly { start: number; end: number; text: string }[] = [
  { start: 0, end: 3, text: 'Welcome to the fourth lecture of the demo course.' },
  { start: 3, end: 6, text: 'Today we look at matrices and their properties.' },
  { start: 6, end: 9, text: 'A matrix maps one vector space into another.' },
  { start: 9, end: 12, text: 'First, a short reminder about linear maps.' },
  { start: 12, end: 15, text: 'Slides may hold <img src=x onerror=alert(1)> or <script>alert(1)</script>: text, nothing more.' },
  { start: 15, end: 18, text: 'Now the main topic: the eigenvalues of a matrix.' },
  { start: 18, end: 21, text: 'An eigenvector keeps its direction under the map.' },
  { start: 21, end: 24, text: 'Eigenvectors with distinct eigenvalues are independent.' },
  { start: 24, end: 27, text: 'To sum up: look for the directions that stay put.' },
  { start: 27, end: 30, text: 'Thank you, and see you next week.' },
];

export const SAMPLE_CHAPTERS: readonly { start: number; end: number; title: string }[] = [
  { start: 0, end: 9, title: 'Introduction' },
  { start: 9, end: 15, title: 'Linear maps' },
  { start: 15, end: 24, title: 'Eigenvalues' },
  { start: 24, end: 30, title: 'Summary' },
];

const stamp = (s: number) => {
  const ms = Math.round(s * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const sec = Math.floor((ms % 60_000) / 1000);
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}.${String(ms % 1000).padStart(3, '0')}`;
};

export function toVtt(cues: readonly { start: number; end: number; text: string }[]): string {
  return `WEBVTT\n\n${cues.map((c, i) => `${i + 1}\n${stamp(c.start)} --> ${stamp(c.end)}\n${c.text}\n`).join('\n')}`;
}

/** Writes chapters.vtt and chapters.json under `<prefix>/<dir>/` and tags the master (idempotent). */
export async function publishSampleChapters(o: { s3Endpoint: string; bucket: string; prefix: string; dir: string; mediaBaseUrl: string }): Promise<void> {
  const s3 = new S3Client(s3ClientConfig(o.s3Endpoint));
  try {
    const key = (name: string) => `${o.prefix}/${o.dir}/${name}`;
    await s3.send(new PutObjectCommand({ Bucket: o.bucket, Key: key('chapters.vtt'), Body: toVtt(SAMPLE_CHAPTERS.map((c) => ({ ...c, text: c.title }))), ContentType: 'text/vtt' }));
    await s3.send(new PutObjectCommand({ Bucket: o.bucket, Key: key('chapters.json'), Body: chaptersJson(SAMPLE_CHAPTERS), ContentType: 'application/json' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: o.bucket, Key: key('master.m3u8') }));
    const master = await got.Body!.transformToString();
    const tagged = withSessionData(master, CHAPTERS_DATA_ID, `${o.mediaBaseUrl}${o.dir}/chapters.json`);
    if (tagged !== master) await s3.send(new PutObjectCommand({ Bucket: o.bucket, Key: key('master.m3u8'), Body: tagged, ContentType: 'application/vnd.apple.mpegurl' }));
  } finally {
    s3.destroy();
  }
}
