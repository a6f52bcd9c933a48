/**
 * The cookies go away under a playing video: deleted (a logout in another tab, a cleared cookie
 * jar), or not renewable for a while (the auth server down). The viewer must not notice.
 */
import { ENGINES, authOutage, deniedCors, expect, log, ofType, onEngine, pageNow, playedPast, setCookieTtl, stalls, stats, test } from './helpers.ts';

test.afterEach(async ({ request }) => setCookieTtl(request, 600));

test('cookies deleted mid-playback: recovered with no error and a stall under 1 s', ENGINES, async ({ page, context, engine }) => {
  await page.goto(onEngine('/?autoplay=1', engine));
  await playedPast(page, 3);
  const res = await page.evaluate(() => window.hlsgateDemo!.video.res);
  const before = await context.cookies(res);
  expect(before.filter((c) => c.name.startsWith('CloudFront-'))).toHaveLength(3);

  // The demo's button: DELETE /_auth/session, which clears this video's cookies in the browser.
  const since = await pageNow(page);
  await page.getByRole('button', { name: 'Delete the cookies now' }).click();
  // Gone (or already back: an engine fetching ahead may hit the 403 and recover before a poll sees none).
  await expect
    .poll(async () => (await context.cookies(res)).filter((c) => c.name.startsWith('CloudFront-')).length === 0 || (await stats(page)).requestRecoveries >= 1)
    .toBe(true);

  // The next media request gets 403; the plugin refreshes and retries it.
  await expect.poll(async () => (await stats(page)).requestRecoveries, { timeout: 40_000 }).toBeGreaterThanOrEqual(1);
  const position = await page.evaluate(() => window.hlsgateDemo!.currentTime());
  await playedPast(page, position + 5);

  const entries = await log(page);
  const s = await stats(page);
  expect(s.requestRecoveryFailures).toBe(0);
  expect(s.refreshes).toBeGreaterThanOrEqual(1);
  expect(ofType(entries, 'error', 'hlsgate:error', 'excludeplaylist', 'retryplaylist')).toEqual([]);
  const gaps = stalls(entries, since, await pageNow(page));
  expect(Math.max(0, ...gaps)).toBeLessThan(1_000);
  const after = await context.cookies(res);
  expect(after.filter((c) => c.name.startsWith('CloudFront-'))).toHaveLength(3);
});

test('CloudFront\'s 403 without CORS headers (status 0): recovered end to end, no error on screen', ENGINES, async ({ page, request, engine }) => {
  await deniedCors(request, false);
  try {
    await page.goto(onEngine('/?autoplay=1', engine));
    await playedPast(page, 2);
    const since = await pageNow(page);
    await page.getByRole('button', { name: 'Delete the cookies now' }).click();
    // The refused request reaches the script as status 0 (no CORS headers on the 403): refresh + retry.
    await page.waitForFunction(
      (s) => window.hlsgateDemo!.log.some((e) => e.t > s && e.type === 'hlsgate:retry' && e.detail?.kind === 'request' && e.detail?.status === 0),
      since,
      { timeout: 40_000 },
    );
    const position = await page.evaluate(() => window.hlsgateDemo!.currentTime());
    await playedPast(page, position + 4);
    const entries = await log(page);
    expect(ofType(entries, 'error', 'hlsgate:error', 'excludeplaylist', 'retryplaylist')).toEqual([]);
    expect((await stats(page)).requestRecoveryFailures).toBe(0);
    await expect(page.locator('.vjs-error-display:visible, .hlsgate-player [role=alert]:not(:empty)')).toHaveCount(0);
  } finally {
    await deniedCors(request, true);
  }
});

// The outage outlasts the cookies' headroom: it starts 3 s before the planned refresh, and a 20-s
// cookie leaves 6–10 s after it (player/refresh-scheduler.ts), so the cookies expire 3–7 s before
// the auth server is back and the media requests of those seconds meet 403s, as they did with 60-s
// cookies and a 30-s outage (issue 15 §4: the same sequence in half the time).
const OUTAGE_S = 15;
const COOKIE_TTL = 20;

test(`auth server down for ${OUTAGE_S} s with a ${COOKIE_TTL} s cookie lifetime: the cookies expire during it, playback goes on and recovers`, ENGINES, async ({ page, request, engine }) => {
  test.setTimeout(120_000);
  await setCookieTtl(request, COOKIE_TTL);
  await page.goto(onEngine('/?autoplay=1', engine));
  await playedPast(page, 1);
  const session = await page.evaluate(() => window.hlsgateDemo!.stats().session!);
  expect(session.lifetime).toBeGreaterThanOrEqual(COOKIE_TTL);
  const expiresAt = session.receivedAt + session.lifetime * 1000;

  // Stop the auth server just before the planned refresh, so that refresh fails for the whole outage.
  const wait = session.refreshAfter * 1000 - ((await pageNow(page)) - session.receivedAt) - 3_000;
  await page.waitForTimeout(Math.max(0, wait));
  const outageStart = await pageNow(page);
  const positionAtOutage = await page.evaluate(() => window.hlsgateDemo!.currentTime());
  await authOutage(request, OUTAGE_S);
  // The premise: the cookies run out while the auth server is down.
  expect(expiresAt).toBeLessThan(outageStart + OUTAGE_S * 1000);

  // Refreshing fails and is retried with backoff while the video plays on.
  await expect.poll(async () => (await stats(page)).sessionRetries, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
  await page.waitForTimeout(Math.max(0, OUTAGE_S * 1000 - ((await pageNow(page)) - outageStart)));
  const positionAtOutageEnd = await page.evaluate(() => window.hlsgateDemo!.currentTime());
  expect(positionAtOutageEnd - positionAtOutage).toBeGreaterThan(OUTAGE_S - 5);

  // After the outage, a refresh succeeds and playback continues.
  await page.waitForFunction(
    (end) => window.hlsgateDemo!.log.some((e) => e.type === 'hlsgate:refresh' && e.t > end),
    outageStart + OUTAGE_S * 1000,
    { timeout: 30_000 },
  );
  await playedPast(page, positionAtOutageEnd + 5);
  const entries = await log(page);
  expect(ofType(entries, 'error', 'excludeplaylist', 'retryplaylist')).toEqual([]);
  expect(ofType(entries, 'hlsgate:error').filter((e) => e.detail?.fatal)).toEqual([]);
  const gaps = stalls(entries, outageStart, await pageNow(page));
  expect(Math.max(0, ...gaps)).toBeLessThan(1_000);
});
