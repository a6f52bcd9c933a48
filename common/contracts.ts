/**
 * The contracts between hlsgate's parts (../shared/DESIGN.md), as types and constants.
 * Browser-safe: the player imports this file too, so no Node APIs here.
 */

/** `aud` of every view token. */
export const TOKEN_AUDIENCE = 'hlsgate';

/** A per-video directory: ≥128 random bits, base64url. */
export const DIR_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

/** Claims of the HS256 view token that Moodle (or the dev stack) mints and the auth server checks. */
export interface ViewTokenClaims {
  iss: string;
  aud: typeof TOKEN_AUDIENCE;
  sub: string;
  iat: number;
  exp: number;
  nbf?: number;
  /** `https://MEDIA_HOST/PREFIX/<dir>/`: an allowed media base URL, one `<dir>` segment, a trailing `/`. */
  res: string;
  /** Text for the viewer watermark. */
  wm?: string;
  /** Course id, for logs. */
  cid?: string;
}

/** The view token's JOSE header. */
export interface ViewTokenHeader {
  alg: 'HS256';
  typ: 'JWT';
  kid: string;
}

/** `200` body of `POST /session`. */
export interface SessionResponse {
  /** `res` + `*`: what the cookies open. */
  resource: string;
  /** Epoch seconds when the cookies stop working. */
  expiresAt: number;
  /** Seconds after this answer at which the client should refresh (margin and jitter included). */
  refreshIn: number;
  /** The server's clock, epoch seconds, so clients never depend on their own. */
  serverTime: number;
  /**
   * Query mode only: `Policy=…&Signature=…&Key-Pair-Id=…`, the same signature as the cookies would
   * carry, to append to every playlist and segment URL of the video (no Set-Cookie then).
   */
  query?: string;
}

/** How `POST /session` hands the signature over: cookies (the default) or a query string. */
export const SESSION_MODES = ['cookie', 'query'] as const;
export type SessionMode = (typeof SESSION_MODES)[number];

/** The one body a query-mode `POST /session` sends (its SHA-256 is `QUERY_MODE_BODY_SHA256` in delivery.ts). */
export const QUERY_MODE_BODY = '{"mode":"query"}';

/**
 * Every mode `POST /session` takes: the two above, and `playlist` (a per-viewer signed playlist URL
 * for native-HLS-only clients; off unless the server enables it, else 404 `not_found`).
 */
export const POST_SESSION_MODES = [...SESSION_MODES, 'playlist'] as const;
export type PostSessionMode = (typeof POST_SESSION_MODES)[number];

/** The one body a playlist-mode `POST /session` sends (SHA-256 `PLAYLIST_MODE_BODY_SHA256` in delivery.ts). */
export const PLAYLIST_MODE_BODY = '{"mode":"playlist"}';

/** `200` body of `POST /session {"mode":"playlist"}`; no Set-Cookie, no query. */
export interface PlaylistSessionResponse {
  /** `res` + `*`: the video the playlist opens. */
  resource: string;
  /**
   * The master playlist's URL on the auth server (`<media origin>/_auth/playlist/<dir>/master.m3u8?cap=…`),
   * for the media element's `src`: a capability in the URL, so anyone holding it can play until it expires.
   */
  playlist: string;
  /** Epoch seconds until which `playlist` can be opened (a started video plays for its duration + a margin). */
  expiresAt: number;
  serverTime: number;
}

export const ERROR_CODES = [
  'bad_request',
  'token_expired',
  'token_invalid',
  'resource_forbidden',
  'rate_limited',
  'payload_too_large',
  'not_found',
  'method_not_allowed',
  'origin_forbidden',
  'capability_invalid',
  'capability_expired',
  'origin_failed',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Body of every error answer of the auth server. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

export const CLOUDFRONT_COOKIE_NAMES = {
  policy: 'CloudFront-Policy',
  signature: 'CloudFront-Signature',
  keyPairId: 'CloudFront-Key-Pair-Id',
} as const;

/** The same three values as query parameters of a signed URL (custom policy). */
export const CLOUDFRONT_QUERY_NAMES = {
  policy: 'Policy',
  signature: 'Signature',
  keyPairId: 'Key-Pair-Id',
} as const;

/**
 * Any of these in a URL's query makes it a signed URL for CloudFront, which then ignores signed
 * cookies ("Decide to use signed URLs or signed cookies" in CloudFront's developer guide).
 */
export const SIGNED_URL_PARAMS = ['Expires', 'Policy', 'Signature', 'Key-Pair-Id', 'Hash-Algorithm'] as const;

/** Content-Type of every object ingest uploads, by extension. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/mp2t',
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4',
  '.vtt': 'text/vtt',
  '.jpg': 'image/jpeg',
  '.json': 'application/json',
};

/** Names inside `PREFIX/<dir>/`. Rendition folders hold `index.m3u8` and their segments. */
export const LAYOUT = {
  master: 'master.m3u8',
  mediaPlaylist: 'index.m3u8',
  subtitlesDir: 'subs',
  poster: 'poster.jpg',
  /** WebVTT chapters (cue text = title); rewritten by a correction, so cached like a playlist. */
  chaptersVtt: 'chapters.vtt',
  /** The same chapters as Apple's `com.apple.hls.chapters` JSON, named by the master's `EXT-X-SESSION-DATA`. */
  chaptersJson: 'chapters.json',
} as const;

/** `DATA-ID` of the master's `EXT-X-SESSION-DATA` tag whose URI is `chapters.json` (chapters.vtt sits beside it). */
export const CHAPTERS_DATA_ID = 'com.apple.hls.chapters';

/**
 * `DATA-ID` of the master's `EXT-X-SESSION-DATA` tag whose `VALUE` says, for the teacher, what
 * became of speech recognition: `<state>: <why>`, state one of {@link CAPTIONS_STATES}. Absent when
 * the captions were given (Zoom's transcript, a file, `ingest captions --vtt`) or recognition is off.
 * Moodle reads it with the master (transcript_store) and shows it only to holders of
 * `filter/hlsgate:viewreport`; players ignore it (RFC 8216: unknown DATA-IDs are ignored).
 */
export const CAPTIONS_STATUS_DATA_ID = 'org.hlsgate.captions-status';

/** pending: recognition queued or running; offered: captions on AUTOSELECT; not-selected: below the quality gate (a transcript for search); no-speech: nothing recognised (silence, music); failed: the engine failed for good. */
export const CAPTIONS_STATES = ['pending', 'offered', 'not-selected', 'no-speech', 'failed'] as const;
export type CaptionsStatusState = (typeof CAPTIONS_STATES)[number];

/**
 * Where `add` stages sources for workers on other machines: at the bucket's root, outside PREFIX, so
 * CloudFront (which may read only `PREFIX/*`) can never serve an unwatermarked original.
 */
export const INCOMING_PREFIX = 'incoming/';

/** Default ports of the local stack; each has an environment override. */
export const DEFAULT_PORTS = {
  /** The CloudFront stand-in, which is the media host (`/lectures/…`, `/_auth/…`, `/_dev/…`). */
  media: 8787,
  /** The auth server itself. */
  auth: 8788,
  /** The embedded S3. */
  s3: 4569,
  /** The Vite demo page. */
  demo: 5173,
} as const;

/** Where the auth server sits behind the media host. */
export const AUTH_PATH_PREFIX = '/_auth';

/** `GET /_dev/videos` item. */
export interface DevVideo {
  title: string;
  /** Absolute URL of the master playlist on the media host. */
  src: string;
  /** The `res` a view token for this video carries. */
  res: string;
}

/** Splits a `res` into the media base URL and the `<dir>`; null when it is not of that shape. */
export function splitResource(res: string): { base: string; dir: string } | null {
  const match = /^(.*\/)([^/]+)\/$/.exec(res);
  if (!match || !DIR_PATTERN.test(match[2]!)) return null;
  return { base: match[1]!, dir: match[2]! };
}
