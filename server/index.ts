/**
 * The auth server's public face: build the app, start it on Node, or hand it to Lambda; and the
 * token and cookie rules other parts (the local stack, the Moodle filter's tests) share.
 */
export { createApp, ApiError, type AppOptions } from './app.ts';
export { loadServerConfig, type ServerConfig } from './config.ts';
export { startServer, type RunningServer } from './node.ts';
export { createLambdaHandler } from './lambda.ts';
export {
  signViewToken,
  verifyViewToken,
  verifyViewTokenAllowingExpired,
  checkResource,
  mediaBaseUrlProblem,
  TokenError,
  MAX_TOKEN_LENGTH,
  type TokenVerifyOptions,
  type TokenErrorCode,
  type SigningKey,
} from './token.ts';
export { buildPolicy, signPolicy, cookieStrings, clearingCookieStrings, type CloudFrontKeyPair, type SignedCookieValues } from './policy.ts';
export { sessionTiming, bucketSeconds } from './cookie-session.ts';
