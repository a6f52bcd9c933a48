/**
 * A media host for the 403-net unit tests (tests only): `/lectures/…` answers CloudFront's 403 until
 * `state.authorized`, drops the next `state.dropNext` connections (what a 403 without CORS headers is
 * to a page: no answer, status 0), else 64 KiB of media (paths with `slow` arrive in two parts).
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
      setTimeout(() => res.end(body.subarray(1024)), 300);
    } else res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
