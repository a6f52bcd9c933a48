/**
 * One way to log: one JSON object per line on stderr (or a given stream), with the values of
 * secret-bearing keys replaced, so a token or a cookie never reaches a log by accident.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

const SECRET_KEY = /token|secret|password|authorization|cookie|signature|policy|private.?key/i;

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  name: string;
  level?: LogLevel;
  write?: (line: string) => void;
  now?: () => Date;
}

export function parseLogLevel(value: string | undefined, fallback: LogLevel = 'info'): LogLevel {
  return value && value in LEVELS ? (value as LogLevel) : fallback;
}

function redact(value: unknown, depth = 0): unknown {
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: value.message, code: (value as { code?: unknown }).code };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}

function redactField(key: string, value: unknown): unknown {
  if (SECRET_KEY.test(key)) return '[redacted]';
  return value === null || typeof value !== 'object' ? value : redact(value, 1);
}

export function createLogger(options: LoggerOptions, bound: LogFields = {}): Logger {
  const threshold = LEVELS[options.level ?? parseLogLevel(process.env.HLSGATE_LOG_LEVEL)];
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const now = options.now ?? (() => new Date());
  const boundKeys = Object.keys(bound);
  const emit = (level: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields) => {
    if (LEVELS[level] < threshold) return;
    // The same record as `{ time, level, name, msg, ...redact({ ...bound, ...fields }) }` (key
    // order, overrides and redaction alike), built in one object without the intermediate copies.
    const record: LogFields = { time: now().toISOString(), level, name: options.name, msg };
    for (const key of boundKeys) record[key] = redactField(key, bound[key]);
    if (fields) for (const key of Object.keys(fields)) record[key] = redactField(key, fields[key]);
    write(JSON.stringify(record));
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    child: (fields) => createLogger(options, { ...bound, ...fields }),
  };
}
