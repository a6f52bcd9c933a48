/**
 * Accessibility (issue 12 §5): axe-core with the WCAG 2.2 A/AA rules on the demo page, the
 * three-player page and the hls.js engine's pages, at desktop and phone widths (no serious or
 * critical violation); keyboard-only play, pause, seek, volume, quality, speed, captions and
 * fullscreen on both engines with a visible focus; captions drawn with video.js's text-track settings.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, setCookieTtl, tabTo, test } from './helpers.ts';

test.beforeEach(async ({ request }) => setCookieTtl(request, 600));

const WCAG22 = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

for (const [width, height, device] of [
  [1280, 860, 'desktop'],
  [390, 844, 'phone'],
] as const) {
  for (const path of ['/', '/multi.html', '/?engine=hlsjs', '/multi.html?engine=hlsjs']) {
    test(`axe, WCAG 2.2 A/AA: ${path} at ${device} width has no serious or critical violation`, async ({ page }) => {
      await page.setViewportSize({ width, height });
      await page.goto(path);
      // The players are built and have their session (what a viewer sees before pressing play).
      await page.waitForFunction(() => {
        const players = window.hlsgatePlayers ?? (window.hlsgateDemo ? [window.hlsgateDemo] : []);
        return players.length > 0 && players[0]!.stats().sessions >= 1;
      });
      const results = await new AxeBuilder({ page }).withTags(WCAG22).analyze();
      const bad = results.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
      expect(bad).toEqual([]);
    });
  }
}

/** The focused element shows a focus ring (outline or box-shadow), as WCAG 2.4.7 asks. */
async function expectFocusVisible(page: Page): Promise<void> {
  const ring = await page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    const style = getComputedStyle(el);
    return { outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0, shadow: style.boxShadow !== 'none', what: el.className };
  });
  expect(ring.outline || ring.shadow, `no focus ring on ${ring.what}`).toBe(true);
}

const media = (page: Page) =>
  page.evaluate(() => {
    const d = window.hlsgateDemo!;
    const m = d.media;
    const showing = Array.from(m.textTracks).some((t) => t.mode === 'showing');
    return { paused: d.paused(), time: d.currentTime(), volume: m.volume, muted: m.muted, rate: m.playbackRate, showing, full: document.fullscreenElement === d.box };
  });

test('keyboard only on video.js: play, pause, seek, volume, quality, speed, captions, fullscreen, with focus visible', async ({ page }) => {
  await page.goto('/?captions=1');
  await page.waitForFunction(() => (window.hlsgateDemo?.stats().sessions ?? 0) >= 1);
  await tabTo(page, '.vjs-big-play-button');
  await expectFocusVisible(page);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => !window.hlsgateDemo!.paused() && window.hlsgateDemo!.currentTime() > 0.5);

  await tabTo(page, '.vjs-play-control');
  await expectFocusVisible(page);
  await page.keyboard.press('Space');
  await expect.poll(async () => (await media(page)).paused).toBe(true);
  await page.keyboard.press('Space');
  await expect.poll(async () => (await media(page)).paused).toBe(false);

  await tabTo(page, '.vjs-progress-holder');
  await expectFocusVisible(page);
  const before = (await media(page)).time;
  for (let i = 0; i < 4; i += 1) await page.keyboard.press('ArrowRight');
  await expect.poll(async () => (await media(page)).time).toBeGreaterThanOrEqual(before + 15);

  await tabTo(page, '.vjs-volume-bar');
  await expectFocusVisible(page);
  for (let i = 0; i < 3; i += 1) await page.keyboard.press('ArrowDown');
  await expect.poll(async () => (await media(page)).volume).toBeLessThan(0.9);

  await tabTo(page, '.vjs-playback-rate .vjs-menu-button');
  await expectFocusVisible(page);
  await page.keyboard.press('Enter');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await media(page)).rate).not.toBe(1);
  await page.keyboard.press('Escape');

  await tabTo(page, '.vjs-subs-caps-button .vjs-menu-button');
  await expectFocusVisible(page);
  await page.keyboard.press('Enter');
  await expect(page.locator('.vjs-subs-caps-button .vjs-menu-item', { hasText: 'English' })).toBeVisible();
  for (let i = 0; i < 8; i += 1) {
    if (await page.evaluate(() => document.activeElement?.textContent?.includes('English') ?? false)) break;
    await page.keyboard.press('ArrowDown');
  }
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await media(page)).showing).toBe(true);
  await page.keyboard.press('Escape');

  await tabTo(page, '.vjs-hlsgate-quality .vjs-menu-button');
  await expectFocusVisible(page);
  await page.keyboard.press('Enter');
  await expect(page.locator('.vjs-hlsgate-quality .vjs-menu-item').first()).toBeFocused();
  await page.keyboard.press('ArrowDown'); // 720p
  await page.keyboard.press('Enter');
  await expect.poll(() => page.evaluate(() => window.hlsgateDemo!.rungs().filter((r) => r.enabled).map((r) => r.height))).toEqual([720]);
  await page.keyboard.press('Escape');

  await tabTo(page, '.vjs-fullscreen-control');
  await expectFocusVisible(page);
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await media(page)).full).toBe(true);
  await page.keyboard.press('Escape');
  expect((await media(page)).paused).toBe(false);
});

test('keyboard only on hls.js: play, pause, seek, volume, quality, speed, captions, fullscreen, with focus visible', async ({ page }) => {
  await page.goto('/?engine=hlsjs&captions=1');
  await page.waitForFunction(() => (window.hlsgateDemo?.stats().sessions ?? 0) >= 1);
  await tabTo(page, '.hlsgate-play');
  await expectFocusVisible(page);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => !window.hlsgateDemo!.paused() && window.hlsgateDemo!.currentTime() > 0.5, undefined, { timeout: 30_000 });
  await expect(page.getByRole('button', { name: 'Pause' })).toBeFocused();
  await page.keyboard.press('Space');
  await expect.poll(async () => (await media(page)).paused).toBe(true);
  await page.keyboard.press('Space');
  await expect.poll(async () => (await media(page)).paused).toBe(false);

  await tabTo(page, '.hlsgate-seek');
  await expectFocusVisible(page);
  const before = (await media(page)).time;
  for (let i = 0; i < 4; i += 1) await page.keyboard.press('ArrowRight');
  await expect.poll(async () => (await media(page)).time).toBeGreaterThanOrEqual(before + 15);
  await expect(page.getByRole('slider', { name: 'Seek' })).toHaveAttribute('aria-valuetext', /^\d+:\d\d \/ 3:20$/);

  await tabTo(page, '.hlsgate-mute');
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await media(page)).muted).toBe(true);
  await page.keyboard.press('Enter');
  await tabTo(page, '.hlsgate-volume');
  await expectFocusVisible(page);
  for (let i = 0; i < 3; i += 1) await page.keyboard.press('ArrowLeft');
  await expect.poll(async () => (await media(page)).volume).toBeLessThan(0.9);

  await tabTo(page, '.hlsgate-quality');
  await expectFocusVisible(page);
  await page.getByRole('combobox', { name: 'Quality' }).selectOption({ label: '720p' }); // what Arrow keys on a focused select do
  await expect.poll(() => page.evaluate(() => window.hlsgateDemo!.rungs().filter((r) => r.enabled).map((r) => r.height))).toEqual([720]);

  await tabTo(page, '.hlsgate-rate');
  await page.keyboard.press('ArrowDown');
  await expect.poll(async () => (await media(page)).rate).toBe(1.25);

  await tabTo(page, '.hlsgate-captions');
  await expectFocusVisible(page);
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await media(page)).showing).toBe(true);
  await expect(page.getByRole('button', { name: 'Captions' })).toHaveAttribute('aria-pressed', 'true');

  await tabTo(page, '.hlsgate-fullscreen');
  await expectFocusVisible(page);
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await media(page)).full).toBe(true);
  await expect(page.getByRole('button', { name: 'Exit fullscreen' })).toBeVisible();
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await media(page)).full).toBe(false);
  expect((await media(page)).paused).toBe(false);
});

test("captions are drawn with video.js's text-track settings", async ({ page }) => {
  await page.goto('/?captions=1&autoplay=1');
  await page.waitForFunction(() => window.hlsgateDemo!.currentTime() > 1, undefined, { timeout: 30_000 });
  await page.evaluate(() => {
    const player = window.hlsgateDemo!.player;
    const tracks = player.textTracks();
    for (let i = 0; i < tracks.length; i += 1) if (tracks[i].kind === 'subtitles') tracks[i].mode = 'showing';
  });
  const cue = page.locator('.vjs-text-track-display .vjs-text-track-cue div');
  await expect(cue.first()).toContainText('Caption');
  // The viewer's settings, through video.js's own dialog: yellow text on a blue background.
  await page.evaluate(() => window.hlsgateDemo!.player.getChild('TextTrackSettings').open());
  const dialog = page.locator('.vjs-text-track-settings');
  await dialog.locator('select.vjs-text-color').selectOption({ label: 'Yellow' });
  await dialog.locator('select.vjs-bg-color').selectOption({ label: 'Blue' });
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect.poll(() => cue.first().evaluate((el) => getComputedStyle(el).color)).toBe('rgb(255, 255, 0)');
  await expect.poll(() => cue.first().evaluate((el) => getComputedStyle(el).backgroundColor)).toMatch(/^rgba?\(0, 0, 255/);
});
