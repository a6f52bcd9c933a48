/**
 * Node entry (`npm run server`): the app on @hono/node-server at HLSGATE_HOST:HLSGATE_PORT,
 * stopped gracefully on SIGINT/SIGTERM. A bad configuration prints every problem and exits 1.
 */
import { STATUS_CODES, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { serve } from '@hono/node-server';
import { ConfigError } from '../common/config.ts';
import type { ErrorBody, ErrorCode } from '../common/contracts.ts';
import { createLogger, type Logger } from '../common/log.ts';
import { createApp, type AppOptions } from './app.ts';
import { loadServerConfig, type ServerConfig } from './config.ts';

export interface RunningServer {
  /** `http://host:port`. */
  url: string;
  port: number;
  server: Server;
  /** Stops accepting, lets requests in flight finish (at most `graceMs`), then closes the rest. */
  stop(graceMs?: number): Promise<void>;
}

/** Head room above the app's own header limit, so that the app (not the parser) answers most. */
const PARSER_HEADER_HEADROOM = 8192;

function rawJsonResponse(status: number, code: ErrorCode, message: string): string {
  const body = JSON.stringify({ error: { code, message } } satisfies ErrorBody);
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`
  );
}

export function startServer(config: ServerConfig, options: AppOptions = {}): Promise<RunningServer> {
  const logger: Logger = options.logger ?? createLogger({ name: 'hlsgate-server' });
  const app = createApp(config, { ...options, logger });
  return new Promise((resolve, reject) => {
    const server = serve({
      fetch: app.fetch,
      hostname: config.host,
      port: config.port,
      serverOptions: {
        maxHeaderSize: config.limits.maxHeaderBytes + PARSER_HEADER_HEADROOM,
        headersTimeout: 10_000,
        requestTimeout: 15_000,
        keepAliveTimeout: 5_000,
      },
    }) as Server;
    // What the HTTP parser refuses never reaches the app: answer it in the same JSON shape.
    server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
      if (!socket.writable || error.code === 'ECONNRESET') {
        socket.destroy();
        return;
      }
      const [status, code, message]: [number, ErrorCode, string] =
        error.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'payload_too_large', 'request headers are too large']
          : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? [408, 'bad_request', 'request timed out']
            : [400, 'bad_request', 'malformed HTTP request'];
      logger.info('request', { status, code, parser: error.code });
      socket.end(rawJsonResponse(status, code, message));
    });
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      let stopping: Promise<void> | undefined;
      resolve({
        url: `http://${host}:${port}`,
        port,
        server,
        stop(graceMs = 5000) {
          stopping ??= new Promise<void>((done) => {
            const force = setTimeout(() => server.closeAllConnections(), graceMs);
            server.close(() => {
              clearTimeout(force);
              done();
            });
            server.closeIdleConnections();
          });
          return stopping;
        },
      });
    });
  });
}

async function main(): Promise<void> {
  const logger = createLogger({ name: 'hlsgate-server' });
  let config: ServerConfig;
  try {
    config = loadServerConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`hlsgate auth server: ${error.message}\nSee server/README.md for every HLSGATE_* variable.\n`);
      process.exit(1);
    }
    throw error;
  }
  const running = await startServer(config, { logger });
  process.stdout.write(`hlsgate auth server listening on ${running.url} (POST ${running.url}/session)\n`);
  const shutdown = (signal: string) => {
    logger.info('stopping', { signal });
    void running.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`hlsgate auth server: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
