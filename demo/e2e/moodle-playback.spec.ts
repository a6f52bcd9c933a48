/**
 * A teacher embeds lectures in a Page through TinyMCE, as a teacher does it: the Link dialog's
 * "Browse repositories…" → the File system repository "Lectures" → the course folder ingest
 * published → "Link to the file" (an alias) and "Make a copy of the file", then a media URL pasted
 * from the clipboard. An enrolled student opens the page: every player gets its token, and two
 * of them play the 60 s window with 20-s cookies (refreshed as they go) without a stall, each with
 * the student's name as watermark.
 */
import type { DevVideo } from '../../common/contracts.ts';
import { MEDIA_URL, setCookieTtl } from './helpers.ts';
import { expect, login, recordPlaybackCalls, skipWithoutMoodle, test } from './moodle.ts';

skipWithoutMoodle();
test.describe.configure({ mode: 'serial' });

const WINDOW = 60;
let pageUrl = '';

test('a teacher embeds a repository alias, a copy and a pasted URL through TinyMCE', async ({ moodle, page, context, request }) => {
  const videos = (await (await request.get(`${MEDIA_URL}/_dev/videos`)).json()) as DevVideo[];
  const lecture1 = videos.find((v) => v.title === 'Lecture 1')!;
  await login(page, moodle, 'teacher');
  await page.goto(`${moodle.url}/course/modedit.php?add=page&course=${moodle.manifest.courses.A!.id}&section=0&return=0`);
  await page.locator('#id_name').fill('Week 1 lectures');
  const editor = page.frameLocator('#id_page_ifr').locator('body');
  // TinyMCE shows a throbber over the editor while it (re)loads content.
  const editorIdle = () => expect(page.locator('#fitem_id_page .tox-throbber')).toBeHidden({ timeout: 60_000 });

  /** The Link dialog, then the file picker: the File system repository's course folder. */
  const linkFromRepository = async (text: string, title: string, how: 'Link to the file' | 'Make a copy of the file') => {
    await editorIdle();
    await editor.click();
    await page.keyboard.press('ControlOrMeta+End');
    await page.locator('#fitem_id_page .tox-tbtn[aria-label^="Link"]').first().click();
    await page.locator('#id_page_tiny_link_urltext').fill(text);
    await page.locator('button.openlinkbrowser').click();
    const picker = page.locator('.file-picker:visible');
    await picker.getByRole('link', { name: moodle.manifest.repository.name, exact: true }).click();
    await picker.getByText('Demo course', { exact: true }).click();
    await picker.getByText(new RegExp(` - ${title}\\.m3u8$`)).click();
    const select = page.locator('.fp-select:visible');
    await select.getByLabel(how, { exact: true }).check();
    await select.locator('.fp-select-confirm').click();
    // tiny_link inserts the picked file's link and closes its dialog.
    await expect(editor.locator('a', { hasText: text })).toHaveAttribute('href', /\/draftfile\.php\//);
    await expect(page.locator('.modal.show')).toHaveCount(0);
    await editorIdle();
    await editor.click();
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.press('Enter');
  };
  await linkFromRepository('Lecture 1 (alias)', 'Lecture 1', 'Link to the file');
  await linkFromRepository('Lecture 2 (copy)', 'Lecture 2', 'Make a copy of the file');

  // A media URL pasted from the clipboard into the Link dialog, as a teacher copies it from the
  // catalogue (a URL pasted as text stays text: urltolink converts only Moodle auto-format).
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: moodle.url });
  await page.evaluate((text) => navigator.clipboard.writeText(text), lecture1.src);
  await editorIdle();
  await editor.click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.locator('#fitem_id_page .tox-tbtn[aria-label^="Link"]').first().click();
  await page.locator('#id_page_tiny_link_urltext').fill('Lecture 1 (pasted link)');
  await page.locator('#id_page_tiny_link_urlentry').focus();
  await page.keyboard.press('ControlOrMeta+V');
  await expect(page.locator('#id_page_tiny_link_urlentry')).toHaveValue(lecture1.src);
  await page.locator('.modal.show [data-action="save"]').click();
  await expect(editor.locator('a', { hasText: 'Lecture 1 (pasted link)' })).toHaveAttribute('href', lecture1.src);

  await page.locator('#id_submitbutton').click();
  await expect(page.locator('span.filter_hlsgate')).toHaveCount(3, { timeout: 60_000 });
  pageUrl = page.url();
  // What the teacher's editor stored: an alias and a copy in the page's file area, the URL as typed.
  const hrefs = await page.locator('span.filter_hlsgate').evaluateAll((spans) => spans.map((s) => s.getAttribute('data-hlsgate-src')));
  expect(hrefs[0]).toMatch(/\/pluginfile\.php\/\d+\/mod_page\/content\/\d+\/.*Lecture(%20|\s)1\.m3u8$/);
  expect(hrefs[1]).toMatch(/\/pluginfile\.php\/\d+\/mod_page\/content\/\d+\/.*Lecture(%20|\s)2\.m3u8$/);
  expect(hrefs[2]).toBe(lecture1.src);
});

test('an enrolled student plays them: 60 s with 20-s cookies, no stall, the watermark names them', async ({ moodle, page, request }) => {
  test.setTimeout(6 * 60_000);
  expect(pageUrl, 'the teacher’s page exists').not.toBe('');
  await setCookieTtl(request, 20);
  try {
    const sessions: Array<{ lifetime: number }> = [];
    page.on('response', async (response) => {
      if (!response.url().endsWith('/_auth/session') || response.request().method() !== 'POST' || !response.ok()) return;
      const body = (await response.json()) as { expiresAt: number; serverTime: number };
      sessions.push({ lifetime: body.expiresAt - body.serverTime });
    });
    const calls = recordPlaybackCalls(page);
    await login(page, moodle, 'student1');
    await page.goto(pageUrl);
    const players = page.locator('span.filter_hlsgate');
    await expect(page.locator('span.filter_hlsgate[data-hlsgate-ready="1"]')).toHaveCount(3, { timeout: 60_000 });
    expect(calls).toHaveLength(3);
    // The copy (Lecture 2) plays too; the alias and the pasted URL (Lecture 1) play the whole window.
    await page.evaluate(() => {
      const w = window as unknown as { hlsgateWaiting: number[]; hlsgatePlaying: number[] };
      w.hlsgateWaiting = [0, 0, 0];
      w.hlsgatePlaying = [0, 0, 0];
      document.querySelectorAll('span.filter_hlsgate video').forEach((node, i) => {
        const video = node as HTMLVideoElement;
        video.addEventListener('playing', () => { w.hlsgatePlaying[i] = w.hlsgatePlaying[i] || performance.now(); });
        video.addEventListener('waiting', () => { if (w.hlsgatePlaying[i]) w.hlsgateWaiting[i]! += 1; });
        video.muted = true;
        void video.play();
      });
    });
    const times = () => players.locator('video').evaluateAll((videos) => videos.map((v) => (v as HTMLVideoElement).currentTime));
    await expect.poll(async () => (await times())[1]!, { timeout: 60_000 }).toBeGreaterThan(3);
    await page.locator('span.filter_hlsgate video').nth(1).evaluate((v: HTMLVideoElement) => v.pause());
    await expect.poll(async () => Math.min((await times())[0]!, (await times())[2]!), { timeout: (WINDOW + 90) * 1000, intervals: [1000] })
      .toBeGreaterThanOrEqual(WINDOW);
    const waiting = await page.evaluate(() => (window as unknown as { hlsgateWaiting: number[] }).hlsgateWaiting);
    expect(waiting[0], 'stalls of the alias').toBe(0);
    expect(waiting[2], 'stalls of the pasted URL').toBe(0);
    // 20-s cookies over 60 s: the players refreshed them as they went.
    expect(sessions.length).toBeGreaterThanOrEqual(3);
    for (const s of sessions) expect(s.lifetime).toBeLessThanOrEqual(25);
    const name = moodle.manifest.users.student1!.fullname;
    const marks = await players.locator('.vjs-hlsgate-watermark').allTextContents();
    expect(marks).toHaveLength(3);
    for (const mark of marks) expect(mark).toContain(name);
    await expect(players.locator('.filter_hlsgate_message:visible')).toHaveCount(0);
  } finally {
    await setCookieTtl(request, 600);
  }
});
