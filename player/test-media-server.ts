/**
 * A media host for the 403-net unit tests (tests only): `/lectures/…` answers CloudFront's 403 until
 * `state.authorized`, drops the next `state.dropNext` connections (what a 403 without CORS headers is
 * to a page: no answer, status 0), else 64 KiB of media (paths with `slow` arrive in two parts, 1.5 s apart).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MediaServer {
  base: string;
  state: { authorized: boolean; dropNext: number };
  close(): Promise<void>;
}

export const MEDIA_BYTES = 64 * 1024;

export async function startMediaServer(): Promise<MediaServer> {
  const state = { authorized: false, dropNext: 0 };
  const server = createServer((req, res) => {
    const path = req.url ?? '';
    if (path.startsWith('/lectures/') && state.dropNext > 0) {
      state.dropNext -= 1;
      req.socket.destroy();
      return;
    }
    if (path.startsWith('/lectures/') && !state.authorized) {
      const body = '<?xml version="1.0"?><Error><Code>AccessDenied</Code></Error>';
      res.writeHead(403, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body) });
      return res.end(body);
    }
    const body = Buffer.alloc(MEDIA_BYTES, 7);
    res.writeHead(200, { 'content-type': 'video/mp2t', 'content-length': body.length });
    if (path.includes('slow')) {
      res.write(body.subarray(0, 1024));
      setTimeout(() => res.end(body.subarray(1024)), 1_500);
    } else res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The server for one test file: started before its tests, closed after, reset (unauthorized, no
 * drops) before each, with `reset` for the file's own counters. Read `.server` inside tests.
 */
export function useMediaServer(hooks: { beforeAll(fn: () => unknown): void; afterAll(fn: () => unknown): void; beforeEach(fn: () => unknown): void }, reset: () => void = () => {}): { server: MediaServer } {
  const handle = {} as { server: MediaServer };
  hooks.beforeAll(async () => {
    handle.server = await startMediaServer();
  });
  hooks.afterAll(() => handle.server.close());
  hooks.beforeEach(() => {
    handle.server.state.authorized = false;
    handle.server.state.dropNext = 0;
    reset();
  });
  return handle;
}
