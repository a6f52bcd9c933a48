/** The player works from the keyboard alone: play, seek, quality menu. */
import { expect, test, type Page } from '@playwright/test';
import { setCookieTtl } from './helpers.ts';

async function tabTo(page: Page, selector: string, max = 40): Promise<void> {
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

test.beforeEach(async ({ request }) => setCookieTtl(request, 600));

test('keyboard: play, seek, quality menu', async ({ page }) => {
  await page.goto('/');
  await page.waitForFunction(() => window.hlsgateDemo?.player?.readyState() >= 1);

  await tabTo(page, '.vjs-big-play-button');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => !window.hlsgateDemo!.player.paused() && window.hlsgateDemo!.player.currentTime() > 0.5);

  await tabTo(page, '.vjs-progress-holder');
  const before = await page.evaluate(() => window.hlsgateDemo!.player.currentTime() as number);
  for (let i = 0; i < 4; i += 1) await page.keyboard.press('ArrowRight');
  await page.waitForFunction((b) => window.hlsgateDemo!.player.currentTime() >= b + 15, before);

  await tabTo(page, '.vjs-hlsgate-quality .vjs-menu-button');
  await page.keyboard.press('Enter');
  const menu = page.locator('.vjs-hlsgate-quality .vjs-menu');
  await expect(menu).toHaveClass(/vjs-lock-showing/);
  await expect(page.locator('.vjs-hlsgate-quality .vjs-menu-item').first()).toBeFocused();
  await page.keyboard.press('ArrowDown'); // 720p
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => {
    const levels = window.hlsgateDemo!.player.qualityLevels();
    const enabled: number[] = [];
    for (let i = 0; i < levels.length; i += 1) if (levels[i].enabled) enabled.push(levels[i].height);
    return enabled.length === 1 && enabled[0] === 720;
  });
  await page.keyboard.press('Space'); // focus is back on the button: Space toggles the menu again
  await page.keyboard.press('Escape');
  expect(await page.evaluate(() => window.hlsgateDemo!.player.paused())).toBe(false);
});
