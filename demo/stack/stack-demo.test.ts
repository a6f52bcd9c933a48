/** The demo page's wiring: Vite started by the stack, its origin allowed by the stand-in and the auth server. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/log.ts';
import { type Stack, startStack } from './stack.ts';

describe('local stack with a demo page', () => {
  let dir: string;
  let stack: Stack;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hlsgate-demo-'));
    const root = join(dir, 'page');
    writeFileSync(join(dir, 'vite.config.mjs'), `export default { root: ${JSON.stringify(root)}, logLevel: 'silent' };\n`);
    mkdirSync(root);
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>demo</title><p id="media">%VITE_HLSGATE_MEDIA_URL%</p>\n');
    stack = await startStack({
      dataDir: join(dir, 'data'),
      ports: { media: 0, auth: 0, s3: 0, demo: 0 },
      demoPage: true,
      demoViteConfig: join(dir, 'vite.config.mjs'),
      logger: createLogger({ name: 'stack-demo-test', level: 'silent' }),
    });
  });

  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the page on a free port with the media host URL, and allows its origin everywhere', async () => {
    expect(stack.urls.demo).toMatch(/^http:\/\/localhost:\d+$/);
    const page = await (await fetch(`${stack.urls.demo}/`)).text();
    expect(page).toContain(`<p id="media">${stack.urls.media}</p>`);

    const origin = stack.urls.demo!;
    const videos = await fetch(`${stack.urls.media}/_dev/videos`, { headers: { Origin: origin } });
    expect(videos.headers.get('access-control-allow-origin')).toBe(origin);
    const res = `${stack.mediaBaseUrl}DemoPageTestDir00001/`;
    const session = await fetch(`${stack.urls.media}/_auth/session`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${stack.mintToken(res)}`, Origin: origin },
    });
    expect(session.status).toBe(200);
    expect(session.headers.get('access-control-allow-origin')).toBe(origin);
  });

  it('stops everything, the page included', async () => {
    const demo = stack.urls.demo!;
    await stack.stop();
    await expect(fetch(`${demo}/`)).rejects.toThrow();
    await expect(fetch(`${stack.urls.media}/_dev/status`)).rejects.toThrow();
  });
});
