/**
 * Lean until play on a real Moodle page (issue 11 §1), and the AMD entry's clock (issue 12 §2).
 *
 * A student opens a Page with three lectures, the third far below the fold, and leaves it alone
 * with 10-s cookies: the view tokens come in one batched AJAX request; each visible player costs at
 * most its session, the master, one variant playlist and one segment; the far one costs nothing;
 * nobody refreshes cookies. Pressing play on the first plays it. The figures (requests and bytes
 * per player before play) are printed.
 *
 * With the browser's wall clock five hours off the server's (ahead, then behind), the prefetched
 * tokens are still used (no second get_playback) and the players get their sessions and play:
 * the AMD entry never compares the server's `expiresat` with the client's clock.
 */
import type { Page } from '@playwright/test';
import type { DevVideo } from '../../common/contracts.ts';
import { splitResource } from '../../common/contracts.ts';
import { MEDIA_URL, setCookieTtl, tallyMedia } from './helpers.ts';
import { expect, login, recordPlaybackCalls, skipWithoutMoodle, test, type MoodleSite } from './moodle.ts';

skipWithoutMoodle();
test.describe.configure({ mode: 'serial' });
test.afterEach(async ({ request }) => setCookieTtl(request, 600));

const TITLES = ['Lecture 1', 'Lecture 2', 'Lecture 3 (fMP4)'] as const;
let lectures: { url: string; dirs: string[] } | undefined;

/** The Page: Lecture 1 and 2 at the top, Lecture 3 after a long reading (far below the fold). */
async function lecturesPage(moodle: MoodleSite, page: Page): Promise<{ url: string; dirs: string[] }> {
  if (lectures) return lectures;
  const videos = (await (await page.request.get(`${MEDIA_URL}/_dev/videos`)).json()) as DevVideo[];
  const picked = TITLES.map((title) => videos.find((v) => v.title === title)!);
  const link = (v: DevVideo) => `<p><a href="${v.src}">${v.title}</a></p>`;
  const reading = Array.from({ length: 150 }, (_, i) => `<p>Reading, paragraph ${i + 1}.</p>`).join('');
  const { url } = await moodle.helper<{ url: string }>({
    command: 'page',
    course: 'HLSA',
    name: 'Three lectures',
    html: `${link(picked[0]!)}${link(picked[1]!)}${reading}${link(picked[2]!)}`,
  });
  lectures = { url, dirs: picked.map((v) => splitResource(v.res)!.dir) };
  return lectures;
}

const players = (page: Page) => page.locator('span.filter_hlsgate');
const currentTimes = (page: Page) => players(page).locator('video').evaluateAll((videos) => videos.map((v) => (v as HTMLVideoElement).currentTime));

test('before play: one batched token request, at most session + playlists + one segment per visible player, nothing below the fold', async ({ moodle, page, request }) => {
  test.setTimeout(3 * 60_000);
  const { url, dirs } = await lecturesPage(moodle, page);
  await setCookieTtl(request, 10); // the shortest: a player that refreshed while unplayed would do so within the wait
  await login(page, moodle, 'student1');
  const calls = recordPlaybackCalls(page);
  const media = tallyMedia(page);
  await page.goto(url);
  await expect(page.locator('span.filter_hlsgate[data-hlsgate-ready="1"]')).toHaveCount(3, { timeout: 60_000 });
  const viewport = page.viewportSize()!;
  const tops = await players(page).evaluateAll((spans) => spans.map((s) => s.getBoundingClientRect().top));
  expect(tops[1]!, 'Lecture 2 starts in the viewport').toBeLessThan(viewport.height);
  expect(tops[2]!, 'Lecture 3 is far below the fold').toBeGreaterThan(3 * viewport.height);
  await expect.poll(() => media.byDir.get(dirs[1]!)?.session ?? 0, { timeout: 30_000 }).toBe(1);
  await page.waitForTimeout(6_000); // what a page left alone loads
  expect(await players(page).locator('video').evaluateAll((videos) => videos.map((v) => (v as HTMLVideoElement).paused))).toEqual([true, true, true]);

  const per = dirs.map((dir) => ({ ...(media.byDir.get(dir) ?? { session: 0, master: 0, variant: 0, segment: 0, other: 0, bytes: 0 }) }));
  const lines = TITLES.map((title, i) => `  ${title}${i === 2 ? ' (below the fold)' : ''}: ${per[i]!.session} session, ${per[i]!.master} master, ${per[i]!.variant} variant, ${per[i]!.segment} segment(s), ${per[i]!.bytes} bytes`);
  console.log(`Moodle page, before play (6 s, 10-s cookies): get_playback ${calls.length} calls in ${calls.requests} request(s); media host ${media.total.bytes} bytes in all\n${lines.join('\n')}`);
  expect(calls.requests, 'view tokens in one AJAX request').toBe(1);
  expect(calls).toHaveLength(3);
  for (const i of [0, 1]) {
    expect(per[i]!.session, `sessions of ${TITLES[i]} (a second one is a refresh)`).toBe(1);
    expect(per[i]!.master).toBeLessThanOrEqual(1);
    expect(per[i]!.variant).toBeLessThanOrEqual(1);
    expect(per[i]!.segment).toBeLessThanOrEqual(1);
    expect(per[i]!.other).toBe(0);
  }
  expect(per[2], 'the player below the fold').toEqual({ session: 0, master: 0, variant: 0, segment: 0, other: 0, bytes: 0 });
  expect(media.total.session, 'no cookie refresh while unplayed').toBe(2);

  // Play on the first: it refreshes its expired cookies first, then plays.
  await players(page).nth(0).locator('video').evaluate((v: HTMLVideoElement) => { v.muted = true; });
  await players(page).nth(0).locator('.vjs-big-play-button').click();
  await expect.poll(async () => (await currentTimes(page))[0]!, { timeout: 60_000 }).toBeGreaterThan(2);
  const after = media.byDir.get(dirs[0]!)!;
  console.log(`  after play, Lecture 1 plays: ${after.session} sessions, ${after.segment} segments, ${after.bytes} bytes; get_playback calls ${calls.length}`);
  expect(after.session, 'a refresh before or while it plays').toBeGreaterThanOrEqual(2);
  expect(media.byDir.get(dirs[2]!)?.session ?? 0).toBe(0);
});

for (const [label, offsetHours] of [['ahead', 5], ['behind', -5]] as const) {
  test(`a browser clock ${Math.abs(offsetHours)} h ${label} of the server's: the prefetched tokens serve, the players get sessions and play`, async ({ moodle, page }) => {
    test.setTimeout(2 * 60_000);
    const { url, dirs } = await lecturesPage(moodle, page);
    await login(page, moodle, 'student1');
    // Every Date of the page (Date.now(), new Date()) shifted; timers and performance.now() untouched.
    await page.addInitScript((offsetMs) => {
      const RealDate = Date;
      class ShiftedDate extends RealDate {
        constructor(...args: unknown[]) {
          if (args.length === 0) super(RealDate.now() + offsetMs);
          else super(...(args as [number]));
        }
        static override now(): number {
          return RealDate.now() + offsetMs;
        }
      }
      (window as unknown as { Date: DateConstructor }).Date = ShiftedDate as unknown as DateConstructor;
    }, offsetHours * 3_600_000);
    const calls = recordPlaybackCalls(page);
    const media = tallyMedia(page);
    await page.goto(url);
    expect(Math.abs((await page.evaluate(() => Date.now())) - Date.now() - offsetHours * 3_600_000)).toBeLessThan(60_000);
    await expect(page.locator('span.filter_hlsgate[data-hlsgate-ready="1"]')).toHaveCount(3, { timeout: 60_000 });
    await expect.poll(() => [0, 1].map((i) => media.byDir.get(dirs[i]!)?.session ?? 0), { timeout: 30_000 }).toEqual([1, 1]);
    await players(page).nth(0).locator('video').evaluate((v: HTMLVideoElement) => { v.muted = true; });
    await players(page).nth(0).locator('.vjs-big-play-button').click();
    await expect.poll(async () => (await currentTimes(page))[0]!, { timeout: 60_000 }).toBeGreaterThan(2);
    // The old entry threw a prefetched token away when its expiresat lay in the client's past, and asked again.
    expect(calls.requests, 'get_playback requests').toBe(1);
    expect(calls).toHaveLength(3);
    await expect(players(page).locator('.filter_hlsgate_message:visible')).toHaveCount(0);
  });
}
