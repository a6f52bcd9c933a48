/**
 * Per-viewer signed playlists, for clients that run no script per request (native HLS only: older
 * iPhones without MSE or ManagedMediaSource, AirPlay, Chromecast receivers). Off unless
 * `HLSGATE_SIGNED_PLAYLISTS=true`.
 *
 * A native player can neither send `Authorization` nor append a query to each request, so the
 * playlists it loads must carry everything:
 * - `POST /session {"mode":"playlist"}` (a valid view token) answers a playlist URL on this server,
 *   `…/_auth/playlist/<dir>/master.m3u8?cap=<capability>`, the capability an HMAC-signed, expiring,
 *   unguessable grant for that one video (kind `m`, minutes: the time to start playing);
 * - `GET /playlist/<dir>/master.m3u8?cap=…` reads the video's master from the origin (the media
 *   host, i.e. CloudFront, with the server's own short signed query, so it is cached like any
 *   playlist), and answers it with every playlist URI pointing back here with a capability of kind
 *   `v` (valid for the video's duration + a margin) and every other URI signed for CloudFront with
 *   a query of the same lifetime;
 * - `GET /playlist/<dir>/<rendition>/index.m3u8?cap=…` (kind `v`) answers that media playlist with
 *   every segment, init segment and key URI signed with that query, until the capability's expiry.
 * Relative URIs are resolved against the *unsigned* media URL, then signed. Every answer is
 * `Cache-Control: no-store`. Such a signature cannot be withdrawn before it expires: a copied URL
 * plays for anyone until then (server/README.md says so).
 *
 * The capability's HMAC key is derived from the CloudFront private key of the pair named in it, so
 * that the feature needs no new secret and a key rotation rotates it too.
 */
import { createHmac, createPrivateKey, timingSafeEqual } from 'node:crypto';
import { AUTH_PATH_PREFIX, CLOUDFRONT_QUERY_NAMES, LAYOUT, SIGNED_URL_PARAMS } from '../common/contracts.ts';
import type { CloudFrontKeyPair } from './policy.ts';

/** `m`: opens the master only (short); `v`: opens the media playlists (duration + margin). */
export type CapabilityKind = 'm' | 'v';

export interface Capability {
  kind: CapabilityKind;
  /** The checked `res` of the view token it was made from. */
  res: string;
  /** Epoch seconds. */
  exp: number;
  iss: string;
  sub: string;
  /** Key pair id whose derived key signed it. */
  keyPairId: string;
}

export const CAPABILITY_PARAM = 'cap';
export const PLAYLIST_ROUTE = '/playlist';
/** Longest capability accepted (a res is at most 2,048 characters, see token.ts). */
export const MAX_CAPABILITY_LENGTH = 4096;
/** Largest playlist read from the origin. */
export const MAX_PLAYLIST_BYTES = 4 * 1024 * 1024;
export const PLAYLIST_CONTENT_TYPE = 'application/vnd.apple.mpegurl';

const DERIVATION_LABEL = 'hlsgate signed-playlist capability v1';
const B64URL = /^[A-Za-z0-9_-]+$/;

export class CapabilityError extends Error {
  constructor(
    readonly code: 'capability_invalid' | 'capability_expired',
    message: string,
  ) {
    super(message);
  }
}

export interface CapabilityKeys {
  issue(cap: Capability): string;
  /** The capability, verified (signature, shape, expiry); throws CapabilityError. */
  verify(text: string, nowSeconds: number): Capability;
}

/** HMAC keys derived from each configured CloudFront private key (never the key itself). */
export function capabilityKeys(keyPairs: readonly CloudFrontKeyPair[]): CapabilityKeys {
  const keys = new Map<string, Buffer>();
  for (const pair of keyPairs) {
    const der = createPrivateKey(pair.privateKeyPem).export({ type: 'pkcs8', format: 'der' });
    keys.set(pair.keyPairId, createHmac('sha256', der).update(DERIVATION_LABEL).digest());
  }
  const mac = (key: Buffer, payload: string) => createHmac('sha256', key).update(payload).digest();
  return {
    issue(cap) {
      const key = keys.get(cap.keyPairId);
      if (!key) throw new Error(`no key pair "${cap.keyPairId}"`);
      const payload = Buffer.from(
        JSON.stringify({ t: cap.kind, r: cap.res, e: cap.exp, i: cap.iss, s: cap.sub, k: cap.keyPairId }),
      ).toString('base64url');
      return `${payload}.${mac(key, payload).toString('base64url')}`;
    },
    verify(text, nowSeconds) {
      const invalid = (why: string) => new CapabilityError('capability_invalid', `the playlist capability ${why}`);
      if (text.length > MAX_CAPABILITY_LENGTH) throw invalid('is too long');
      const parts = text.split('.');
      if (parts.length !== 2 || !B64URL.test(parts[0]!) || !B64URL.test(parts[1]!)) throw invalid('is malformed');
      const [payload, signature] = parts as [string, string];
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== 32 || given.toString('base64url') !== signature) throw invalid('is malformed');
      // Which key: read from the payload before it is trusted, but only to pick among our own keys.
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
      } catch {
        throw invalid('is malformed');
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('is malformed');
      const key = typeof body.k === 'string' ? keys.get(body.k) : undefined;
      if (!key || !timingSafeEqual(mac(key, payload), given)) throw invalid('has a bad signature');
      const { t, r, e, i, s, k } = body;
      if ((t !== 'm' && t !== 'v') || typeof r !== 'string' || typeof i !== 'string' || typeof s !== 'string' || !Number.isSafeInteger(e)) {
        throw invalid('is malformed');
      }
      if ((e as number) <= nowSeconds) throw new CapabilityError('capability_expired', 'the playlist capability has expired');
      return { kind: t, res: r, exp: e as number, iss: i, sub: s, keyPairId: k as string };
    },
  };
}

/**
 * The part of a playlist route's path after `/playlist/`: `<dir>/<path>.m3u8`, every segment
 * plain (letters, digits, `.`, `_`, `-`, never starting with a dot), so it cannot leave `res`.
 */
const ROUTE_PATH = /\/playlist\/([A-Za-z0-9_-]{16,128})\/((?:[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}\/){0,8}[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}\.m3u8)$/;

export function parsePlaylistPath(path: string): { dir: string; rest: string } | null {
  const match = ROUTE_PATH.exec(path);
  return match ? { dir: match[1]!, rest: match[2]! } : null;
}

/** `https://media.example.edu/_auth`: where the auth server answers behind the media host. */
export function authBaseOf(res: string): string {
  return `${new URL(res).origin}${AUTH_PATH_PREFIX}`;
}

/** The URL of a playlist of the video on this server, with its capability. */
export function playlistUrl(res: string, dir: string, rest: string, cap: string): string {
  return `${authBaseOf(res)}${PLAYLIST_ROUTE}/${dir}/${rest}?${CAPABILITY_PARAM}=${cap}`;
}

export function masterUrl(res: string, dir: string, cap: string): string {
  return playlistUrl(res, dir, LAYOUT.master, cap);
}

export class PlaylistError extends Error {}

const SIGNING = new Set<string>(SIGNED_URL_PARAMS);

/**
 * Resolves `uri` against the unsigned URL of the playlist it is in and checks it stays inside the
 * video (`res`), with no fragment and no signing parameter of its own.
 */
function resolveInside(uri: string, base: string, res: string): URL {
  let url: URL;
  try {
    url = new URL(uri, base);
  } catch {
    throw new PlaylistError(`a URI of the playlist is not a URL`);
  }
  if (!url.href.startsWith(res) || url.pathname.length <= new URL(res).pathname.length) {
    throw new PlaylistError('a URI of the playlist points outside the video');
  }
  if (url.hash) throw new PlaylistError('a URI of the playlist has a fragment');
  for (const name of url.searchParams.keys()) {
    if (SIGNING.has(name)) throw new PlaylistError('a URI of the playlist is already signed');
  }
  return url;
}

const URI_ATTRIBUTE = /(^|[:,])URI="([^"]*)"/g;

/** Calls `rewrite` on every URI of a playlist (URI lines and `URI="…"` attributes) and joins the result. */
function mapUris(text: string, rewrite: (uri: string, tag: string) => string): string {
  if (!text.startsWith('#EXTM3U')) throw new PlaylistError('the origin answered something that is not a playlist');
  const lines = text.split(/\r?\n/);
  let previousTag = '';
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      if (line.startsWith('#EXT')) {
        const tag = line.slice(0, (line.indexOf(':') + 1 || line.length + 1) - 1);
        if (line.includes('URI="')) lines[n] = line.replace(URI_ATTRIBUTE, (_, lead: string, uri: string) => `${lead}URI="${rewrite(uri, tag)}"`);
        previousTag = tag;
      }
      continue;
    }
    lines[n] = rewrite(line, previousTag === '#EXT-X-STREAM-INF' ? previousTag : '#URI');
    previousTag = '';
  }
  return lines.join('\n');
}

function withQuery(url: URL, query: string): string {
  return `${url.href}${url.search ? '&' : '?'}${query}`;
}

/** Seconds of media in a media playlist (the sum of its `#EXTINF`). */
export function playlistDuration(text: string): number {
  let total = 0;
  for (const match of text.matchAll(/^#EXTINF:([0-9.]+)/gm)) total += Number(match[1]);
  return total;
}

/** The URI of the master's first variant stream (for the video's duration), or null. */
export function firstVariantUri(master: string): string | null {
  const lines = master.split(/\r?\n/);
  for (let n = 0; n < lines.length - 1; n++) {
    if (lines[n]!.startsWith('#EXT-X-STREAM-INF')) {
      for (let m = n + 1; m < lines.length; m++) {
        const next = lines[m]!.trim();
        if (next && !next.startsWith('#')) return next;
      }
    }
  }
  return null;
}

export interface MasterRewrite {
  /** The master's unsigned media URL (`res` + `master.m3u8`). */
  base: string;
  res: string;
  dir: string;
  /** Capability (kind `v`) for the playlists it names. */
  cap: string;
  /** CloudFront query for its other URIs (session data, keys). */
  query: string;
}

/** The master with every playlist URI pointing to this server (capability `v`), the rest signed. */
export function rewriteMaster(text: string, { base, res, dir, cap, query }: MasterRewrite): string {
  return mapUris(text, (uri) => {
    const url = resolveInside(uri, base, res);
    if (url.pathname.endsWith('.m3u8')) {
      const rest = url.href.slice(res.length);
      if (url.search || !parsePlaylistPath(`/playlist/${dir}/${rest}`)) throw new PlaylistError('a playlist URI of the master is not a plain path');
      return playlistUrl(res, dir, rest, cap);
    }
    return withQuery(url, query);
  });
}

/** A plain file name (`seg_00001.ts`): resolves to the playlist's folder + itself, no URL parsing needed. */
const PLAIN_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** A media playlist with every URI (segments, `EXT-X-MAP`, keys, parts) signed with `query`. */
export function rewriteMedia(text: string, { base, res, query }: { base: string; res: string; query: string }): string {
  const folder = base.slice(0, base.lastIndexOf('/') + 1);
  // The common case, a segment next to its playlist, skips `new URL` (a quarter of the time per segment).
  const inside = folder.startsWith(res) && !base.includes('?') && !base.includes('#');
  return mapUris(text, (uri) => (inside && PLAIN_NAME.test(uri) ? `${folder}${uri}?${query}` : withQuery(resolveInside(uri, base, res), query)));
}

/** The CloudFront query parameters of a signed URL, for a quick check that a URI carries them. */
export const SIGNED_QUERY_NAMES = Object.values(CLOUDFRONT_QUERY_NAMES);
