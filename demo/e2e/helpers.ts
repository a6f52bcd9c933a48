/**
 * What the browser tests share: the stack's dev routes, and readers of what the demo page records
 * (`window.hlsgateDemo`: every plugin and VHS event with its time, getToken calls, the plugin's stats).
 */
import { expect, type APIRequestContext, type Page } from '@playwright/test';

export const MEDIA_URL = `http://localhost:${process.env.HLSGATE_MEDIA_PORT ?? '8787'}`;

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
export const currentTime = (page: Page): Promise<number> => page.evaluate(() => window.hlsgateDemo!.player.currentTime() as number);
export const stats = (page: Page) => page.evaluate(() => window.hlsgateDemo!.stats());
export const tokenCalls = (page: Page): Promise<number> => page.evaluate(() => window.hlsgateDemo!.tokenCalls);

/** Waits until the page's player has played past `seconds`. */
export async function playedPast(page: Page, seconds: number, timeout = 30_000): Promise<void> {
  await page.waitForFunction((s) => (window.hlsgateDemo?.player?.currentTime() ?? 0) > s, seconds, { timeout, polling: 200 });
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

/** Wakes the control bar (it ignores the pointer while the viewer is inactive) and keeps it up. */
export async function showControls(page: Page): Promise<void> {
  await page.evaluate(() => {
    const player = window.hlsgateDemo!.player;
    player.options_.inactivityTimeout = 0;
    player.userActive(true);
  });
}
