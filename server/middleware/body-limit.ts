/**
 * Request body size. No route reads a body, so it is only measured: by Content-Length when given,
 * else by hono/body-limit counting the stream. Over Node's HTTP a request with neither
 * Content-Length nor Transfer-Encoding has no body (RFC 9112 §6.3) and is left alone: touching
 * `c.req.raw.body` would build a web stream and a full Request for nothing (a large share of the
 * endpoint's CPU). A body that breaks off before its end (the viewer went away) is the client's
 * doing: 400, logged as any request is, never an "unexpected error".
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit as honoBodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { wholeNumber, type AppEnv } from './env.ts';
import { ApiError } from './errors.ts';

export function bodyLimit({ maxBytes }: { maxBytes: number }): MiddlewareHandler<AppEnv> {
  wholeNumber('bodyLimit', 'maxBytes', maxBytes);
  const tooLarge = () => new ApiError(413, 'payload_too_large', `request body exceeds ${maxBytes} bytes`);
  const counted = honoBodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw tooLarge();
    },
  });
  return async (c, next) => {
    if (c.req.header('transfer-encoding') === undefined) {
      const length = c.req.header('content-length');
      // Number(): a Content-Length that is not a number is refused too (parseInt would read "12abc").
      if (length !== undefined) {
        if (!(Number(length) <= maxBytes)) throw tooLarge();
        return next();
      }
      if ((c.env as { incoming?: unknown } | undefined)?.incoming) return next();
    }
    let reachedRoute = false;
    try {
      return await counted(c, () => {
        reachedRoute = true;
        return next();
      });
    } catch (error) {
      if (reachedRoute || error instanceof HTTPException) throw error;
      throw new ApiError(400, 'bad_request', 'the request body broke off before its end');
    }
  };
}
