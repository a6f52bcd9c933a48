/**
 * Errors as data: `ApiError(status, code, message)` thrown anywhere, rendered once by
 * `errorHandler` as `{"error":{"code","message"}}`; `noCookiesOnError` makes sure no error answer
 * ever carries a Set-Cookie, whatever happened inside.
 */
import type { Context, ErrorHandler, MiddlewareHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorBody, ErrorCode } from '../../common/contracts.ts';
import type { Logger } from '../../common/log.ts';
import type { AppEnv } from './env.ts';

/** An HTTP failure as data: status, code, message; rendered by the one app.onError. */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(status, { message });
    this.name = 'ApiError';
  }
}

function errorResponse(c: Context<AppEnv>, status: ContentfulStatusCode, code: ErrorCode, message: string, headers: Record<string, string> = {}) {
  c.set('errorCode', code);
  return c.json({ error: { code, message } } satisfies ErrorBody, status, { ...headers, 'Cache-Control': 'no-store' });
}

export const notFound: NotFoundHandler<AppEnv> = (c) => errorResponse(c, 404, 'not_found', 'no such route');

/** `app.onError`: ApiError as it says, Hono's own HTTPException as 400/413, anything else a logged 500. */
export function errorHandler({ logger }: { logger: Logger }): ErrorHandler<AppEnv> {
  if (!logger) throw new TypeError('errorHandler: logger is required');
  return (error, c) => {
    if (error instanceof ApiError) return errorResponse(c, error.status as ContentfulStatusCode, error.code, error.message, error.headers);
    if (error instanceof HTTPException) {
      // Hono's own (e.g. a malformed request it could not parse).
      return errorResponse(c, error.status as ContentfulStatusCode, error.status === 413 ? 'payload_too_large' : 'bad_request', error.message || 'bad request');
    }
    logger.error('unexpected error', { error, method: c.req.method, path: c.req.path });
    return errorResponse(c, 500, 'internal', 'internal error');
  };
}

/** Outermost: an answer of 400 or above leaves without any Set-Cookie. */
export function noCookiesOnError(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    if (c.res.status >= 400) c.res.headers.delete('set-cookie');
  };
}
