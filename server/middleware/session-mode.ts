/**
 * The mode of a `POST /session`: no body (or `{}`) is cookie mode, `{"mode":"query"}` query mode,
 * `{"mode":"playlist"}` a signed playlist (server/signed-playlist.ts).
 * Anything else is a 400 before any signature is made, so a malformed request can never leave with
 * cookies, nor with cookies and a query. Content-Type is not required: CloudFront's origin request
 * policy forwards only the headers it names, and the body is read as JSON whatever it says.
 */
import type { MiddlewareHandler } from 'hono';
import { POST_SESSION_MODES, type PostSessionMode } from '../../common/contracts.ts';
import type { AppEnv } from './env.ts';
import { ApiError } from './errors.ts';

/** Pure: the mode a body asks for, or a message saying what is wrong with it. */
export function parseSessionMode(text: string): PostSessionMode | { problem: string } {
  if (text.trim() === '') return 'cookie';
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { problem: 'the body must be JSON' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { problem: 'the body must be a JSON object' };
  const extra = Object.keys(body).filter((key) => key !== 'mode');
  if (extra.length > 0) return { problem: `unknown field "${extra[0]!.slice(0, 32)}"` };
  const mode = (body as { mode?: unknown }).mode;
  if (mode === undefined) return 'cookie';
  if (typeof mode !== 'string' || !(POST_SESSION_MODES as readonly string[]).includes(mode)) {
    return { problem: `"mode" must be one of ${POST_SESSION_MODES.map((m) => `"${m}"`).join(', ')}` };
  }
  return mode as PostSessionMode;
}

export function sessionMode(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // No body framing over Node's HTTP means no body (see body-limit.ts): do not build a stream for it.
    const framed = c.req.header('content-length') !== undefined || c.req.header('transfer-encoding') !== undefined;
    const hasBody = framed || !(c.env as { incoming?: unknown } | undefined)?.incoming;
    const text = hasBody && c.req.header('content-length') !== '0' ? await c.req.text() : '';
    const mode = parseSessionMode(text);
    if (typeof mode !== 'string') throw new ApiError(400, 'bad_request', mode.problem);
    c.set('mode', mode);
    await next();
  };
}
