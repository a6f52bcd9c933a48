/**
 * Progress and resume on both engines (trackProgress as the players' onPlayer hook, the demo page
 * logging the reports): "Resume at 0:30" is announced and taken by keyboard, what is played after
 * it is recorded and the seek is not; a muted autoplay records nothing. The Moodle side of the same
 * runs in demo/e2e/moodle-progress.spec.ts.
 */
import type { Page } from '@playwright/test';
import { ENGINES, expect, log, ofType, onEngine, playedPast, setCookieTtl, tabTo, test } from './helpers.ts';

test.beforeEach(async ({ request }) => setCookieTtl(request, 600));

interface Report {
  reason: string;
  started: boolean;
  position: number;
  ranges: string;
  keepalive: boolean;
}

const reports = async (page: Page): Promise<Report[]> => ofType(await log(page), 'progress').map((e) => e.detail as unknown as Report);
const media = (page: Page) => page.locator('video').first();

test('offers resume by keyboard, records what is played after it, not the seek', ENGINES, async ({ page, engine }) => {
  await page.goto(onEngine('/?progress=1&resume=30', engine));
  const offer = page.locator('.hlsgate-resume');
  await expect(offer).toHaveAttribute('aria-live', 'polite');
  await expect(offer).toHaveAttribute('role', 'status');
  await expect(offer).toContainText('You stopped at 0:30.');
  await tabTo(page, '.hlsgate-resume-button');
  await expect(page.locator('.hlsgate-resume-button')).toBeFocused();
  await expect(page.locator('.hlsgate-resume-button')).toHaveText('Resume at 0:30');
  await page.keyboard.press('Enter');
  await expect(offer).toHaveCount(0);
  await playedPast(page, 33, 60_000);
  await media(page).evaluate((v: HTMLVideoElement) => {
    v.currentTime = 100;
  });
  await playedPast(page, 102, 60_000);
  await media(page).evaluate((v: HTMLVideoElement) => v.pause());
  await expect.poll(async () => (await reports(page)).at(-1)?.reason).toBe('pause');
  const all = await reports(page);
  expect(all[0]).toMatchObject({ reason: 'start', started: true });
  const ranges = JSON.parse(all.at(-1)!.ranges) as [number, number][];
  expect(ranges).toHaveLength(2);
  const [before, after] = ranges as [[number, number], [number, number]];
  expect(before[0]).toBeGreaterThanOrEqual(29.5);
  expect(before[0]).toBeLessThan(31);
  // The range ends at the last timeupdate before the seek (they come every 250 ms or so).
  expect(before[1]).toBeGreaterThan(32.5);
  expect(before[1]).toBeLessThan(60);
  expect(after[0]).toBeGreaterThanOrEqual(99.5);
  expect(after[1]).toBeGreaterThan(102);
  expect(all.every((r) => !r.keepalive)).toBe(true);
});

test('a muted autoplay is not counted as watching', ENGINES, async ({ page, engine }) => {
  await page.goto(onEngine('/?progress=1&autoplay=1', engine));
  await playedPast(page, 4);
  await media(page).evaluate((v: HTMLVideoElement) => v.pause());
  await expect.poll(async () => (await reports(page)).map((r) => r.reason)).toContain('start');
  expect((await reports(page)).map((r) => r.ranges)).toEqual((await reports(page)).map(() => '[]'));
  expect(await page.locator('.hlsgate-resume').count()).toBe(0);
});
