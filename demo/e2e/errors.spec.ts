/** No token, or a forged one: the friendly message in the player, and no spinner. */
import { expect, test } from '@playwright/test';

for (const [mode, what] of [
  ['none', 'no token'],
  ['forged', 'a forged token'],
] as const) {
  test(`${what}: the friendly error, not a spinner`, async ({ page }) => {
    await page.goto(`/?token=${mode}`);
    const display = page.locator('.vjs-error-display');
    await expect(display).toBeVisible();
    await expect(display).toContainText("You don't have access to this video");
    await expect(page.locator('.video-js')).toHaveClass(/vjs-error/);
    await expect(page.locator('.vjs-loading-spinner')).toBeHidden();
    const errors = await page.evaluate(() => window.hlsgateDemo!.log.filter((e) => e.type === 'hlsgate:error').map((e) => e.detail));
    expect(errors).toEqual([expect.objectContaining({ code: 'no_access', fatal: true })]);
    // It stays an error: no retry loop, no spinner a few seconds later.
    await page.waitForTimeout(3_000);
    await expect(page.locator('.vjs-loading-spinner')).toBeHidden();
    expect(await page.evaluate(() => window.hlsgateDemo!.tokenCalls)).toBe(1);
  });
}
