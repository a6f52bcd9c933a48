/**
 * What the browser tests share: the stack's dev routes, the engine under test (the Playwright
 * project's `engine` option: video.js by default; the `hlsjs` project runs the tests tagged
 * `@engines` again on hls.js), and readers of what the demo page records (`window.hlsgateDemo`:
 * every hlsgate and engine event with its time, getToken calls, stats, position, rungs).
 */
import { test as base, expect, type APIRequestContext, type Page, type Request } from '@playwright/test';
import { splitResource } from '../../common/contracts.ts';
import type { Engine } from '../src/player-setup.ts';

export const MEDIA_URL = `http://localhost:${process.env.HLSGATE_MEDIA_PORT ?? '8787'}`;

export interface EngineOptions {
  engine: Engine;
}

export const test = base.extend<EngineOptions>({ engine: ['videojs', { option: true }] });
export { expect };
/** Tag of the tests that run on both engines. */
export const ENGINES = { tag: '@engines' };

/** `path` on the engine under test (`?engine=hlsjs` added for hls.js). */
export function onEngine(path: string, engine: Engine): string {
  if (engine === 'videojs') return path;
  return `${path}${path.includes('?') ? '&' : '?'}engine=${engine}`;
}

export interface LogEntry {
  t: number;
  type: string;
  detail?: Record<string, unknown>;
}

export async function setCookieTtl(request: APIRequestContext, seconds: number): Promise<void> {
  const response = await request.post(`${MEDIA_URL}/_dev/cookie-ttl`, { data: { seconds } });
  expect(response.ok(), await response.text()).toBe(true);
}

export async function authOutage(request: APIRequestContext, seconds: number): Promise<void> {
  const response = await request.post(`${MEDIA_URL}/_dev/auth-outage`, { data: { seconds } });
  expect(response.ok(), await response.text()).toBe(true);
}

export const log = (page: Page): Promise<LogEntry[]> => page.evaluate(() => window.hlsgateDemo!.log);
export const currentTime = (page: Page): Promise<number> => page.evaluate(() => window.hlsgateDemo!.currentTime());
export const stats = (page: Page) => page.evaluate(() => window.hlsgateDemo!.stats());
export const tokenCalls = (page: Page): Promise<number> => page.evaluate(() => window.hlsgateDemo!.tokenCalls);
export const rungs = (page: Page) => page.evaluate(() => window.hlsgateDemo!.rungs());

/** Waits until the page's player has played past `seconds`. */
export async function playedPast(page: Page, seconds: number, timeout = 30_000): Promise<void> {
  await page.waitForFunction((s) => (window.hlsgateDemo?.currentTime() ?? 0) > s, seconds, { timeout, polling: 200 });
}

/** Entries of these types. */
export const ofType = (entries: LogEntry[], ...types: string[]) => entries.filter((e) => types.includes(e.type));

/** The `waiting` → `playing` gaps after `since` (ms, page clock), in ms; an open one counts to `now`. */
export function stalls(entries: LogEntry[], since: number, now: number): number[] {
  const out: number[] = [];
  let open: number | undefined;
  for (const e of entries) {
    if (e.t < since) continue;
    if (e.type === 'waiting' && open === undefined) open = e.t;
    if (e.type === 'playing' && open !== undefined) {
      out.push(e.t - open);
      open = undefined;
    }
  }
  if (open !== undefined) out.push(now - open);
  return out;
}

export const pageNow = (page: Page): Promise<number> => page.evaluate(() => performance.now());

/** Wakes the video.js control bar (it ignores the pointer while the viewer is inactive) and keeps it up. */
export async function showControls(page: Page): Promise<void> {
  await page.evaluate(() => {
    const player = window.hlsgateDemo!.player;
    if (!player) return;
    player.options_.inactivityTimeout = 0;
    // Activity as a viewer's mouse would report it: video.js's next activity check (every 250 ms)
    // then clears the inactivity timer set by earlier activity, which would otherwise still fire
    // and hide the bar (and its pointer events) under the test's next click.
    player.reportUserActivity();
    player.userActive(true);
  });
}

/** Presses Tab until the focus is on an element matching `selector`. */
export async function tabTo(page: Page, selector: string, max = 60): Promise<void> {
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** CloudFront's own 403 with (true) or without (false) CORS headers: without, the page sees status 0. */
export async function deniedCors(request: APIRequestContext, cors: boolean): Promise<void> {
  const response = await request.post(`${MEDIA_URL}/_dev/denied-cors`, { data: { cors } });
  expect(response.ok(), await response.text()).toBe(true);
}

/** What a page fetched from the media host: demo tokens, sessions, playlists, segments and their bytes. */
export interface Tally {
  token: number;
  session: number;
  master: number;
  variant: number;
  segment: number;
  other: number;
  bytes: number;
}

const emptyTally = (): Tally => ({ token: 0, session: 0, master: 0, variant: 0, segment: 0, other: 0, bytes: 0 });

/** The lecture `<dir>` a view token opens (its `res` claim), for a session request's Bearer token. */
function tokenDir(authorization: string | undefined): string | undefined {
  const payload = authorization?.replace(/^Bearer /, '').split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { res?: string };
    return splitResource(claims.res ?? '')?.dir;
  } catch {
    return undefined;
  }
}

/**
 * Counts the page's requests to the media host (token, session, playlists, segments) and their
 * bytes (headers + body), in all and per lecture `<dir>` (a playlist or segment by its path, a
 * session by its token's `res`): on a page with several players, what each one cost.
 */
export function tallyMedia(page: Page): { total: Tally; byDir: Map<string, Tally> } {
  const total = emptyTally();
  const byDir = new Map<string, Tally>();
  page.on('requestfinished', (request: Request) => {
    void (async () => {
      const url = request.url();
      if (!url.startsWith(MEDIA_URL) || request.method() === 'OPTIONS') return;
      const path = new URL(url).pathname;
      const dir = path.startsWith('/lectures/') ? path.split('/')[2] : path === '/_auth/session' ? tokenDir(await request.headerValue('authorization') ?? undefined) : undefined;
      const tallies = [total];
      if (dir) {
        if (!byDir.has(dir)) byDir.set(dir, emptyTally());
        tallies.push(byDir.get(dir)!);
      }
      const sizes = await request.sizes().catch(() => undefined);
      for (const t of tallies) {
        t.bytes += (sizes?.responseBodySize ?? 0) + (sizes?.responseHeadersSize ?? 0);
        if (path === '/_dev/token') t.token += 1;
        else if (path === '/_auth/session') t.session += request.method() === 'POST' ? 1 : 0;
        else if (path.endsWith('/master.m3u8')) t.master += 1;
        else if (path.endsWith('.m3u8')) t.variant += 1;
        else if (/\.(ts|m4s|mp4)$/.test(path)) t.segment += 1;
        else if (path.startsWith('/lectures/')) t.other += 1;
      }
    })();
  });
  return { total, byDir };
}
