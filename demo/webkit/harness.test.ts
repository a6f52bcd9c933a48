/**
 * The WebKitGTK harness and the WebDriver client against the real WebKitWebDriver and MiniBrowser
 * (a page from a local HTTP server): navigate, execute, errors as data, and stop() leaving neither
 * the driver nor Xvfb behind. Skipped, in one line, where WebKitGTK is missing.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findWebKit, startWebKit, type WebKit } from './harness.ts';
import { command, WebDriverError, type WebDriverSession } from './webdriver.ts';

const found = findWebKit();
if (!found.ok) console.log(`WebKitGTK is missing (${found.missing.join(', ')}): the harness tests are skipped; scripts/setup.sh test installs ${found.packages.join(' ')}`);

describe.skipIf(!found.ok)('WebKitGTK harness', () => {
  let server: Server;
  let pageUrl: string;
  let webkit: WebKit;
  let session: WebDriverSession;

  beforeAll(async () => {
    server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>harness</title><p id="p">${req.url === '/b' ? 'second' : 'first'}</p><script>window.answer = 42;</script>`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    pageUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    webkit = await startWebKit();
    session = await webkit.newSession();
  });

  afterAll(async () => {
    await webkit?.stop();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('navigates and runs scripts with arguments; JSON values come back', async () => {
    expect(session.capabilities.browserName).toBe('MiniBrowser');
    await session.navigate(`${pageUrl}/a`);
    expect(await session.execute<string>('return document.getElementById("p").textContent')).toBe('first');
    expect(await session.execute<number>('return window.answer + arguments[0]', [8])).toBe(50);
    expect(await session.execute<unknown>('return { a: [1, "x", null], b: true }')).toEqual({ a: [1, 'x', null], b: true });
    await session.navigate(`${pageUrl}/b`);
    expect(await session.execute<string>('return document.getElementById("p").textContent')).toBe('second');
  });

  it('the browser plays HLS itself (GStreamer HLS enabled through the driver)', async () => {
    const answer = await session.execute<string>('return document.createElement("video").canPlayType("application/vnd.apple.mpegurl")');
    expect(answer).not.toBe('');
  });

  it('a failing script and an unknown session are WebDriver errors with the protocol code', async () => {
    const thrown = await session.execute('throw new Error("boom")').catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(WebDriverError);
    expect((thrown as WebDriverError).code).toBe('javascript error');
    expect((thrown as Error).message).toContain('boom');
    const missing = await command(webkit.driverUrl, 'POST', '/session/nope/url', { url: pageUrl }).catch((error: unknown) => error);
    expect((missing as WebDriverError).code).toBe('invalid session id');
    expect((missing as WebDriverError).status).toBe(404);
  });

  it('stop() ends the session, the driver and Xvfb', async () => {
    const { driverUrl, display } = webkit;
    const socket = `/tmp/.X11-unix/X${display.slice(1)}`;
    expect(existsSync(socket)).toBe(true);
    await webkit.stop();
    await expect(command(driverUrl, 'GET', '/status')).rejects.toThrow();
    expect(existsSync(socket)).toBe(false);
    await session.close(); // a second close is harmless
  });
});
