/**
 * Three minutes of playback with 20 s cookies and view tokens that expire (1 s, plus the auth
 * server's 30 s leeway): the cookies are refreshed again and again, `getToken` is asked for new
 * tokens, and the viewer sees nothing — no excluded rendition, no error, no `waiting`.
 */
import { ENGINES, expect, log, ofType, onEngine, playedPast, setCookieTtl, stats, test, tokenCalls } from './helpers.ts';

test.afterEach(async ({ request }) => setCookieTtl(request, 600));

test('cookie lifetime 20 s, view tokens expiring: 3 minutes of playback with no stall', ENGINES, async ({ page, request, engine }) => {
  test.setTimeout(480_000);
  await setCookieTtl(request, 20);
  await page.goto(onEngine('/?autoplay=1&tokenTtl=1', engine));
  await playedPast(page, 0.5);
  const started = await page.evaluate(() => ({
    t: performance.now(),
    position: window.hlsgateDemo!.currentTime(),
    firstPlaying: window.hlsgateDemo!.log.find((e) => e.type === 'playing')!.t,
  }));
  const session = (await stats(page)).session!;
  expect(session.lifetime).toBeLessThanOrEqual(25);

  await page.waitForTimeout(180_000);
  // Three minutes of wall time have passed (cookies expired nine times over); a loaded machine's
  // media clock may lag behind it, so the position gets time to arrive rather than a deadline.
  await playedPast(page, started.position + 170, 180_000);

  const position = await page.evaluate(() => window.hlsgateDemo!.currentTime());
  const entries = await log(page);
  const s = await stats(page);
  expect(s.refreshes).toBeGreaterThanOrEqual(6);
  expect(ofType(entries, 'excludeplaylist', 'retryplaylist')).toEqual([]);
  expect(ofType(entries, 'error', 'hlsgate:error')).toEqual([]);
  expect(ofType(entries, 'waiting').filter((e) => e.t > started.firstPlaying)).toEqual([]);
  expect(position - started.position).toBeGreaterThanOrEqual(170);
  // The view token expired on the way: getToken was asked again, and playback went on.
  expect(await tokenCalls(page)).toBeGreaterThanOrEqual(2);
  const renewals = ofType(entries, 'getToken').filter((e) => (e.detail?.count as number) >= 2);
  expect(renewals.length).toBeGreaterThanOrEqual(1);
  expect(ofType(entries, 'hlsgate:refresh').some((e) => e.t > renewals[0]!.t)).toBe(true);
  // No request was ever refused: every refresh came before the cookies expired.
  expect(s.requestRecoveries).toBe(0);
});
