/**
 * It plays; the quality menu lists Auto and every rung and switches; nothing in the page offers a
 * download or names a media URL.
 */
import { expect, test } from '@playwright/test';
import { ofType, log, playedPast, setCookieTtl, showControls } from './helpers.ts';

test.beforeEach(async ({ request }) => setCookieTtl(request, 600));

test('plays, and the quality menu lists the rungs and switches', async ({ page }) => {
  await page.goto('/?autoplay=1');
  await playedPast(page, 2);

  const button = page.locator('.vjs-hlsgate-quality .vjs-menu-button');
  await expect(button).toBeVisible();
  await expect(button).toHaveText(/\d+p/); // the playing rung
  // A DOM click: the control bar ignores the pointer whenever video.js deems the viewer inactive,
  // which races with a synthetic mouse. The keyboard test drives the same menu for real.
  await showControls(page);
  await button.dispatchEvent('click');
  const items = page.locator('.vjs-hlsgate-quality .vjs-menu-item');
  await expect(items).toHaveCount(4);
  await expect(items.nth(0)).toHaveText(/^Auto \(\d+p\)/);
  expect((await items.allInnerTexts()).slice(1).map((t) => t.replace(/[^\dp]/g, ''))).toEqual(['720p', '480p', '360p']);
  await expect(items.nth(0)).toHaveAttribute('aria-checked', 'true');

  // Choose 360p: VHS switches to it and the button shows it.
  await items.nth(3).dispatchEvent('click');
  await page.waitForFunction(
    () => {
      const levels = window.hlsgateDemo!.player.qualityLevels();
      return levels.selectedIndex >= 0 && levels[levels.selectedIndex].height === 360;
    },
    undefined,
    { timeout: 20_000 },
  );
  await expect(button).toHaveText(/360p/);
  const enabled = await page.evaluate(() => {
    const levels = window.hlsgateDemo!.player.qualityLevels();
    const out: [number, boolean][] = [];
    for (let i = 0; i < levels.length; i += 1) out.push([levels[i].height, levels[i].enabled]);
    return out.sort((a, b) => b[0] - a[0]);
  });
  expect(enabled).toEqual([
    [720, false],
    [480, false],
    [360, true],
  ]);
  const t = await page.evaluate(() => window.hlsgateDemo!.player.currentTime() as number);
  await playedPast(page, t + 2);

  // Back to Auto: every rung enabled again.
  await showControls(page);
  await button.dispatchEvent('click');
  await items.nth(0).dispatchEvent('click');
  await page.waitForFunction(() => {
    const levels = window.hlsgateDemo!.player.qualityLevels();
    for (let i = 0; i < levels.length; i += 1) if (!levels[i].enabled) return false;
    return true;
  });
  const entries = await log(page);
  expect(ofType(entries, 'error', 'excludeplaylist', 'hlsgate:error')).toEqual([]);
});

test('no download: no control, nodownload, no context menu, no media URL in the DOM', async ({ page }) => {
  await page.goto('/?autoplay=1');
  await playedPast(page, 1);
  const video = page.locator('video');
  await expect(video).toHaveAttribute('controlslist', /nodownload/);
  expect(await video.getAttribute('src')).toMatch(/^blob:/);
  const prevented = await page.evaluate(() => {
    const event = new MouseEvent('contextmenu', { bubbles: true, cancelable: true });
    document.querySelector('video')!.dispatchEvent(event);
    return event.defaultPrevented;
  });
  expect(prevented).toBe(true);
  // Neither the player nor the rest of the page names a playlist or a segment.
  const player = await page.locator('.video-js').evaluate((el) => el.outerHTML);
  expect(player).not.toMatch(/\/lectures\/|\.m3u8|\.ts\b|\.m4s/);
  expect(await page.content()).not.toMatch(/\.m3u8|\/(720p|480p|360p)\/|\.m4s|seg[^"]*\.ts/);
  await expect(page.locator('.vjs-control-bar [class*="download" i]')).toHaveCount(0);
  // The watermark is drawn over the video, from the token's wm claim.
  await expect(page.locator('.vjs-hlsgate-watermark')).toHaveText('student 4711 · demo');
});

test('dispose: the plugin stops refreshing and leaves nothing behind', async ({ page, request }) => {
  await setCookieTtl(request, 10); // refresh due after about 5 s
  const posts: number[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/_auth/session')) posts.push(Date.now());
  });
  await page.goto('/?autoplay=1');
  await playedPast(page, 0.5);
  expect(posts).toHaveLength(1);
  const watermarkInPlayer = await page.evaluate(() => {
    const player = window.hlsgateDemo!.player;
    const inside = player.el().contains(document.querySelector('.vjs-hlsgate-watermark'));
    player.dispose();
    return inside;
  });
  expect(watermarkInPlayer).toBe(true); // drawn inside the element that goes fullscreen
  const disposedAt = Date.now();
  await page.waitForTimeout(12_000);
  expect(posts.filter((t) => t > disposedAt)).toEqual([]);
  await expect(page.locator('.vjs-hlsgate-watermark, .vjs-hlsgate-quality')).toHaveCount(0);
  await setCookieTtl(request, 600);
});
