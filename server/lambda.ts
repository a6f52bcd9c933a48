/**
 * AWS Lambda entry (Lambda function URLs, API Gateway HTTP API v2, REST v1, ALB) through
 * `hono/aws-lambda`. On the first invocation of an instance it reads the secrets named by
 * `HLSGATE_*_SECRET_ARN` (server/secrets.ts) and the rest of `HLSGATE_*`, once; later invocations
 * reuse the app. A bad setting fails the invocation with a message naming it (and is logged); a
 * secret that could not be read is tried again on the next invocation.
 */
import { handle, type LambdaContext, type LambdaEvent } from 'hono/aws-lambda';
import { ConfigError } from '../common/config.ts';
import { createLogger } from '../common/log.ts';
import { createApp, type AppOptions } from './app.ts';
import { loadServerConfig, type ServerConfig } from './config.ts';
import { nameSecretSources, resolveSecretSettings, secretsManagerReader, type SecretReader } from './secrets.ts';

export function createLambdaHandler(config: ServerConfig, options: AppOptions = {}) {
  return handle(createApp(config, options));
}

type Handler = ReturnType<typeof createLambdaHandler>;

/** Builds the handler from an environment, reading its secrets through `read`. */
export async function lambdaHandlerFromEnv(env: Record<string, string | undefined>, read: SecretReader, options: AppOptions = {}): Promise<Handler> {
  const resolved = await resolveSecretSettings(env, read);
  let config: ServerConfig;
  try {
    config = loadServerConfig(resolved);
  } catch (error) {
    throw error instanceof ConfigError ? nameSecretSources(error, env) : error;
  }
  return createLambdaHandler(config, options);
}

let ready: Promise<Handler> | undefined;
const readSecret = secretsManagerReader();

function start(): Promise<Handler> {
  const logger = createLogger({ name: 'hlsgate-server' });
  return lambdaHandlerFromEnv(process.env, readSecret, { logger }).catch((error: unknown) => {
    ready = undefined;
    logger.error('configuration refused', { error });
    throw error;
  });
}

export const handler = async (event: LambdaEvent, context?: LambdaContext) => {
  ready ??= start();
  return (await ready)(event, context);
};
