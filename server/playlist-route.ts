/**
 * The HTTP side of signed playlists (signed-playlist.ts): the answer of `POST /session
 * {"mode":"playlist"}`, the capability check of `GET /playlist/<dir>/…`, and the reading of the
 * playlists from the origin. The origin is the media host itself (CloudFront in production, the
 * stand-in locally), asked with the server's own short signed query (≤ 2 minutes), so the auth
 * server needs no bucket permission and its reads are cached at the edge like any viewer's.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { LAYOUT, type PlaylistSessionResponse } from '../common/contracts.ts';
import type { ServerConfig } from './config.ts';
import type { CookieSigner } from './cookie-session.ts';
import type { AppEnv } from './middleware/env.ts';
import { ApiError } from './middleware/errors.ts';
import { signedQueryString, type CloudFrontKeyPair } from './policy.ts';
import {
  CAPABILITY_PARAM,
  CapabilityError,
  MAX_PLAYLIST_BYTES,
  PLAYLIST_CONTENT_TYPE,
  PlaylistError,
  capabilityKeys,
  firstVariantUri,
  masterUrl,
  parsePlaylistPath,
  playlistDuration,
  rewriteMaster,
  rewriteMedia,
} from './signed-playlist.ts';
import { checkResource } from './token.ts';

/** Expiries of the signatures in a playlist are rounded up to this, so viewers share signatures. */
const BUCKET_SECONDS = 60;
/** The server's own read of a playlist: how long its query lives, and how long the read may take. */
const ORIGIN_QUERY_SECONDS = 60;
// Two reads in a row for a master must fit in the Lambda timeout (10 s, deploy/stack.ts).
const ORIGIN_TIMEOUT_MS = 4000;

const roundUp = (seconds: number) => Math.ceil(seconds / BUCKET_SECONDS) * BUCKET_SECONDS;

export interface PlaylistRouteOptions {
  config: ServerConfig;
  signer: CookieSigner;
  activeKeyPair: CloudFrontKeyPair;
  /** Epoch milliseconds. */
  now: () => number;
  /** Lifetime of the master's capability (the time a player has to open it), seconds, per request. */
  openTtl: () => number;
}

export interface PlaylistRoutes {
  enabled: boolean;
  /** 404 unless enabled: before the token, so an off switch tells nothing about tokens. */
  requireEnabled: MiddlewareHandler<AppEnv>;
  /** `POST /session {"mode":"playlist"}` after the token and rate limits. */
  session(c: Context<AppEnv>): Response;
  /** Checks `?cap=` against the path and sets `capability` (for the per-viewer limit and the log). */
  capability: MiddlewareHandler<AppEnv>;
  /** `GET /playlist/<dir>/<path>.m3u8`, after `capability`. */
  serve(c: Context<AppEnv>): Promise<Response>;
}

export const PLAYLISTS_OFF_MESSAGE = 'signed playlists are off on this server (HLSGATE_SIGNED_PLAYLISTS)';

export function playlistRoutes({ config, signer, activeKeyPair, now, openTtl }: PlaylistRouteOptions): PlaylistRoutes {
  const settings = config.signedPlaylists;
  const enabled = settings?.enabled === true;
  const keys = enabled ? capabilityKeys(config.keyPairs) : undefined;
  const nowSeconds = () => Math.floor(now() / 1000);

  const requireEnabled: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (!enabled && (c.get('mode') === 'playlist' || c.req.method !== 'POST')) throw new ApiError(404, 'not_found', PLAYLISTS_OFF_MESSAGE);
    await next();
  };

  /** GET of the origin's copy of a playlist, with the server's own short signature. */
  const readOrigin = async (res: string, url: string, at: number): Promise<string> => {
    const values = signer.sign(activeKeyPair, res, roundUp(at + ORIGIN_QUERY_SECONDS), at);
    // The signed URL never reaches a log or an error message: only the path under `res` does.
    const name = url.slice(res.length);
    let response: Response;
    try {
      response = await fetch(`${url}?${signedQueryString(values)}`, { redirect: 'manual', signal: AbortSignal.timeout(ORIGIN_TIMEOUT_MS) });
    } catch (error) {
      const why = (error as Error).name === 'TimeoutError' ? 'timed out' : 'failed';
      throw new ApiError(502, 'origin_failed', `reading ${name} from the media origin ${why}`);
    }
    // The media host answers a missing object as CloudFront does behind origin access control: 403.
    if (response.status === 403 || response.status === 404) {
      await response.body?.cancel();
      throw new ApiError(404, 'not_found', `no playlist ${name} for this video`);
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new ApiError(502, 'origin_failed', `the media origin answered ${response.status} for ${name}`);
    }
    const length = Number(response.headers.get('content-length') ?? 0);
    if (length > MAX_PLAYLIST_BYTES) {
      await response.body?.cancel();
      throw new ApiError(502, 'origin_failed', `${name} is larger than ${MAX_PLAYLIST_BYTES} bytes`);
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      total += chunk.byteLength;
      if (total > MAX_PLAYLIST_BYTES) throw new ApiError(502, 'origin_failed', `${name} is larger than ${MAX_PLAYLIST_BYTES} bytes`);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  };

  const playlistAnswer = (c: Context<AppEnv>, text: string) => {
    c.header('Content-Type', PLAYLIST_CONTENT_TYPE);
    c.header('Cache-Control', 'no-store');
    return c.body(text, 200);
  };

  const rewriteError = (error: unknown): never => {
    if (error instanceof PlaylistError) throw new ApiError(502, 'origin_failed', error.message);
    throw error;
  };

  return {
    enabled,
    requireEnabled,

    session(c) {
      const at = nowSeconds();
      const resource = c.get('resource')!;
      const claims = c.get('claims')!;
      const exp = at + Math.max(10, Math.round(openTtl()));
      const cap = keys!.issue({ kind: 'm', res: resource.res, exp, iss: claims.iss, sub: claims.sub, keyPairId: activeKeyPair.keyPairId });
      const body: PlaylistSessionResponse = {
        resource: `${resource.res}*`,
        playlist: masterUrl(resource.res, resource.dir, cap),
        expiresAt: exp,
        serverTime: at,
      };
      c.header('Cache-Control', 'no-store');
      return c.json(body, 200);
    },

    capability: async (c, next) => {
      const path = parsePlaylistPath(c.req.path);
      if (!path) throw new ApiError(404, 'not_found', 'no such playlist route');
      const given = c.req.queries(CAPABILITY_PARAM) ?? [];
      if (given.length !== 1) throw new ApiError(403, 'capability_invalid', `exactly one "${CAPABILITY_PARAM}" parameter is required`);
      let cap;
      try {
        cap = keys!.verify(given[0]!, nowSeconds());
      } catch (error) {
        if (error instanceof CapabilityError) throw new ApiError(403, error.code, error.message);
        throw error;
      }
      // Signed by us, but the media bases may have changed since: the res rules once more.
      let resource;
      try {
        resource = checkResource(cap.res, config.token.mediaBaseUrls);
      } catch {
        throw new ApiError(403, 'resource_forbidden', 'the video of this capability is no longer served');
      }
      if (resource.dir !== path.dir) throw new ApiError(403, 'capability_invalid', 'the playlist capability is for another video');
      const isMaster = path.rest === LAYOUT.master;
      if ((cap.kind === 'm') !== isMaster) {
        throw new ApiError(403, 'capability_invalid', isMaster ? 'this capability opens media playlists only' : 'this capability opens the master playlist only');
      }
      c.set('capability', cap);
      c.set('sub', cap.sub);
      c.set('dir', resource.dir);
      await next();
    },

    async serve(c) {
      const cap = c.get('capability')!;
      const { rest } = parsePlaylistPath(c.req.path)!;
      const at = nowSeconds();
      const base = `${cap.res}${rest}`;
      const text = await readOrigin(cap.res, base, at);
      if (cap.kind === 'v') {
        // The segments open until the capability's own expiry: what the master promised.
        const query = signedQueryString(signer.sign(activeKeyPair, cap.res, cap.exp, at));
        try {
          return playlistAnswer(c, rewriteMedia(text, { base, res: cap.res, query }));
        } catch (error) {
          return rewriteError(error);
        }
      }
      // The master: the video's duration from its first variant, then the lifetime of everything.
      const first = firstVariantUri(text);
      if (!first) throw new ApiError(502, 'origin_failed', 'the master names no variant stream');
      let variant: URL;
      try {
        variant = new URL(first, base);
      } catch {
        throw new ApiError(502, 'origin_failed', 'the master names a variant that is not a URL');
      }
      if (!variant.href.startsWith(cap.res) || variant.search || variant.hash) throw new ApiError(502, 'origin_failed', 'the master names a variant outside the video');
      const duration = playlistDuration(await readOrigin(cap.res, variant.href, at));
      const lifetime = Math.min(Math.ceil(duration) + settings!.marginSeconds, settings!.maxLifetimeSeconds);
      const exp = roundUp(at + lifetime);
      const media = keys!.issue({ ...cap, kind: 'v', exp, keyPairId: activeKeyPair.keyPairId });
      const query = signedQueryString(signer.sign(activeKeyPair, cap.res, exp, at));
      try {
        return playlistAnswer(c, rewriteMaster(text, { base, res: cap.res, dir: parsePlaylistPath(c.req.path)!.dir, cap: media, query }));
      } catch (error) {
        return rewriteError(error);
      }
    },
  };
}
