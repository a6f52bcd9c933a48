/**
 * One way to configure every part: `HLSGATE_*` environment variables, optionally under a JSON
 * file whose keys are the same settings in camelCase. Validated once at start; a bad or missing
 * setting stops the process with a message that names it.
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';

export const ENV_PREFIX = 'HLSGATE_';

export class ConfigError extends Error {
  readonly code = 'config_invalid';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** `cookieTtl` → `HLSGATE_COOKIE_TTL`. */
export function envName(key: string): string {
  return ENV_PREFIX + key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

type Env = Record<string, string | undefined>;

export interface LoadConfigOptions {
  env?: Env;
  /** A JSON file of camelCase settings; environment variables override it. */
  file?: string;
}

/**
 * Reads every key of `shape` from the file and then the environment (`HLSGATE_` + SNAKE_CASE),
 * and validates the whole with zod. Environment values are strings: use the `setting` helpers
 * below, which accept strings as well as JSON values.
 */
export function loadConfig<S extends z.ZodRawShape>(
  shape: S,
  options: LoadConfigOptions = {},
): z.infer<z.ZodObject<S>> {
  const env = options.env ?? process.env;
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  if (options.file) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(options.file, 'utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new Error('the file must hold a JSON object');
      }
      for (const [key, value] of Object.entries(parsed)) {
        if (key in shape) raw[key] = value;
        else problems.push(`${options.file}: unknown setting "${key}"`);
      }
    } catch (error) {
      problems.push(`${options.file}: ${(error as Error).message}`);
    }
  }
  for (const key of Object.keys(shape)) {
    const value = env[envName(key)];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const result = z.object(shape).safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? '');
      const where = options.file ? `${envName(key)} (or "${key}" in ${options.file})` : envName(key);
      const message = raw[key] === undefined ? 'is required' : issue.message;
      problems.push(`${where}: ${message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return (result as { data: z.infer<z.ZodObject<S>> }).data;
}

/** Schemas for settings that arrive as strings from the environment or as JSON from a file. */
export const setting = {
  string: () => z.string().trim().min(1),
  integer: (min = 0, max = Number.MAX_SAFE_INTEGER) =>
    z.coerce.number().int().min(min).max(max),
  boolean: () =>
    z.union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])]).transform(
      (v) => v === true || v === 'true' || v === '1' || v === 'yes',
    ),
  /** A comma-separated list (or a JSON array). */
  list: () =>
    z
      .union([z.array(z.string()), z.string()])
      .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean)),
  /** `http(s)://` URL. */
  url: () =>
    z.string().trim().refine((v) => {
      try {
        return ['http:', 'https:'].includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, 'must be an http(s) URL'),
  /** `key:value,key:value` (or a JSON object), e.g. `HLSGATE_TOKEN_SECRETS`. */
  pairs: () =>
    z
      .union([z.record(z.string(), z.string()), z.string()])
      .transform((v, ctx) => {
        if (typeof v !== 'string') return v;
        const out: Record<string, string> = {};
        for (const part of v.split(',').map((s) => s.trim()).filter(Boolean)) {
          const i = part.indexOf(':');
          if (i <= 0 || i === part.length - 1) {
            ctx.addIssue({ code: 'custom', message: `"${part.slice(0, 20)}…" is not key:value` });
            return z.NEVER;
          }
          out[part.slice(0, i)] = part.slice(i + 1);
        }
        return out;
      }),
};
