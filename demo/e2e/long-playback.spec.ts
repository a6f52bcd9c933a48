/**
 * A minute of playback with 10 s cookies (the server's shortest) and view tokens that expire (1 s,
 * plus the auth server's 30 s leeway): the cookies are refreshed again and again, `getToken` is
 * asked for new tokens, and the viewer sees nothing — no excluded rendition, no error, no `waiting`.
 *
 * What it proves is the number of refresh cycles survived, not the wall time: with 10 s cookies the
 * player refreshes every 3–4.5 s (half the server's refreshIn: the 10 s margin is larger than the
 * lifetime, refresh-scheduler.ts), so a minute is 13–20 refreshes (17 measured) and six cookie
 * lifetimes, with 6–7.5 s between each refresh and the expiry it prevents. (It was 3 minutes of 20 s cookies: 18 refreshes,
 * 10 s margin, 3 minutes per engine.) `requestRecoveries` 0 shows the margin held: no request was
 * refused for an expired cookie.
 *
 * On video.js only (issue 15 §4: what does not depend on the engine runs once). What a soak adds to
 * the shorter tests is the count of cycles, and every cycle is the shared core's: the refresh
 * scheduler and session manager (controller.ts) time and send the refreshes, renew the view token
 * and count `requestRecoveries`; the cookies themselves are the browser's. The engine's part — its
 * loader sending the credentials, its glue telling the core the viewer plays — runs on hls.js in
 * every other @engines test, with a refresh while playing in multi-start's refresh-in-flight test
 * (10-s cookies) and the recovery spec's, and a refused request there would be caught by
 * recovery.spec.ts's 403 tests, which stay on both.
 */
import { expect, log, ofType, playedPast, setCookieTtl, stats, test, tokenCalls } from './helpers.ts';

test.afterEach(async ({ request }) => setCookieTtl(request, 600));

const COOKIE_TTL = 10;
const WATCH_SECONDS = 60;

test(`cookie lifetime ${COOKIE_TTL} s, view tokens expiring: ${WATCH_SECONDS} s of playback with no stall`, async ({ page, request }) => {
  test.setTimeout(240_000);
  await setCookieTtl(request, COOKIE_TTL);
  await page.goto('/?autoplay=1&tokenTtl=1');
  await playedPast(page, 0.5);
  const started = await page.evaluate(() => ({
    t: performance.now(),
    position: window.hlsgateDemo!.currentTime(),
    firstPlaying: window.hlsgateDemo!.log.find((e) => e.type === 'playing')!.t,
  }));
  const session = (await stats(page)).session!;
  expect(session.lifetime).toBeLessThanOrEqual(COOKIE_TTL + 5);

  await page.waitForTimeout(WATCH_SECONDS * 1000);
  // A minute of wall time has passed (cookies expired six times over); a loaded machine's media
  // clock may lag behind it, so the position gets time to arrive rather than a deadline.
  await playedPast(page, started.position + WATCH_SECONDS - 5, 120_000);

  const position = await page.evaluate(() => window.hlsgateDemo!.currentTime());
  const entries = await log(page);
  const s = await stats(page);
  console.log(`long-playback: ${s.refreshes} cookie refreshes (${s.sessions} sessions) in ${WATCH_SECONDS} s with ${COOKIE_TTL}-s cookies, ${s.requestRecoveries} refused requests`);
  // About one refresh per 3–5 s; at least one per cookie lifetime, or a cookie would have expired.
  expect(s.refreshes).toBeGreaterThanOrEqual(WATCH_SECONDS / COOKIE_TTL);
  expect(ofType(entries, 'excludeplaylist', 'retryplaylist')).toEqual([]);
  expect(ofType(entries, 'error', 'hlsgate:error')).toEqual([]);
  expect(ofType(entries, 'waiting').filter((e) => e.t > started.firstPlaying)).toEqual([]);
  expect(position - started.position).toBeGreaterThanOrEqual(WATCH_SECONDS - 5);
  // The view token expired on the way: getToken was asked again, and playback went on.
  expect(await tokenCalls(page)).toBeGreaterThanOrEqual(2);
  const renewals = ofType(entries, 'getToken').filter((e) => (e.detail?.count as number) >= 2);
  expect(renewals.length).toBeGreaterThanOrEqual(1);
  expect(ofType(entries, 'hlsgate:refresh').some((e) => e.t > renewals[0]!.t)).toBe(true);
  // No request was ever refused: every refresh came before the cookies expired.
  expect(s.requestRecoveries).toBe(0);
});
