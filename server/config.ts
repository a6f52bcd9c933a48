/**
 * The auth server's configuration: `HLSGATE_*` variables (and optionally a JSON file named by
 * `HLSGATE_SERVER_CONFIG`), validated once at start. Every problem names its variable.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { ConfigError, envName, loadConfig, setting } from '../common/config.ts';
import { DEFAULT_PORTS } from '../common/contracts.ts';
import type { CloudFrontKeyPair } from './policy.ts';
import { MAX_LEEWAY_SECONDS, MIN_SECRET_BYTES, mediaBaseUrlProblem, type TokenVerifyOptions } from './token.ts';

/** Defaults of the settings that bound memory and load (documented in server/README.md). */
export const SERVER_DEFAULTS = {
  cookieTtl: 600,
  rateLimitPerAddress: 1200,
  rateLimitPerSub: 120,
  rateLimitEntries: 20_000,
  maxHeaderBytes: 8192,
  maxBodyBytes: 1024,
  signatureCacheSize: 2000,
  signedPlaylistMargin: 1800,
  signedPlaylistMaxLifetime: 21_600,
} as const;

export const MIN_COOKIE_TTL = 10;
export const MAX_COOKIE_TTL = 86_400;

/** Adds an issue for every item of a list that `problem` finds fault with. */
function eachItem(problem: (item: string) => string | null) {
  return (items: string[], ctx: z.RefinementCtx) => {
    for (const item of items) {
      const why = problem(item);
      if (why) ctx.addIssue({ code: 'custom', message: `"${item}" ${why}` });
    }
  };
}

const shape = {
  host: setting.string().default('127.0.0.1'),
  port: setting.integer(0, 65_535).default(DEFAULT_PORTS.auth),
  tokenSecrets: setting.pairs().superRefine((secrets, ctx) => {
    const entries = Object.entries(secrets);
    if (entries.length === 0) ctx.addIssue({ code: 'custom', message: 'at least one kid:secret is required' });
    for (const [kid, secret] of entries) {
      if (kid.length > 64) ctx.addIssue({ code: 'custom', message: `kid "${kid.slice(0, 20)}…" is longer than 64 characters` });
      if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) {
        ctx.addIssue({ code: 'custom', message: `the secret of kid "${kid}" is shorter than ${MIN_SECRET_BYTES} bytes` });
      }
    }
  }),
  tokenIssuers: setting.list().refine((list) => list.length > 0, 'at least one issuer is required'),
  /** `kid:issuer issuer…,kid2:issuer` — which site may sign with which key (optional). */
  tokenKeyIssuers: setting.pairs().optional(),
  tokenMaxLifetime: setting.integer(60, 7 * 86_400).default(7200),
  tokenLeeway: setting.integer(0, MAX_LEEWAY_SECONDS).default(30),
  mediaBaseUrls: setting
    .list()
    .refine((list) => list.length > 0, 'at least one URL is required')
    .superRefine(eachItem(mediaBaseUrlProblem)),
  cloudfrontKeyPairId: setting.string(),
  cloudfrontPrivateKeyFile: setting.string().optional(),
  cloudfrontPrivateKey: setting.string().optional(),
  cloudfrontSecondKeyPairId: setting.string().optional(),
  cloudfrontSecondPrivateKeyFile: setting.string().optional(),
  cloudfrontSecondPrivateKey: setting.string().optional(),
  cloudfrontActiveKeyPairId: setting.string().optional(),
  cookieTtl: setting.integer(MIN_COOKIE_TTL, MAX_COOKIE_TTL).default(SERVER_DEFAULTS.cookieTtl),
  cookieDomain: setting
    .string()
    .refine((v) => /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(v), 'is not a host name')
    .optional(),
  cookieSecure: setting.boolean().default(true),
  allowedOrigins: setting.list().superRefine(eachItem(originProblem)).default([]),
  rateLimitPerAddress: setting.integer(0, 1_000_000).default(SERVER_DEFAULTS.rateLimitPerAddress),
  rateLimitPerSub: setting.integer(0, 1_000_000).default(SERVER_DEFAULTS.rateLimitPerSub),
  rateLimitEntries: setting.integer(100, 10_000_000).default(SERVER_DEFAULTS.rateLimitEntries),
  clientAddressHeader: setting
    .string()
    .refine((v) => /^[a-z0-9-]+$/i.test(v), 'is not a header name')
    .optional(),
  maxHeaderBytes: setting.integer(1024, 1_048_576).default(SERVER_DEFAULTS.maxHeaderBytes),
  maxBodyBytes: setting.integer(0, 1_048_576).default(SERVER_DEFAULTS.maxBodyBytes),
  signatureCacheSize: setting.integer(0, 1_000_000).default(SERVER_DEFAULTS.signatureCacheSize),
  signedPlaylists: setting.boolean().default(false),
  signedPlaylistMargin: setting.integer(60, 86_400).default(SERVER_DEFAULTS.signedPlaylistMargin),
  signedPlaylistMaxLifetime: setting.integer(600, 7 * 86_400).default(SERVER_DEFAULTS.signedPlaylistMaxLifetime),
};

export interface ServerConfig {
  host: string;
  port: number;
  token: TokenVerifyOptions;
  /** The key pairs the server holds (one or two); `activeKeyPairId` signs. */
  keyPairs: CloudFrontKeyPair[];
  activeKeyPairId: string;
  cookie: {
    /** Default cookie lifetime, seconds (the app may be given a function that overrides it). */
    ttlSeconds: number;
    domain?: string | undefined;
    secure: boolean;
  };
  /** Origins allowed to call with credentials (`https://moodle.example.edu`). */
  allowedOrigins: string[];
  rateLimit: {
    /** Requests per minute per client address (burst of the same size); 0 = off. */
    perAddressPerMinute: number;
    /** Requests per minute per viewer (`iss` + `sub`); 0 = off. */
    perSubPerMinute: number;
    /** Most addresses / viewers tracked at once (least recently seen forgotten first). */
    maxEntries: number;
  };
  /**
   * Lower-case header holding the viewer's address when behind a proxy (`x-forwarded-for`: the
   * last entry, as CloudFront appends it; `cloudfront-viewer-address`: `ip:port`). Unset: the peer.
   */
  clientAddressHeader?: string | undefined;
  limits: { maxHeaderBytes: number; maxBodyBytes: number };
  /** Signed cookie triples kept; 0 = one RSA signature per request. */
  signatureCacheSize: number;
  /**
   * Per-viewer signed playlists for native-HLS-only clients (server/signed-playlist.ts). Absent or
   * `enabled: false` (the default): `POST /session {"mode":"playlist"}` and `GET /playlist/…` answer 404.
   */
  signedPlaylists?: {
    enabled: boolean;
    /** Added to the video's duration: how long a viewer may pause and still finish, seconds. */
    marginSeconds: number;
    /** Upper bound of a signed playlist's lifetime whatever the video's duration, seconds. */
    maxLifetimeSeconds: number;
  };
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function readKey(
  problems: string[],
  file: string | undefined,
  pem: string | undefined,
  fileKey: string,
  pemKey: string,
): string | undefined {
  if (file && pem) {
    problems.push(`${envName(fileKey)} and ${envName(pemKey)}: set only one`);
    return undefined;
  }
  let text: string | undefined;
  if (file) {
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      problems.push(`${envName(fileKey)}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      return undefined;
    }
  } else if (pem) {
    // A PEM in an environment variable often arrives with literal "\n".
    text = pem.includes('\\n') ? pem.replace(/\\n/g, '\n') : pem;
  } else {
    problems.push(`${envName(fileKey)} or ${envName(pemKey)}: one is required`);
    return undefined;
  }
  try {
    const key = createPrivateKey(text);
    if (key.asymmetricKeyType !== 'rsa') throw new Error(`a ${key.asymmetricKeyType} key, CloudFront needs RSA`);
    if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw new Error('RSA key shorter than 2048 bits');
  } catch (error) {
    problems.push(`${envName(file ? fileKey : pemKey)}: not a usable RSA private key PEM (${(error as Error).message})`);
    return undefined;
  }
  return text;
}

/**
 * The Moodle App's web view on iOS serves its pages from a scheme of its own, so its requests carry
 * `Origin: moodleappfs://localhost` (Android's is `http://localhost`). URL gives such an origin as
 * "null": it is checked by its shape, scheme://host[:port] and nothing more.
 */
const APP_ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[a-z0-9.-]+(?::\d{1,5})?$/;

export function originProblem(value: string): string | null {
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      return APP_ORIGIN.test(value) ? null : 'must use http or https, or be an app origin like "moodleappfs://localhost" (scheme://host)';
    }
    if (url.origin !== value) return `must be an origin like "${url.origin}" (no path or trailing /)`;
    return null;
  } catch {
    return 'is not an origin (scheme://host[:port])';
  }
}

/** Reads and checks the configuration; throws ConfigError listing every problem. */
export function loadServerConfig(env: Record<string, string | undefined> = process.env): ServerConfig {
  const file = env.HLSGATE_SERVER_CONFIG || undefined;
  let raw: z.infer<z.ZodObject<typeof shape>>;
  try {
    raw = loadConfig(shape, { env, file });
  } catch (error) {
    // Name the missing key too, so that one run lists everything that is missing.
    if (error instanceof ConfigError && !file && !env.HLSGATE_CLOUDFRONT_PRIVATE_KEY_FILE && !env.HLSGATE_CLOUDFRONT_PRIVATE_KEY) {
      throw new ConfigError([...error.problems, `${envName('cloudfrontPrivateKeyFile')} or ${envName('cloudfrontPrivateKey')}: one is required`]);
    }
    throw error;
  }
  const problems: string[] = [];

  if (!raw.cookieSecure) {
    const nonLocal = raw.mediaBaseUrls.filter((u) => {
      try {
        const url = new URL(u);
        return url.protocol !== 'http:' || !LOCAL_HOSTS.has(url.hostname);
      } catch {
        return true;
      }
    });
    if (nonLocal.length > 0) {
      problems.push(`${envName('cookieSecure')}: false is allowed only when every media base URL is http://localhost or 127.0.0.1 (not ${nonLocal.join(', ')})`);
    }
  }

  const keyPairs: CloudFrontKeyPair[] = [];
  const firstPem = readKey(problems, raw.cloudfrontPrivateKeyFile, raw.cloudfrontPrivateKey, 'cloudfrontPrivateKeyFile', 'cloudfrontPrivateKey');
  if (firstPem) keyPairs.push({ keyPairId: raw.cloudfrontKeyPairId, privateKeyPem: firstPem });
  const second = [raw.cloudfrontSecondKeyPairId, raw.cloudfrontSecondPrivateKeyFile, raw.cloudfrontSecondPrivateKey];
  if (second.some((v) => v !== undefined)) {
    if (raw.cloudfrontSecondKeyPairId === undefined) {
      problems.push(`${envName('cloudfrontSecondKeyPairId')}: required when a second private key is given`);
    }
    const secondPem = readKey(
      problems,
      raw.cloudfrontSecondPrivateKeyFile,
      raw.cloudfrontSecondPrivateKey,
      'cloudfrontSecondPrivateKeyFile',
      'cloudfrontSecondPrivateKey',
    );
    if (secondPem && raw.cloudfrontSecondKeyPairId !== undefined) {
      if (raw.cloudfrontSecondKeyPairId === raw.cloudfrontKeyPairId) {
        problems.push(`${envName('cloudfrontSecondKeyPairId')}: must differ from ${envName('cloudfrontKeyPairId')}`);
      }
      keyPairs.push({ keyPairId: raw.cloudfrontSecondKeyPairId, privateKeyPem: secondPem });
    }
  }
  const activeKeyPairId = raw.cloudfrontActiveKeyPairId ?? raw.cloudfrontKeyPairId;
  if (![raw.cloudfrontKeyPairId, raw.cloudfrontSecondKeyPairId].includes(activeKeyPairId)) {
    problems.push(`${envName('cloudfrontActiveKeyPairId')}: "${activeKeyPairId}" is neither configured key pair id`);
  }

  let keyIssuers: Record<string, string[]> | undefined;
  if (raw.tokenKeyIssuers !== undefined) {
    keyIssuers = {};
    const issuers = new Set(raw.tokenIssuers);
    for (const [kid, value] of Object.entries(raw.tokenKeyIssuers)) {
      const bound = value.split(/\s+/).filter(Boolean);
      keyIssuers[kid] = bound;
      if (!(kid in raw.tokenSecrets)) problems.push(`${envName('tokenKeyIssuers')}: kid "${kid}" has no secret in ${envName('tokenSecrets')}`);
      for (const issuer of bound) {
        if (!issuers.has(issuer)) problems.push(`${envName('tokenKeyIssuers')}: "${issuer}" is not in ${envName('tokenIssuers')}`);
      }
    }
    for (const kid of Object.keys(raw.tokenSecrets)) {
      if (!keyIssuers[kid]?.length) problems.push(`${envName('tokenKeyIssuers')}: kid "${kid}" is bound to no issuer`);
    }
  }
  if (raw.signedPlaylistMargin >= raw.signedPlaylistMaxLifetime) {
    problems.push(`${envName('signedPlaylistMargin')}: must be below ${envName('signedPlaylistMaxLifetime')} (${raw.signedPlaylistMaxLifetime})`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    host: raw.host,
    port: raw.port,
    token: {
      secrets: raw.tokenSecrets,
      issuers: raw.tokenIssuers,
      keyIssuers: keyIssuers,
      mediaBaseUrls: raw.mediaBaseUrls,
      maxLifetimeSeconds: raw.tokenMaxLifetime,
      leewaySeconds: raw.tokenLeeway,
    },
    keyPairs,
    activeKeyPairId,
    cookie: { ttlSeconds: raw.cookieTtl, domain: raw.cookieDomain, secure: raw.cookieSecure },
    allowedOrigins: raw.allowedOrigins,
    rateLimit: {
      perAddressPerMinute: raw.rateLimitPerAddress,
      perSubPerMinute: raw.rateLimitPerSub,
      maxEntries: raw.rateLimitEntries,
    },
    clientAddressHeader: raw.clientAddressHeader?.toLowerCase(),
    limits: { maxHeaderBytes: raw.maxHeaderBytes, maxBodyBytes: raw.maxBodyBytes },
    signatureCacheSize: raw.signatureCacheSize,
    signedPlaylists: {
      enabled: raw.signedPlaylists,
      marginSeconds: raw.signedPlaylistMargin,
      maxLifetimeSeconds: raw.signedPlaylistMaxLifetime,
    },
  };
}

