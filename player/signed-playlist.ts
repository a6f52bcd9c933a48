/**
 * The per-viewer signed playlist (server/signed-playlist.ts), engine-free: where the browser will
 * play HLS itself (no MSE and no ManagedMediaSource, or the page asked for `native`), no script sees
 * the media requests, so neither a 403 can be recovered nor a query appended, and cookies may be
 * blocked. With the option `signedPlaylist`, the player then asks `POST /session {"mode":"playlist"}`
 * for a playlist URL whose every URI is signed, and hands that to the media element, with no
 * cookie and no credentials. A server that does not offer it (404) leaves the player on cookies.
 */
import { PLAYLIST_MODE_BODY, type PlaylistSessionResponse } from '../common/contracts.ts';
import { AUTH_ROUTE, PLAYLIST_MODE_BODY_SHA256 } from '../common/delivery.ts';

export const HLS_MIME = 'application/vnd.apple.mpegurl';

/** Whether `media` will play HLS by itself here: it can, and MSE is absent or not wanted. */
export function playsHlsNatively(media: Pick<HTMLMediaElement, 'canPlayType'>, win: unknown, native: boolean): boolean {
  const w = win as { MediaSource?: unknown; ManagedMediaSource?: unknown };
  const mse = typeof w.MediaSource === 'function' || typeof w.ManagedMediaSource === 'function';
  return (!mse || native) && media.canPlayType(HLS_MIME) !== '';
}

export type SignedPlaylistAnswer =
  | { ok: true; playlist: string; expiresAt: number }
  /** `not_offered`: the server has signed playlists off (404); `refused`: any other error answer. */
  | { ok: false; reason: 'not_offered' | 'refused' | 'network' | 'bad_answer'; status: number; code?: string };

/** `POST /session {"mode":"playlist"}` with `token`: the playlist URL, or why not. */
export async function requestSignedPlaylist(sessionUrl: string, token: string, fetchFn: typeof fetch = globalThis.fetch.bind(globalThis)): Promise<SignedPlaylistAnswer> {
  let response: Response;
  try {
    response = await fetchFn(sessionUrl, {
      method: 'POST',
      credentials: 'omit',
      cache: 'no-store',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        // A Lambda behind origin access control checks a POST body against this hash (common/delivery.ts).
        [AUTH_ROUTE.payloadHashHeader]: PLAYLIST_MODE_BODY_SHA256,
      },
      body: PLAYLIST_MODE_BODY,
    });
  } catch {
    return { ok: false, reason: 'network', status: 0 };
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const code = (body as { error?: { code?: unknown } } | undefined)?.error?.code;
    return { ok: false, reason: response.status === 404 ? 'not_offered' : 'refused', status: response.status, ...(typeof code === 'string' ? { code } : {}) };
  }
  const answer = body as Partial<PlaylistSessionResponse> | undefined;
  if (typeof answer?.playlist !== 'string' || !/^https?:\/\/[^?#]+\?cap=[A-Za-z0-9_.-]+$/.test(answer.playlist) || typeof answer.expiresAt !== 'number') {
    return { ok: false, reason: 'bad_answer', status: response.status };
  }
  return { ok: true, playlist: answer.playlist, expiresAt: answer.expiresAt };
}
