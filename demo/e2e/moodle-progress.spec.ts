/**
 * Progress and resume in the real Moodle (testing/moodle/) against the real local stack: a student
 * watches 15 s of Lecture 1 (200 s) on a Page of course A and leaves the page while it plays (the last
 * report, the only one with what was watched, goes as a keepalive fetch), comes back in a new browser, is offered
 * "Resume at 0:15" (keyboard, live region), resumes, seeks to the end and watches it; the stored
 * seconds leave the skipped part out, and the teacher's report (and its CSV download) shows that
 * percentage. A student of course B cannot report progress for the video, whatever they send.
 */
import type { Page, Response } from '@playwright/test';
import type { DevVideo } from '../../common/contracts.ts';
import { fileURLToPath } from 'node:url';
import { MEDIA_URL } from './helpers.ts';
import { callService, expect, login, session, skipWithoutMoodle, test, type MoodleSite } from './moodle.ts';

skipWithoutMoodle();
test.describe.configure({ mode: 'serial' });

const SAVE = 'filter_hlsgate_save_progress';

interface Row {
  userid: number;
  contextid: number;
  watched: number;
  duration: number;
  lastposition: number;
  ranges: [number, number][];
}

const ROWS_SCRIPT = fileURLToPath(new URL('moodle-progress-rows.php', import.meta.url));
const rows = async (moodle: MoodleSite): Promise<Row[]> => JSON.parse(await moodle.php(ROWS_SCRIPT)) as Row[];

interface SaveAnswer {
  watched: number;
  duration: number;
  percent: number;
  lastposition: number;
}

/** Every answer to a progress report the page gets (core/ajax and keepalive fetches alike). */
function recordSaves(page: Page): SaveAnswer[] {
  const answers: SaveAnswer[] = [];
  page.on('response', (response: Response) => {
    if (!response.url().includes(`/lib/ajax/service.php`) || !(response.request().postData() ?? '').includes(SAVE)) return;
    void response.json().then(
      (body: Array<{ error: boolean; data?: SaveAnswer }>) => {
        for (const item of body) if (!item.error && item.data) answers.push(item.data);
      },
      () => undefined,
    );
  });
  return answers;
}

const video = (page: Page) => page.locator('span.filter_hlsgate video').first();
const currentTime = (page: Page) => video(page).evaluate((v: HTMLVideoElement) => v.currentTime);

let fixture: { url: string; contextid: number; src: string; grant: string };

test('a student resumes where they stopped, the skipped part is not counted, and the teacher sees it', async ({ moodle, browser, request }) => {
  test.setTimeout(6 * 60_000);
  const videos = (await (await request.get(`${MEDIA_URL}/_dev/videos`)).json()) as DevVideo[];
  const lecture = videos.find((v) => v.title === 'Lecture 1')!;
  const made = await moodle.helper<{ url: string; contextid: number }>({
    command: 'page', course: 'HLSA', name: 'Progress', html: `<p><a href="${lecture.src}">Lecture 1</a></p>`,
  });
  const student = moodle.manifest.users.student1!;

  // First visit: 15 s of watching (past the resume offer's 5-s margin; before the 30-s interval
  // report, so what is stored comes from the keepalive report on pagehide alone). It was 40 s.
  const first = await browser.newContext();
  const page1 = await first.newPage();
  const saves1 = recordSaves(page1);
  await login(page1, moodle, 'student1');
  await page1.goto(made.url);
  const placeholder = page1.locator('span.filter_hlsgate').first();
  fixture = {
    ...made,
    src: (await placeholder.getAttribute('data-hlsgate-src'))!,
    grant: (await placeholder.getAttribute('data-hlsgate-grant')) ?? '',
  };
  await expect(page1.locator('.hlsgate-resume')).toHaveCount(0);
  await page1.locator('span.filter_hlsgate .vjs-big-play-button').click();
  await page1.waitForFunction(() => (document.querySelector('span.filter_hlsgate video') as HTMLVideoElement | null)?.currentTime! > 15,
    null, { timeout: 150_000, polling: 250 });
  // Leave the page while playing: the last report goes as a keepalive fetch on pagehide.
  const left = await currentTime(page1);
  await page1.goto(`${moodle.url}/course/view.php?id=${moodle.manifest.courses.A!.id}`);
  const storedRow = async () => (await rows(moodle)).find((r) => r.userid === student.id && r.contextid === made.contextid);
  await expect.poll(async () => (await storedRow())?.lastposition ?? 0, { timeout: 30_000 }).toBeGreaterThanOrEqual(left - 0.5);
  const afterFirst = (await storedRow())!;
  expect(saves1.length, 'the start report went through core/ajax while the page was open').toBeGreaterThan(0);
  expect(afterFirst.watched).toBeGreaterThan(13);
  expect(afterFirst.watched).toBeLessThanOrEqual(afterFirst.lastposition + 0.5);
  expect(afterFirst.duration).toBeCloseTo(200, 0);
  await first.close();

  // Second visit, a new browser context: "Resume at 0:15", announced, operated by keyboard.
  const second = await browser.newContext();
  const page2 = await second.newPage();
  const saves2 = recordSaves(page2);
  await login(page2, moodle, 'student1');
  await page2.goto(made.url);
  const offer = page2.locator('span.filter_hlsgate .hlsgate-resume');
  await expect(offer).toHaveAttribute('aria-live', 'polite');
  const resume = offer.getByRole('button', { name: /^Resume at 0:1\d$/ });
  await expect(resume).toBeVisible();
  await expect(offer).toContainText(/You stopped at 0:1\d\./);
  await resume.focus();
  await page2.keyboard.press('Enter');
  await expect(offer).toHaveCount(0);
  await expect.poll(() => currentTime(page2), { timeout: 60_000 }).toBeGreaterThan(afterFirst.lastposition + 2);
  expect(await currentTime(page2)).toBeLessThan(afterFirst.lastposition + 30);
  // Seek to the end, as a viewer dragging the progress bar does, and watch the last 5 s.
  await video(page2).evaluate((v: HTMLVideoElement) => {
    v.currentTime = v.duration - 5;
  });
  await video(page2).evaluate((v: HTMLVideoElement) => (v.ended ? undefined : new Promise((r) => v.addEventListener('ended', r, { once: true }))));
  await expect.poll(() => saves2.at(-1)?.lastposition ?? 0, { timeout: 30_000 }).toBeGreaterThan(199);
  const final = saves2.at(-1)!;
  // 0–15 (first visit), 15–~18 (after resuming), 195–200: the 175 s skipped are not counted.
  expect(final.watched).toBeGreaterThan(afterFirst.watched + 6);
  expect(final.watched).toBeLessThan(afterFirst.watched + 30);
  expect(final.percent).toBeLessThan(40);
  process.stderr.write(`progress: first visit ${afterFirst.watched} s (stopped at ${afterFirst.lastposition}); after resume + end ${final.watched} s = ${final.percent} %\n`);
  await second.close();

  const stored = (await rows(moodle)).filter((r) => r.userid === student.id && r.contextid === made.contextid);
  expect(stored).toHaveLength(1);
  expect(stored[0]!.watched).toBeCloseTo(final.watched, 1);
  expect(stored[0]!.ranges.at(-1)![1]).toBeCloseTo(200, 0);

  // The teacher's report: the link in the course, the row of the student, and the CSV download.
  const third = await browser.newContext();
  const page3 = await third.newPage();
  await login(page3, moodle, 'teacher');
  const course = moodle.manifest.courses.A!;
  await page3.goto(`${moodle.url}/course/view.php?id=${course.id}`);
  await expect(page3.locator(`a[href*="/filter/hlsgate/report.php?id=${course.id}"]`).first()).toBeAttached();
  await page3.goto(`${moodle.url}/filter/hlsgate/report.php?id=${course.id}`);
  const percentText = `${final.percent.toFixed(1)} %`;
  const row = page3.locator('table.filter_hlsgate_report tbody tr', { hasText: student.fullname }).filter({ hasText: 'Progress: master' });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(percentText);
  const minutes = Math.floor(final.lastposition / 60);
  await expect(row).toContainText(`0:0${minutes}:${String(Math.floor(final.lastposition) % 60).padStart(2, '0')}`);
  // Kim Second has not watched: 0 %.
  await expect(page3.locator('table.filter_hlsgate_report tbody tr', { hasText: 'Kim Second' }).filter({ hasText: 'Progress: master' }))
    .toContainText('0.0 %');
  const csv = await (await third.request.get(`${moodle.url}/filter/hlsgate/report.php?id=${course.id}&download=csv`)).text();
  expect(csv.split('\n')[0]).toContain('Student,Video,"Seconds watched",Watched,"Time spent","Last watched","Resume position"');
  expect(csv).toMatch(new RegExp(`"${student.fullname}","Progress: master",[0-9.]+,${final.percent},[0-9]+,`));
  await third.close();
});

test('a student of another course cannot report progress for the video', async ({ moodle }) => {
  expect(fixture, 'the first test made the page').toBeTruthy();
  const before = await rows(moodle);
  const outsider = await session(moodle, 'studentb');
  try {
    for (const contextid of [fixture.contextid, moodle.manifest.courses.B!.contextid, moodle.manifest.users.studentb!.contextid]) {
      const answer = await callService(outsider, SAVE, {
        contextid, url: fixture.src, grant: fixture.grant, session: 'outsider', seq: 1,
        ranges: [{ start: 0, end: 5 }], position: 5, duration: 200, started: true,
      });
      expect(answer.status).toBe(200);
      expect(answer.result?.error, `contextid ${contextid}: ${answer.body}`).toBe(true);
    }
  } finally {
    await outsider.dispose();
  }
  expect(await rows(moodle)).toEqual(before);
});
