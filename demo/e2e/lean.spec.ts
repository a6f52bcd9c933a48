/**
 * Lean until play (issue 11 §1): before play a player costs at most its view token, its session,
 * the master and one variant playlist and one segment; a player outside the viewport costs nothing;
 * nothing is refreshed for a player never played; pressing play refreshes first. Prints the
 * requests and bytes before play; with HLSGATE_LEAN_BEFORE=1 also those of the player as it was
 * before (`?lean=0`), for comparison.
 */
import type { Page } from '@playwright/test';
import { ENGINES, expect, log, ofType, onEngine, playedPast, setCookieTtl, stats, tallyMedia, test, type Tally } from './helpers.ts';

test.afterEach(async ({ request }) => setCookieTtl(request, 600));

async function beforePlay(page: Page, path: string): Promise<Tally> {
  const t = tallyMedia(page).total;
  await page.goto(path);
  await page.waitForFunction(() => (window.hlsgateDemo?.stats().sessions ?? 0) >= 1);
  await page.waitForTimeout(6_000); // what a page left alone loads
  expect(await page.evaluate(() => window.hlsgateDemo!.paused())).toBe(true);
  return { ...t };
}

test('before play: token, session, at most the playlists and one segment', ENGINES, async ({ page, engine, browser }) => {
  const lean = await beforePlay(page, onEngine('/', engine));
  console.log(`[${engine}] before play, one player, lean: ${JSON.stringify(lean)}`);
  if (process.env.HLSGATE_LEAN_BEFORE === '1') {
    const oldContext = await browser.newContext();
    const before = await beforePlay(await oldContext.newPage(), onEngine('/?lean=0', engine));
    await oldContext.close();
    console.log(`[${engine}] before play, one player, as before (lean=0): ${JSON.stringify(before)}`);
  }
  expect(lean.token).toBe(1);
  expect(lean.session).toBe(1);
  expect(lean.master).toBeLessThanOrEqual(1);
  expect(lean.variant).toBeLessThanOrEqual(1);
  expect(lean.segment).toBeLessThanOrEqual(1);
  expect(lean.other).toBe(0);
});

test('players outside the viewport cost nothing until scrolled to', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 700 });
  await page.goto('/multi.html');
  await page.waitForFunction(() => (window.hlsgatePlayers?.length ?? 0) === 3);
  await page.waitForFunction(() => window.hlsgatePlayers![0]!.stats().sessions >= 1);
  await page.waitForTimeout(3_000);
  const costs = () => page.evaluate(() => window.hlsgatePlayers!.map((p) => ({ tokens: p.tokenCalls, sessions: p.stats().sessions })));
  const first = await costs();
  console.log(`multi page at 390 px, before scrolling: ${JSON.stringify(first)}`);
  expect(first[0]).toEqual({ tokens: 1, sessions: 1 });
  expect(first[2]).toEqual({ tokens: 0, sessions: 0 }); // far below the fold
  await page.evaluate(() => window.hlsgatePlayers![2]!.box.scrollIntoView());
  await expect.poll(async () => (await costs())[2]!.sessions).toBe(1);
});

test('never played: no refresh; pressing play refreshes first, then the media loads', async ({ page, request }) => {
  test.setTimeout(120_000);
  await setCookieTtl(request, 10);
  const sequence: string[] = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (r.method() === 'POST' && path === '/_auth/session') sequence.push('session');
    else if (path.startsWith('/lectures/')) sequence.push('media');
  });
  await page.goto('/');
  await page.waitForFunction(() => (window.hlsgateDemo?.stats().sessions ?? 0) >= 1);
  await page.waitForTimeout(13_000); // longer than the cookies live
  expect(sequence).toEqual(['session']);
  expect((await stats(page)).cookieRemainingMs).toBeLessThan(0);
  await page.getByRole('button', { name: 'Play Video' }).click();
  await playedPast(page, 2);
  expect(sequence.slice(0, 3)).toEqual(['session', 'session', 'media']);
  const entries = await log(page);
  // The refresh for play came first; any later one is the 10-s cookies' schedule (a busy machine can
  // take over 5 s to play 2 s), never one for a 403.
  const reasons = ofType(entries, 'hlsgate:refresh').map((e) => e.detail?.reason);
  expect(reasons[0]).toBe('play');
  expect(reasons.slice(1).filter((r) => r !== 'scheduled')).toEqual([]);
  expect(ofType(entries, 'error', 'hlsgate:error', 'excludeplaylist')).toEqual([]);
  expect((await stats(page)).requestRecoveries).toBe(0); // refreshed first: no 403 to recover
});
