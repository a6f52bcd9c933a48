/** One log line per request: method, path, status, ms, and (when known) sub, dir, error code; never a token. */
import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../../common/log.ts';
import type { AppEnv } from './env.ts';

export function requestLog({ logger }: { logger: Logger }): MiddlewareHandler<AppEnv> {
  if (!logger) throw new TypeError('requestLog: logger is required');
  return async (c, next) => {
    const started = performance.now();
    await next();
    logger.info('request', {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 100) / 100,
      sub: c.get('sub'),
      dir: c.get('dir'),
      code: c.get('errorCode'),
    });
  };
}
