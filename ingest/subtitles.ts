/** A WebVTT transcript as an HLS subtitles rendition: one cue file, one media playlist. Pure. */
import { IngestError } from './errors.ts';

export const SUBTITLES_FILE = 'transcript.vtt';

/**
 * The VTT with an `X-TIMESTAMP-MAP` header, so players line cue times up with the MPEG-TS
 * timestamps of the video (ffmpeg's segments do not start at 0).
 */
export function prepareVtt(vtt: string, firstPtsSeconds: number): string {
  const text = vtt.replace(/^\ufeff/, '').replace(/\r\n?/g, '\n');
  if (!/^WEBVTT(?:[ \t].*)?(?:\n|$)/.test(text)) {
    throw new IngestError('bad_request', 'the transcript is not WebVTT (it does not start with WEBVTT)', { fatal: true });
  }
  const withoutMap = text.replace(/^X-TIMESTAMP-MAP=.*\n/m, '');
  const firstLineEnd = withoutMap.indexOf('\n');
  const head = firstLineEnd === -1 ? withoutMap : withoutMap.slice(0, firstLineEnd);
  const rest = firstLineEnd === -1 ? '\n' : withoutMap.slice(firstLineEnd);
  const mpegts = Math.round(firstPtsSeconds * 90_000);
  return `${head}\nX-TIMESTAMP-MAP=MPEGTS:${mpegts},LOCAL:00:00:00.000${rest}`;
}

export function subtitlesPlaylist(durationSeconds: number, file = SUBTITLES_FILE): string {
  const duration = Math.max(durationSeconds, 0.001);
  return [
    '#EXTM3U',
    '#EXT-X-VERSION:6',
    `#EXT-X-TARGETDURATION:${Math.ceil(duration)}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    `#EXTINF:${duration.toFixed(3)},`,
    file,
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');
}
