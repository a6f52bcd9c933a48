/**
 * The interactive transcript, the chapters and the time fragment (issue 19 §2, §3's `#t=`, §4's
 * player side) on the captioned sample lecture ("Lecture 4 (captions, chapters)": a real subtitles
 * rendition from ingest, and the chapters contract written by demo/stack/sample-transcript.ts).
 *
 * Tagged @engines: both tests run on hls.js too, because every piece is wired per engine — the
 * transcript button and chapter menu (video.js's ChaptersButton vs the adapter's select), the
 * progress bar the marks go on, where "after the first play" is noticed, and where the time
 * fragment's offer is made (plugin.ts and hlsjs.ts). What is engine-free (cue parsing, search,
 * highlighting, fragments, markup as text) is vitest's (player/transcript.test.ts).
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { ENGINES, expect, onEngine, setCookieTtl, showControls, test } from './helpers.ts';

/** The captioned sample lecture (the fourth by title). */
const PAGE = '/?video=3';

test.beforeEach(async ({ request }) => setCookieTtl(request, 600));

const time = (page: Page) => page.evaluate(() => window.hlsgateDemo!.currentTime());

async function play(page: Page, engine: string): Promise<void> {
  await page.locator(engine === 'hlsjs' ? '.hlsgate-play' : '.vjs-big-play-button').click();
  await page.waitForFunction(() => !window.hlsgateDemo!.paused() && window.hlsgateDemo!.currentTime() > 0.2);
}

test('transcript panel: from the bar, follows playback, Enter seeks, search seeks and marks the bar, chapters, axe and 390 px', ENGINES, async ({ page, engine }) => {
  const transcriptRequests: { url: string; playing: boolean }[] = [];
  let playing = false;
  page.on('request', (r) => {
    if (/\/(subs\/|chapters\.)/.test(r.url())) transcriptRequests.push({ url: r.url(), playing });
  });
  await page.goto(onEngine(PAGE, engine));
  await page.waitForFunction(() => (window.hlsgateDemo?.stats().sessions ?? 0) >= 1);
  expect(await page.evaluate(() => document.title)).toContain('Lecture 4');
  // Nothing of the transcript before play: no button, no request.
  await page.waitForTimeout(500);
  const toggle = page.locator(engine === 'hlsjs' ? 'button.hlsgate-transcript-toggle' : '.vjs-hlsgate-transcript');
  await expect(toggle).toHaveCount(0);
  expect(transcriptRequests).toEqual([]);

  playing = true;
  await play(page, engine);
  await showControls(page);
  await expect(toggle).toBeVisible();
  expect(transcriptRequests.every((r) => r.playing)).toBe(true);
  // Through the bar, by keyboard.
  await toggle.focus();
  await page.keyboard.press('Enter');
  const panel = page.locator('section.hlsgate-transcript');
  await expect(panel).toBeVisible();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await expect(panel.locator('button.hlsgate-cue')).toHaveCount(10);
  // Chapters as headings, in order.
  await expect(panel.locator('h3')).toHaveText(['Introduction', 'Linear maps', 'Eigenvalues', 'Summary']);
  // Markup in a cue stays text.
  await expect(panel.locator('button.hlsgate-cue[data-start="12"]')).toContainText('Slides may hold <img src=x onerror=alert(1)> or <script>alert(1)</script>: text, nothing more.');
  expect(await panel.locator('script, img').count()).toBe(0);

  // The current cue follows playback.
  await page.evaluate(() => window.hlsgateDemo!.seek(4));
  await expect(panel.locator('[aria-current=true]')).toHaveAttribute('data-start', '3');

  // Enter on a cue seeks there (the player paused, so the time is exact).
  await page.evaluate(() => window.hlsgateDemo!.media.pause());
  await panel.locator('button.hlsgate-cue[data-start="21"]').focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => time(page)).toBeCloseTo(21, 0);
  await expect(panel.locator('[aria-current=true]')).toHaveAttribute('data-start', '21');
  // Arrows move between cues without seeking.
  await page.keyboard.press('ArrowDown');
  await expect(panel.locator('button.hlsgate-cue[data-start="24"]')).toBeFocused();

  // Search: hits with their times, marks on the bar, the count announced once; Enter → hit → seek.
  const search = panel.getByRole('searchbox', { name: 'Search the transcript' });
  await search.fill('eigenvector');
  const hits = panel.getByRole('list', { name: 'Matches' }).locator('button');
  await expect(hits).toHaveCount(2);
  await expect(hits.first()).toContainText('0:18');
  await expect(hits.first().locator('mark')).toHaveText('eigenvector');
  await expect(panel.getByRole('status')).toHaveText('2 matches');
  await expect(page.locator('.hlsgate-mark-hit')).toHaveCount(2);
  await page.keyboard.press('Enter');
  await expect(hits.first()).toBeFocused();
  await page.keyboard.press('Enter');
  await expect.poll(async () => Math.abs((await time(page)) - 18)).toBeLessThan(1);

  // Chapters: marks with a tooltip (none at 0:00) and the menu.
  const marks = page.locator('.hlsgate-mark-chapter');
  await expect(marks).toHaveCount(3);
  await expect(marks.nth(1)).toHaveAttribute('data-title', '0:15 Eigenvalues');
  await showControls(page);
  if (engine === 'hlsjs') {
    const menu = page.getByRole('combobox', { name: 'Chapters' });
    await expect(menu.locator('option')).toHaveText(['0:00 Introduction', '0:09 Linear maps', '0:15 Eigenvalues', '0:24 Summary']);
    await menu.selectOption({ label: '0:24 Summary' });
  } else {
    await page.locator('.vjs-chapters-button .vjs-menu-button').click();
    const items = page.locator('.vjs-chapters-button .vjs-menu-item');
    // video.js adds ", selected" (hidden text) to the chapter playing.
    await expect(items).toHaveText([/^Introduction/, /^Linear maps/, /^Eigenvalues/, /^Summary/]);
    await items.filter({ hasText: 'Summary' }).click();
  }
  await expect.poll(() => time(page)).toBeCloseTo(24, 0);
  await expect(panel.locator('[aria-current=true]')).toHaveAttribute('data-start', '24');

  // Playback moves on past the list's view: the list brings the current cue into its own view; the
  // page does not move and the focus stays where the viewer left it.
  await page.mouse.move(0, 0);
  const body = panel.locator('.hlsgate-transcript-body');
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await body.evaluate((el) => (el.scrollTop = 0));
  const scrollY = await page.evaluate(() => window.scrollY);
  await page.evaluate(() => window.hlsgateDemo!.seek(28));
  await expect(panel.locator('[aria-current=true]')).toHaveAttribute('data-start', '27');
  await expect.poll(() => body.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
  expect(
    await body.evaluate((el) => {
      const r = el.querySelector('[aria-current=true]')!.getBoundingClientRect();
      const b = el.getBoundingClientRect();
      return r.top >= b.top - 1 && r.bottom <= b.bottom + 1;
    }),
  ).toBe(true);
  expect(await page.evaluate(() => window.scrollY)).toBe(scrollY);
  expect(await page.evaluate(() => document.activeElement === document.body)).toBe(true);

  // axe on the page with the panel open and hits listed, and the panel at a phone's width.
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 844 });
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa']).analyze();
    const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(bad, `at ${width} px`).toEqual([]);
  }
  const box = await panel.boundingBox();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(390);
  // Nothing in the panel runs wider than the panel (long words wrap).
  expect(await panel.evaluate((el) => el.scrollWidth <= el.clientWidth && [...el.querySelectorAll('*')].every((e) => e.getBoundingClientRect().right <= el.getBoundingClientRect().right + 1))).toBe(true);
  await expect(panel.locator('button.hlsgate-cue').first()).toBeVisible();
});

test('a #t= fragment offers to start there', ENGINES, async ({ page, engine }) => {
  await page.goto(onEngine(PAGE, engine) + '#t=0:21');
  const offer = page.getByRole('button', { name: 'Start at 0:21' });
  await expect(offer).toBeVisible();
  await expect(page.locator('.hlsgate-resume-text')).toHaveText(/This link starts the video at 0:21/);
  await offer.click();
  // There within seconds (from 0:00 it would take 20 s of playing).
  await page.waitForFunction(() => !window.hlsgateDemo!.paused() && window.hlsgateDemo!.currentTime() >= 20.9, undefined, { timeout: 10_000 });
  expect(await time(page)).toBeLessThan(25);
  await expect(offer).toHaveCount(0);
});
