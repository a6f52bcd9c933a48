/** Total request header size, before anything reads the headers: 431 above `maxBytes`. */
import type { MiddlewareHandler } from 'hono';
import { wholeNumber, type AppEnv } from './env.ts';
import { ApiError } from './errors.ts';

export function headerLimit({ maxBytes }: { maxBytes: number }): MiddlewareHandler<AppEnv> {
  wholeNumber('headerLimit', 'maxBytes', maxBytes, 1);
  return async (c, next) => {
    let bytes = 0;
    // On Node the raw name/value list is at hand; iterating `headers` there would first build a
    // full Headers object (measured: ≈ 10 µs a request).
    const rawHeaders = (c.env as { incoming?: { rawHeaders?: string[] } } | undefined)?.incoming?.rawHeaders;
    if (rawHeaders) {
      for (let i = 0; i < rawHeaders.length; i++) bytes += rawHeaders[i]!.length + 2;
    } else {
      c.req.raw.headers.forEach((value, name) => {
        bytes += name.length + value.length + 4;
      });
    }
    if (bytes > maxBytes) throw new ApiError(431, 'payload_too_large', `request headers exceed ${maxBytes} bytes`);
    await next();
  };
}
