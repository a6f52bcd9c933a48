/**
 * The view token of a request: taken from the token header that CloudFront's viewer-request
 * function fills (behind origin access control `Authorization` carries CloudFront's own SigV4
 * signature), else from `Authorization: Bearer …`; verified, with its `res` checked, and handed on
 * as `claims` and `resource`. Refusals are ApiErrors with the contract's codes.
 */
import type { MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AUTH_ROUTE } from '../../common/delivery.ts';
import { TokenError, compileVerifyOptions, verifyViewTokenWithResource, type TokenVerifyOptions } from '../token.ts';
import type { AppEnv } from './env.ts';
import { ApiError } from './errors.ts';

const TOKEN_ERROR_STATUS: Record<TokenError['code'], ContentfulStatusCode> = {
  bad_request: 400,
  token_invalid: 401,
  token_expired: 401,
  resource_forbidden: 403,
};

const BEARER = /^Bearer +(\S+) *$/i;

export interface ViewTokenOptions {
  token: TokenVerifyOptions;
  /** DELETE /session clears cookies with an expired (but otherwise valid) token. */
  allowExpired?: boolean;
  /** Epoch milliseconds. */
  now?: () => number;
}

export function viewToken({ token, allowExpired = false, now = Date.now }: ViewTokenOptions): MiddlewareHandler<AppEnv> {
  // Fail at creation, not mid-request.
  compileVerifyOptions(token);
  return async (c, next) => {
    const header = c.req.header(AUTH_ROUTE.tokenHeader) ?? c.req.header('authorization');
    const match = header === undefined ? null : BEARER.exec(header);
    if (!match) throw new ApiError(400, 'bad_request', 'an Authorization: Bearer <view token> header is required');
    try {
      const { claims, resource } = verifyViewTokenWithResource(match[1]!, token, Math.floor(now() / 1000), allowExpired);
      c.set('sub', claims.sub);
      c.set('dir', resource.dir);
      c.set('claims', claims);
      c.set('resource', resource);
    } catch (error) {
      if (error instanceof TokenError) throw new ApiError(TOKEN_ERROR_STATUS[error.code], error.code, error.message);
      throw error;
    }
    await next();
  };
}
