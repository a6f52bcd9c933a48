/**
 * A teacher embeds lectures in a Page through TinyMCE, as a teacher does it: the Link dialog's
 * "Browse repositories…" → the File system repository "Lectures" → the course folder ingest
 * published → "Link to the file" (an alias) and "Make a copy of the file", then a media URL pasted
 * from the clipboard. An enrolled student opens the page: every player gets its token, and two
 * of them play the 30 s window with 10-s cookies (the shortest the stack allows; refreshed every 3–5 s as they go: more refreshes
 * than the former 60 s with 20-s cookies, in half the time) without a stall and without a single
 * refused media request, each with the student's name as watermark.
 *
 * The three are started at once, the moment the page has built them (their sessions still in
 * flight), each in another way: the alias by a click on its big play button, the copy by the
 * keyboard (Tab to its play button, Enter), the pasted link by a script's play() on the media
 * element (issue 16: on the old player such a play was lost and the player never started).
 */
import type { DevVideo } from '../../common/contracts.ts';
import { MEDIA_URL, setCookieTtl } from './helpers.ts';
import { expect, login, recordPlaybackCalls, skipWithoutMoodle, test } from './moodle.ts';

skipWithoutMoodle();
test.describe.configure({ mode: 'serial' });

/** Seconds the alias and the pasted link must play, and the cookies' lifetime meanwhile. */
const WINDOW = 30;
const COOKIE_TTL = 10;
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

test(`an enrolled student starts them at once by click, keyboard and script: ${WINDOW} s with ${COOKIE_TTL}-s cookies, no stall, no refused request, the watermark names them`, async ({ moodle, page, request }) => {
  test.setTimeout(6 * 60_000);
  expect(pageUrl, 'the teacher’s page exists').not.toBe('');
  await setCookieTtl(request, COOKIE_TTL);
  try {
    const sessions: Array<{ resource: string; lifetime: number; expiresAt: number; serverTime: number }> = [];
    page.on('response', async (response) => {
      if (!response.url().endsWith('/_auth/session') || response.request().method() !== 'POST' || !response.ok()) return;
      // A refresh answered as the test ends (every 3–5 s with 10-s cookies) has no body left to read: not one of the window's.
      const body = (await response.json().catch(() => undefined)) as { resource: string; expiresAt: number; serverTime: number } | undefined;
      if (body) sessions.push({ resource: body.resource, lifetime: body.expiresAt - body.serverTime, expiresAt: body.expiresAt, serverTime: body.serverTime });
    });
    // A media request refused (cookies expired before their refresh) would be caught by the 403
    // net and never seen by the player: counted here, on the wire.
    const refused: string[] = [];
    page.on('response', (response) => {
      if (response.url().startsWith(`${MEDIA_URL}/lectures/`) && response.status() === 403) refused.push(response.url());
    });
    const calls = recordPlaybackCalls(page);
    await login(page, moodle, 'student1');
    await page.goto(pageUrl);
    const players = page.locator('span.filter_hlsgate');
    const hrefs = await players.evaluateAll((spans) => spans.map((s) => s.getAttribute('data-hlsgate-src')));
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
      });
    });
    // All three at once: the keyboard on the copy (from the alias's big play button, Tab to the
    // copy's, Enter), a click on the alias's big play button, a script's play() on the pasted link.
    await players.nth(0).locator('.vjs-big-play-button').focus();
    const copyButton = players.nth(1).locator('.vjs-big-play-button');
    for (let n = 0; n < 20 && !(await copyButton.evaluate((b) => b === document.activeElement)); n += 1) await page.keyboard.press('Tab');
    await expect(copyButton).toBeFocused();
    await page.keyboard.press('Enter');
    await players.nth(0).locator('.vjs-big-play-button').click();
    await players.nth(2).locator('video').evaluate((video: HTMLVideoElement) => void video.play().catch(() => undefined));
    const times = () => players.locator('video').evaluateAll((videos) => videos.map((v) => (v as HTMLVideoElement).currentTime));
    await expect.poll(async () => (await times())[1]!, { timeout: 60_000 }).toBeGreaterThan(3);
    await page.locator('span.filter_hlsgate video').nth(1).evaluate((v: HTMLVideoElement) => v.pause());
    await expect.poll(async () => Math.min((await times())[0]!, (await times())[2]!), { timeout: (WINDOW + 90) * 1000, intervals: [1000] })
      .toBeGreaterThanOrEqual(WINDOW);
    const waiting = await page.evaluate(() => (window as unknown as { hlsgateWaiting: number[] }).hlsgateWaiting);
    expect(waiting[0], 'stalls of the alias').toBe(0);
    expect(waiting[2], 'stalls of the pasted URL').toBe(0);
    // 10-s cookies over 30 s: the players refreshed them as they went — Lecture 1 at least as often
    // as the former 60 s with 20-s cookies did (5–6 times) — and no media request was refused.
    const lecture1Resource = sessions.find((s) => s.resource.includes(`/${new URL(hrefs[2]!).pathname.split('/')[2]}/`))?.resource;
    const lecture1 = sessions.filter((s) => s.resource === lecture1Resource);
    expect(lecture1.length, 'sessions of Lecture 1').toBeGreaterThanOrEqual(6);
    for (const s of sessions) expect(s.lifetime).toBeLessThanOrEqual(COOKIE_TTL + 5);
    expect(refused, 'media requests refused').toEqual([]);
    // The margin each refresh left: seconds between its answer and the expiry of the cookies it replaced (server clock).
    const margins = lecture1.slice(1).map((s, i) => lecture1[i]!.expiresAt - s.serverTime);
    test.info().annotations.push({ type: 'refresh margins (s)', description: `${margins.join(', ')} (min ${Math.min(...margins)})` });
    process.stderr.write(`moodle-playback: ${lecture1.length} sessions of Lecture 1 in ${WINDOW} s; margins left at each refresh (s): ${margins.join(', ')}\n`);
    const name = moodle.manifest.users.student1!.fullname;
    const marks = await players.locator('.vjs-hlsgate-watermark').allTextContents();
    expect(marks).toHaveLength(3);
    for (const mark of marks) expect(mark).toContain(name);
    await expect(players.locator('.filter_hlsgate_message:visible')).toHaveCount(0);
  } finally {
    await setCookieTtl(request, 600);
  }
});
