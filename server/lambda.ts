/**
 * AWS Lambda entry (API Gateway HTTP API v2, REST v1, Lambda function URLs, ALB) through
 * `hono/aws-lambda`. The configuration is read from `HLSGATE_*` on the first invocation; a bad
 * setting fails that invocation with a message naming it (and is logged), as the Node entry does.
 */
import { handle, type LambdaContext, type LambdaEvent } from 'hono/aws-lambda';
import { createLogger } from '../common/log.ts';
import { createApp, type AppOptions } from './app.ts';
import { loadServerConfig, type ServerConfig } from './config.ts';

export function createLambdaHandler(config: ServerConfig, options: AppOptions = {}) {
  return handle(createApp(config, options));
}

let cached: ReturnType<typeof createLambdaHandler> | undefined;

export const handler = async (event: LambdaEvent, context?: LambdaContext) => {
  if (!cached) {
    try {
      cached = createLambdaHandler(loadServerConfig(process.env), { logger: createLogger({ name: 'hlsgate-server' }) });
    } catch (error) {
      createLogger({ name: 'hlsgate-server' }).error('configuration refused', { error });
      throw error;
    }
  }
  return cached(event, context);
};
