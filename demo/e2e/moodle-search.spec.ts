/**
 * Moodle's global search finds words said in a lecture (issue 19), end to end: a page of course A
 * embeds the captioned sample lecture (Lecture 4, a Zoom-style transcript published by ingest as a
 * subtitles rendition); the real search indexer task (core's search_simpledb engine on PostgreSQL)
 * (two runs, as cron makes them) makes Moodle read the transcript from the media host through the
 * query-signing contract and index it; an
 * enrolled student searches a word said at 1:15 and the hit opens the page at that window's time
 * (`#t=61`), with the lecture's player on it; a student of another course, a user enrolled
 * nowhere, the guest and a visitor who is not logged in find nothing.
 *
 * The same for the 60-s spoken clip through each recogniser that runs here (demo/stack's
 * "Lecture 6 (spoken) (<engine>)" samples, their captions recognised by ingest): a page of course A
 * per engine embeds one, and a word only that clip says (and pocketsphinx recognises) is found on
 * both pages by the enrolled student, by nobody else.
 *
 * The test site lets Moodle's curl reach the local stack (localhost, its ports) for this spec only;
 * the plugin keeps Moodle's curl security settings as they are.
 */
import { readFileSync } from 'node:fs';
import type { DevVideo } from '../../common/contracts.ts';
import { SPOKEN_TITLE } from '../stack/stack.ts';
import { MEDIA_URL } from './helpers.ts';
import { expect, login, phpProblems, session, skipWithoutMoodle, test, type User } from './moodle.ts';

skipWithoutMoodle();
test.describe.configure({ mode: 'serial' });

const WORD = 'eigenvectors';
/** Said at 42 s of the spoken clip (its one transcript window starts at 0:00), never in Lecture 5. */
const SPOKEN_WORD = 'example';
const ENGINES_HERE = ['pocketsphinx', 'transcribe'] as const;
const spokenPage = (asr: string) => `Week 6: spoken, captions by ${asr}`;
let pageUrl = '';
const spokenUrls: Record<string, string> = {};
let previous: Record<string, string | null> = {};

test.beforeAll(async ({ moodle, request }) => {
  const videos = (await (await request.get(`${MEDIA_URL}/_dev/videos`)).json()) as DevVideo[];
  const lecture = videos.find((v) => v.title === 'Lecture 5 (captions)');
  if (!lecture) throw new Error('the stack has no captioned sample lecture (Lecture 4)');
  ({ previous } = await moodle.helper<{ previous: Record<string, string | null> }>({
    command: 'config',
    values: { enableglobalsearch: '1', searchengine: 'simpledb', curlsecurityblockedhosts: '', curlsecurityallowedport: '' },
  }));
  // Made as the admin through Moodle's API: its course_module_created scan writes the embed record.
  const made = await moodle.helper<{ url: string }>({
    command: 'page', course: 'HLSA', name: 'Week 4: eigen things',
    html: `<p><a href="${lecture.src}">Lecture 4</a></p>`,
  });
  pageUrl = made.url;
  for (const asr of ENGINES_HERE) {
    const spoken = videos.find((v) => v.title === `${SPOKEN_TITLE} (${asr})`);
    if (!spoken) throw new Error(`the stack has no spoken sample lecture captioned by ${asr}`);
    spokenUrls[asr] = (await moodle.helper<{ url: string }>({ command: 'page', course: 'HLSA', name: spokenPage(asr), html: `<p><a href="${spoken.src}">Spoken lecture</a></p>` })).url;
  }
});

test.afterAll(async ({ moodle }) => {
  const restore = Object.fromEntries(Object.entries(previous).filter(([, value]) => value !== null));
  if (Object.keys(restore).length) await moodle.helper({ command: 'config', values: restore });
});

test('the search indexer reads the transcript; the enrolled student finds the word and the hit opens the page at its time', async ({ moodle, page }) => {
  const logBefore = readFileSync(moodle.errorLog, 'utf8').length;
  // Two runs, as cron makes them a minute apart: the first reads the transcript; core's indexer skips
  // documents changed in the last 5 s (manager::INDEXING_DELAY), so the next run indexes its windows.
  const indexer = () => moodle.php('admin/cli/scheduled_task.php', ['--execute=\\core\\task\\search_index_task', '--force']);
  const first = await indexer();
  expect(first).toMatch(/Processing area: Lecture transcripts/);
  expect(first).not.toMatch(/was not read/);
  await new Promise((resolve) => setTimeout(resolve, 6_000));
  const second = await indexer();
  // Lecture 5's transcript: two windows (0:01 and 1:01) of its page; each spoken lecture's: one.
  expect(second).toMatch(/Processing area: Lecture transcripts\s+Processed 4 records containing 4 documents/);
  expect(phpProblems(readFileSync(moodle.errorLog, 'utf8').slice(logBefore))).toEqual([]);

  await login(page, moodle, 'student1');
  await page.goto(`${moodle.url}/search/index.php?q=${WORD}`);
  const title = page.locator('.result-title a', { hasText: 'Week 4: eigen things, at 1:01' });
  const result = page.locator('.result', { has: title });
  await expect(result).toHaveCount(1);
  const hit = result.locator('.result-title a');
  await expect(result.locator('.result-content')).toContainText(`They are the ${WORD}`);
  // Markup in the transcript is text: the teacher's "<A - λI> v = 0" shows as written.
  await expect(result.locator('.result-content')).toContainText('<A - λI> v = 0');
  expect(await hit.getAttribute('href')).toBe(`${pageUrl}#t=61`);
  await hit.click();
  await expect(page).toHaveURL(`${pageUrl}#t=61`);
  await expect(page.locator('span.filter_hlsgate')).toHaveCount(1);

  // A word said in the spoken clip: one hit per engine's lecture, each opening its page at its window.
  await page.goto(`${moodle.url}/search/index.php?q=${SPOKEN_WORD}`);
  for (const asr of ENGINES_HERE) {
    const link = page.locator('.result-title a', { hasText: `${spokenPage(asr)}, at 0:00` });
    await expect(link, `the hit in the lecture captioned by ${asr}`).toHaveCount(1);
    expect(await link.getAttribute('href')).toBe(`${spokenUrls[asr]}#t=0`);
    await expect(page.locator('.result', { has: link }).locator('.result-content')).toContainText(SPOKEN_WORD);
  }
  await expect(page.locator('.result')).toHaveCount(ENGINES_HERE.length);
});

for (const user of ['studentb', 'outsider', 'guest', 'anonymous'] as User[]) {
  test(`${user} finds nothing`, async ({ moodle }) => {
    const s = await session(moodle, user);
    try {
      const response = await s.request.get(`/search/index.php?q=${WORD}`);
      const html = await response.text();
      expect(html).not.toContain('Week 4: eigen things');
      expect(html).not.toContain(`They are the ${WORD}`);
      expect(html).not.toContain('#t=61');
      const spoken = await (await s.request.get(`/search/index.php?q=${SPOKEN_WORD}`)).text();
      expect(spoken).not.toContain('Week 6: spoken');
      expect(spoken).not.toMatch(/class="result-title"/);
    } finally {
      await s.dispose();
    }
  });
}
