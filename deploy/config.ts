/**
 * The deployment's configuration: one small JSON file (deploy/example.json), checked before
 * anything is synthesized. Every problem names the key, the bad value and what is wanted, all in
 * one error, as the `HLSGATE_*` settings do.
 */
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as z from 'zod';
import { ConfigError, setting } from '../common/config.ts';
import { INCOMING_PREFIX } from '../common/contracts.ts';
import { MAX_COOKIE_TTL, MIN_COOKIE_TTL, SERVER_DEFAULTS, originProblem as serverOriginProblem } from '../server/config.ts';

export const PRICE_CLASSES = ['PriceClass_100', 'PriceClass_200', 'PriceClass_All'] as const;

export interface DeployKey {
  /** Stable name of the key (`2026-11`): its logical id in the template, so a key is never replaced by a rename. */
  name: string;
  publicKeyPem: string;
  /** A Secrets Manager secret that already holds the private key; else the stack makes an empty one to fill. */
  privateKeySecretArn?: string | undefined;
}

export interface DeployConfig {
  /** Where the config came from, for messages. */
  source: string;
  stackName: string;
  /** `media.example.edu`. */
  mediaDomain: string;
  certificateArn: string;
  hostedZone?: { id: string; name: string } | undefined;
  /** `https://moodle.example.edu`: CORS with credentials, and the default token issuers. */
  moodleOrigins: string[];
  /**
   * The Moodle App's web-view origins (`http://localhost` on Android, `moodleappfs://localhost` on
   * iOS): CORS on the auth server and the media, never token issuers. Default none.
   */
  appOrigins: string[];
  tokenIssuers: string[];
  /** `kid` of the view-token secret the stack generates (the filter's `kid:secret`). */
  tokenKeyId: string;
  /** One key, or two during a rotation; `activeKey` signs. */
  keys: DeployKey[];
  activeKey: string;
  /** S3 key prefix = URL path prefix (`lectures`). */
  s3Prefix: string;
  bucketName?: string | undefined;
  cookieTtl: number;
  priceClass: (typeof PRICE_CLASSES)[number];
  accessLogs: boolean;
  /** `HLSGATE_SIGNED_PLAYLISTS`: per-viewer signed playlists for native-HLS-only clients (server/README.md). */
  signedPlaylists: boolean;
}

const HOST_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

function hostProblem(host: string): string | null {
  if (host !== host.toLowerCase()) return 'must be lower case';
  if (host.endsWith('.')) return 'must not end with a dot';
  if (host.includes('*')) return 'must be one name, not a wildcard';
  const labels = host.split('.');
  if (labels.length < 2 || !labels.every((l) => HOST_LABEL.test(l))) return 'is not a DNS host name';
  if (/^\d+$/.test(labels.at(-1)!)) return 'is an IP address, not a host name';
  return null;
}

/** Second-level registries under country TLDs (`school.ac.uk`): a heuristic, not the public suffix list. */
const SECOND_LEVEL = new Set(['ac', 'co', 'com', 'edu', 'gov', 'net', 'org', 'sch', 'school', 'nhs', 'gob', 'govt']);

/** The registrable domain ("site") of a host, e.g. `example.edu` for `moodle.example.edu`. */
export function siteOf(host: string): string {
  const labels = host.split('.');
  const n = labels.length >= 3 && labels.at(-1)!.length === 2 && SECOND_LEVEL.has(labels.at(-2)!) ? 3 : 2;
  return labels.slice(-n).join('.');
}

const S3_PREFIX = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

const keySchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9-]{1,32}$/, 'must be 1–32 letters, digits or -'),
    pem: z.string().optional(),
    file: z.string().optional(),
    privateKeySecretArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, 'must be a Secrets Manager secret ARN')
      .optional(),
  })
  .strict();

const shape = {
  stackName: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'must start with a letter: letters, digits, -').default('Hlsgate'),
  mediaDomain: z.string().superRefine((v, ctx) => {
    const why = hostProblem(v);
    if (why) ctx.addIssue({ code: 'custom', message: why });
    else if (v.endsWith('.cloudfront.net')) {
      ctx.addIssue({ code: 'custom', message: "must be the school's own name: a *.cloudfront.net host is another site, and its cookies are third-party in Moodle" });
    }
  }),
  certificateArn: z
    .string()
    .regex(
      /^arn:aws:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/,
      'must be an ACM certificate ARN in us-east-1 (arn:aws:acm:us-east-1:<account>:certificate/<id>): CloudFront reads certificates only from there',
    ),
  hostedZone: z
    .object({
      id: z.string().regex(/^Z[A-Z0-9]{1,32}$/, 'must be a Route 53 hosted zone id (Z…)'),
      name: z.string().refine((v) => hostProblem(v) === null, 'is not a DNS name'),
    })
    .strict()
    .optional(),
  moodleOrigins: setting.list().refine((l) => l.length > 0, 'at least one Moodle origin is required'),
  appOrigins: setting.list().default([]),
  tokenIssuers: setting.list().optional(),
  tokenKeyId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1–64 letters, digits, . _ -').default('moodle1'),
  cloudfrontPublicKeys: z.array(keySchema).min(1, 'one public key is required').max(2, 'at most two keys (the current and the next)'),
  activeKey: z.string().optional(),
  s3Prefix: z.string().regex(S3_PREFIX, 'must be path segments without leading or trailing /').default('lectures'),
  bucketName: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, 'must be 3–63 lower-case letters, digits or - (no dots: Transfer Acceleration refuses them)')
    .optional(),
  cookieTtl: setting.integer(MIN_COOKIE_TTL, MAX_COOKIE_TTL).default(SERVER_DEFAULTS.cookieTtl),
  priceClass: z.enum(PRICE_CLASSES).default('PriceClass_100'),
  accessLogs: setting.boolean().default(false),
  signedPlaylists: setting.boolean().default(false),
};

function pathOf(path: PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let value = root;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  return value;
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

function originProblem(origin: string, mediaDomain: string): string | null {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return 'is not an origin (https://host)';
  }
  if (url.protocol !== 'https:') return 'must use https';
  if (url.origin !== origin) return `must be an origin like "${url.origin}" (no path or trailing /)`;
  if (hostProblem(mediaDomain) === null && siteOf(url.hostname) !== siteOf(mediaDomain)) {
    return `is not on the same site as ${mediaDomain} (${siteOf(mediaDomain)}): the SameSite=Lax cookies would not flow from Moodle pages`;
  }
  return null;
}

function publicKeyProblem(pem: string): string | null {
  try {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'rsa') return `is a ${key.asymmetricKeyType} key: the auth server signs with RSA`;
    if (key.asymmetricKeyDetails?.modulusLength !== 2048) return `is RSA ${key.asymmetricKeyDetails?.modulusLength}: CloudFront takes RSA 2048`;
    return null;
  } catch (error) {
    return `is not a public key PEM (${(error as Error).message})`;
  }
}

/** Checks a parsed configuration object; `baseDir` resolves key files. Throws ConfigError naming every problem. */
export function parseDeployConfig(input: unknown, source: string, baseDir = process.cwd()): DeployConfig {
  const problems: string[] = [];
  const at = (key: string, message: string) => problems.push(`${source}: "${key}" ${message}`);
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ConfigError([`${source}: must hold a JSON object`]);
  for (const key of Object.keys(input)) if (!(key in shape)) at(key, 'is not a setting (misspelt?)');
  const result = z.object(shape).safeParse(input);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = pathOf(issue.path);
      const value = valueAt(input, issue.path);
      if (value === undefined && issue.path.length === 1) at(path, 'is required');
      else at(path, `= ${shown(value)}: ${issue.message}`);
    }
    throw new ConfigError(problems);
  }
  const raw = result.data;

  raw.moodleOrigins.forEach((origin, i) => {
    const why = originProblem(origin, raw.mediaDomain);
    if (why) at(`moodleOrigins[${i}]`, `= "${origin}" ${why}`);
  });
  raw.appOrigins.forEach((origin, i) => {
    const why = serverOriginProblem(origin);
    if (why) at(`appOrigins[${i}]`, `= "${origin}" ${why}`);
  });
  // CloudFront may read PREFIX/*: a prefix in incoming/ would serve staged, unwatermarked sources.
  if (`${raw.s3Prefix}/`.startsWith(INCOMING_PREFIX)) {
    at('s3Prefix', `= "${raw.s3Prefix}" overlaps "${INCOMING_PREFIX}", where ingest stages source recordings`);
  }
  const tokenIssuers = raw.tokenIssuers ?? raw.moodleOrigins;
  if (tokenIssuers.length === 0) at('tokenIssuers', 'must list at least one issuer');
  if (raw.hostedZone && raw.mediaDomain !== raw.hostedZone.name && !raw.mediaDomain.endsWith(`.${raw.hostedZone.name}`)) {
    at('hostedZone.name', `= "${raw.hostedZone.name}" does not hold ${raw.mediaDomain}`);
  }

  const keys: DeployKey[] = [];
  raw.cloudfrontPublicKeys.forEach((key, i) => {
    const where = `cloudfrontPublicKeys[${i}]`;
    if ((key.pem === undefined) === (key.file === undefined)) return at(where, 'needs exactly one of "pem" or "file"');
    let pem = key.pem;
    if (key.file !== undefined) {
      const file = resolve(baseDir, key.file);
      try {
        pem = readFileSync(file, 'utf8');
      } catch (error) {
        return at(`${where}.file`, `= "${key.file}": cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      }
    }
    const why = publicKeyProblem(pem!);
    if (why) return at(`${where}.${key.file ? 'file' : 'pem'}`, why);
    if (keys.some((k) => k.name === key.name)) return at(`${where}.name`, `= "${key.name}" is used twice`);
    if (keys.some((k) => createPublicKey(k.publicKeyPem).export({ format: 'der', type: 'spki' }).equals(createPublicKey(pem!).export({ format: 'der', type: 'spki' })))) {
      return at(where, 'is the same key as another entry');
    }
    keys.push({ name: key.name, publicKeyPem: pem!.trim() + '\n', privateKeySecretArn: key.privateKeySecretArn });
  });

  let activeKey = raw.activeKey;
  if (activeKey === undefined) {
    if (raw.cloudfrontPublicKeys.length === 2) at('activeKey', 'is required with two keys: name the one that signs');
    activeKey = raw.cloudfrontPublicKeys[0]!.name;
  } else if (!raw.cloudfrontPublicKeys.some((k) => k.name === activeKey)) {
    at('activeKey', `= "${activeKey}" is not the name of a key in "cloudfrontPublicKeys"`);
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    source,
    stackName: raw.stackName,
    mediaDomain: raw.mediaDomain,
    certificateArn: raw.certificateArn,
    hostedZone: raw.hostedZone,
    moodleOrigins: raw.moodleOrigins,
    appOrigins: raw.appOrigins,
    tokenIssuers,
    tokenKeyId: raw.tokenKeyId,
    keys,
    activeKey,
    s3Prefix: raw.s3Prefix,
    bucketName: raw.bucketName,
    cookieTtl: raw.cookieTtl,
    priceClass: raw.priceClass,
    accessLogs: raw.accessLogs,
    signedPlaylists: raw.signedPlaylists,
  };
}

/** Reads and checks a configuration file; key files are relative to it. */
export function loadDeployConfig(file: string): DeployConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`${file}: not JSON (${(error as Error).message})`]);
  }
  return parseDeployConfig(value, file, dirname(resolve(file)));
}
