/**
 * The deployment shape (../shared/DESIGN.md, "Deployment shape") as data and small pure rules:
 * what the CDK stack (deploy/stack.ts) builds into CloudFront, and what the local CloudFront
 * stand-in (demo/stack/media-host.ts) does, so the local stack keeps behaving like the deployed one.
 * No Node APIs: the player may import it too.
 */
import { AUTH_PATH_PREFIX } from './contracts.ts';

/** Edge cache lifetimes; the objects carry the same values as Cache-Control (ingest/upload.ts). */
export const CACHE = {
  /** Segments, subtitles, posters: a `<dir>` is never rewritten, so they never change. */
  segments: { seconds: 31_536_000, cacheControl: 'public, max-age=31536000, immutable' },
  /** Playlists are rewritten when a video is re-published: short. */
  playlists: { seconds: 60, cacheControl: 'public, max-age=60', pathPattern: '*.m3u8' },
} as const;

/** CORS of the media (default and playlist behaviours): exactly the Moodle origin(s), with credentials. */
export const MEDIA_CORS = {
  allowMethods: ['GET', 'HEAD', 'OPTIONS'],
  /** Request headers a player may send (lower case); `range` first, for byte-range playlists. */
  allowHeaders: ['range', 'if-none-match', 'if-modified-since', 'if-range'],
  exposeHeaders: ['Content-Length', 'Content-Range', 'Accept-Ranges', 'ETag'],
  maxAgeSeconds: 600,
  allowCredentials: true,
} as const;

/**
 * The `/_auth/*` behaviour → the auth server. Behind CloudFront origin access control the function
 * URL's `Authorization` header carries CloudFront's SigV4 signature, so the viewer's
 * `Authorization: Bearer …` travels in `tokenHeader`, copied there by `authViewerRequest` (a
 * CloudFront Function); origin request policies may not list `Authorization` anyway.
 */
export const AUTH_ROUTE = {
  pathPrefix: AUTH_PATH_PREFIX,
  pathPattern: `${AUTH_PATH_PREFIX}/*`,
  /** CloudFront offers GET/HEAD, +OPTIONS, or all seven: POST and DELETE need all seven. */
  methods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
  tokenHeader: 'x-hlsgate-authorization',
  /** Where the viewer's `ip:port` arrives (the server's HLSGATE_CLIENT_ADDRESS_HEADER). */
  clientAddressHeader: 'cloudfront-viewer-address',
  /** Lambda refuses unsigned payloads on POST/PUT: the hash of the (always empty) body. */
  payloadHashHeader: 'x-amz-content-sha256',
  /** Headers the origin request policy forwards to the auth server. */
  forwardedHeaders: ['origin', 'x-hlsgate-authorization', 'x-amz-content-sha256', 'cloudfront-viewer-address'],
  /**
   * Query parameters it forwards: only a signed playlist's capability (`GET /_auth/playlist/…?cap=…`,
   * server/signed-playlist.ts), which a native player can carry in no other way.
   */
  forwardedQueryStrings: ['cap'],
} as const;

/** SHA-256 of the empty string: the body of a cookie-mode `POST /session` and of `DELETE`. */
export const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * SHA-256 of `{"mode":"query"}` (contracts.ts QUERY_MODE_BODY), the only other body an auth route
 * takes. A CloudFront Function cannot read a body, so the query-mode player sends this hash itself
 * and the function lets exactly this value through: Lambda then checks it against the body.
 */
export const QUERY_MODE_BODY_SHA256 = '7d0b921864d90a23c895f0c64967b0c6887bc1f0d98bc560460e699e90d905a1';

/** SHA-256 of `{"mode":"playlist"}` (contracts.ts PLAYLIST_MODE_BODY): let through the same way. */
export const PLAYLIST_MODE_BODY_SHA256 = 'f3674d3cb61ed9552b2666cd2181ac5da698d7632eb17135cf57c11670e2a842';

/** Whether a request path goes to the auth server rather than to the bucket. */
export function isAuthPath(path: string): boolean {
  return path === AUTH_ROUTE.pathPrefix || path.startsWith(`${AUTH_ROUTE.pathPrefix}/`);
}

/** The `Path=` of a video's cookies: the URL path of `res` (`/PREFIX/<dir>/`). */
export function cookiePathOf(res: string): string {
  const afterHost = res.indexOf('/', res.indexOf('//') + 2);
  return afterHost < 0 ? '/' : res.slice(afterHost);
}

/** The custom policy's `Resource` for a video: `res` + `*` (every object under it). */
export function policyResourceOf(res: string): string {
  return `${res}*`;
}

/** The CloudFront Functions viewer-request event, as far as `authViewerRequest` reads it. */
export interface ViewerRequestEvent {
  request: { method: string; headers: Record<string, { value: string } | undefined> };
}

/**
 * The viewer-request CloudFront Function of `/_auth/*` (cloudfront-js-2.0). Self-contained on
 * purpose: the stack ships its source text (`authViewerRequestSource`), the stand-in calls it.
 */
export function authViewerRequest(event: ViewerRequestEvent): ViewerRequestEvent['request'] {
  const request = event.request;
  const headers = request.headers;
  const authorization = headers['authorization'];
  delete headers['x-hlsgate-authorization'];
  if (authorization) headers['x-hlsgate-authorization'] = { value: authorization.value };
  // The empty body's hash, or the query-mode or playlist-mode body's when the viewer says so
  // (literals: the function ships as source text, with nothing else in scope).
  var claimed = headers['x-amz-content-sha256'];
  var bodies = ['7d0b921864d90a23c895f0c64967b0c6887bc1f0d98bc560460e699e90d905a1', 'f3674d3cb61ed9552b2666cd2181ac5da698d7632eb17135cf57c11670e2a842'];
  var hash = claimed && bodies.indexOf(claimed.value) >= 0 ? claimed.value : 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
  headers['x-amz-content-sha256'] = { value: hash };
  return request;
}

/** The CloudFront Function's code: `authViewerRequest` as `handler`. */
export function authViewerRequestSource(): string {
  return `var authViewerRequest = ${authViewerRequest.toString()};\nfunction handler(event) {\n  return authViewerRequest(event);\n}\n`;
}
