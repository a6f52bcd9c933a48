/**
 * The moving watermark stays inside the picture — small player, wide player, fullscreen — on both
 * engines, and with `prefers-reduced-motion` it neither animates nor moves every few seconds.
 * `Math.random` is pinned to the extremes (0.999 / 0.001) so the mark is pushed into the corners,
 * where it used to be cut off at the right edge.
 */
import type { Page } from '@playwright/test';
import { ENGINES, expect, onEngine, playedPast, setCookieTtl, showControls, test } from './helpers.ts';

test.beforeEach(async ({ request, page }) => {
  await setCookieTtl(request, 600);
  await page.addInitScript(() => {
    let i = 0;
    Math.random = () => (i++ % 2 ? 0.001 : 0.999);
  });
});

/** How far the mark sticks out of the picture (0 when inside), in px. */
const overflow = (page: Page) =>
  page.evaluate(() => {
    const demo = window.hlsgateDemo!;
    const video = demo.media;
    const box = demo.box.getBoundingClientRect();
    const scale = Math.min(box.width / video.videoWidth, box.height / video.videoHeight);
    const w = video.videoWidth * scale;
    const h = video.videoHeight * scale;
    const pic = { left: box.left + (box.width - w) / 2, top: box.top + (box.height - h) / 2, right: box.left + (box.width + w) / 2, bottom: box.top + (box.height + h) / 2 };
    const mark = document.querySelector('.hlsgate-watermark')!.getBoundingClientRect();
    return Math.max(0, pic.left - mark.left, pic.top - mark.top, mark.right - pic.right, mark.bottom - pic.bottom);
  });

test('the watermark stays inside the picture at every size and in fullscreen', ENGINES, async ({ page, engine }) => {
  await page.emulateMedia({ reducedMotion: 'reduce' }); // no animation: each check sees the place itself
  await page.goto(onEngine('/?autoplay=1', engine));
  await playedPast(page, 1);
  await expect(page.locator('.hlsgate-watermark')).toBeVisible();
  expect(await overflow(page)).toBeLessThanOrEqual(1);
  for (const width of ['300px', '520px', '100%']) {
    await page.evaluate((w) => ((document.getElementById('player') as HTMLElement).style.width = w), width);
    // The resize observer's turn (late on a loaded machine), then inside.
    await expect.poll(() => overflow(page), { message: `at ${width}` }).toBeLessThanOrEqual(1);
  }
  // Fullscreen from the player's own button (a real gesture), on a screen of another shape.
  await page.setViewportSize({ width: 900, height: 900 });
  await showControls(page);
  await page.locator(engine === 'hlsjs' ? '.hlsgate-fullscreen' : '.vjs-fullscreen-control').click();
  await page.waitForFunction(() => document.fullscreenElement === window.hlsgateDemo!.box);
  await expect.poll(() => overflow(page), { message: 'in fullscreen' }).toBeLessThanOrEqual(1);
  await page.evaluate(() => document.exitFullscreen());
});

test('prefers-reduced-motion: the watermark does not animate and stays put; otherwise it moves', async ({ page }) => {
  // The corner-to-corner random of beforeEach would put every move on the same spot: a real one here.
  await page.addInitScript(() => {
    Math.random = () => crypto.getRandomValues(new Uint32Array(1))[0]! / 2 ** 32;
  });
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto('/?autoplay=1');
  await playedPast(page, 1);
  const mark = page.locator('.hlsgate-watermark');
  expect(await mark.evaluate((el) => getComputedStyle(el).transitionDuration)).toBe('0s');
  const place = () => mark.evaluate((el) => `${el.style.left} ${el.style.top}`);
  const first = await place();
  await page.waitForTimeout(9_000); // past the normal 7 s period
  expect(await place()).toBe(first);
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  expect(await mark.evaluate((el) => getComputedStyle(el).transitionDuration)).not.toBe('0s');
  await expect.poll(place, { timeout: 12_000 }).not.toBe(first);
});
