/** No token, or a forged one: the friendly message in the player, and no spinner. */
import { ENGINES, MEDIA_URL, expect, onEngine, test } from './helpers.ts';

for (const [mode, what] of [
  ['none', 'no token'],
  ['forged', 'a forged token'],
] as const) {
  test(`${what}: the friendly error, not a spinner`, ENGINES, async ({ page, engine }) => {
    await page.goto(onEngine(`/?token=${mode}`, engine));
    // video.js's error display (a polite live region); the hls.js box's alert.
    const display = engine === 'hlsjs' ? page.locator('.hlsgate-player [role=alert]') : page.locator('.vjs-error-display');
    await expect(display).toBeVisible();
    await expect(display).toContainText("You don't have access to this video");
    if (engine === 'videojs') await expect(page.locator('.video-js')).toHaveClass(/vjs-error/);
    else await expect(display).toHaveAttribute('aria-live', 'assertive');
    await expect(page.locator('.vjs-loading-spinner')).toBeHidden();
    const errors = await page.evaluate(() => window.hlsgateDemo!.log.filter((e) => e.type === 'hlsgate:error').map((e) => e.detail));
    expect(errors).toEqual([expect.objectContaining({ code: 'no_access', fatal: true })]);
    // It stays an error: no retry loop, no spinner a few seconds later.
    await page.waitForTimeout(3_000);
    await expect(page.locator('.vjs-loading-spinner')).toBeHidden();
    expect(await page.evaluate(() => window.hlsgateDemo!.tokenCalls)).toBe(1);
  });
}

test('a long stall gets words: "Network trouble — trying again…", gone when playback resumes', async ({ page, request }) => {
  const held: (() => Promise<void>)[] = [];
  await request.post(`${MEDIA_URL}/_dev/cookie-ttl`, { data: { seconds: 600 } });
  await page.goto('/?autoplay=1');
  await page.waitForFunction(() => (window.hlsgateDemo?.currentTime() ?? 0) > 1);
  // Segments stop arriving (a dead network); then the viewer seeks beyond the buffer.
  await page.route('**/seg_*.ts', (route) => void held.push(() => route.continue()));
  await page.evaluate(() => window.hlsgateDemo!.seek(150));
  const notice = page.locator('.hlsgate-notice[role=status]');
  await expect(notice).toHaveText('Network trouble — trying again…', { timeout: 15_000 });
  await expect(notice).toHaveAttribute('aria-live', 'polite');
  await page.unroute('**/seg_*.ts');
  for (const release of held.splice(0)) await release().catch(() => undefined);
  await page.waitForFunction(() => window.hlsgateDemo!.currentTime() > 152, undefined, { timeout: 30_000 });
  await expect(notice).toHaveText('');
});
