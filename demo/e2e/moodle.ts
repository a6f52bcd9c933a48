/**
 * What the Moodle browser tests (demo/e2e/moodle-*.spec.ts) share: a worker-scoped `moodle`
 * fixture — the harness's real Moodle (testing/moodle/), configured against the local stack that
 * Playwright's webServer runs, with the stack's published playlists in its File system repository
 * — and helpers to log in, read a page's players and call the web service as a given user.
 *
 * Which Moodle: the worker option `moodleBranch` (405 = 4.5, 501 = 5.1), set per Playwright project
 * (playwright.config.ts: the access suite runs on both, the other Moodle specs on 4.5). Each
 * branch's Moodle has its own port: HLSGATE_MOODLE_PORT (default HLSGATE_DEMO_PORT + 1) for 4.5,
 * the next one for 5.1.
 *
 * A spec starts with `skipWithoutMoodle()`: where the project's Moodle has no source, its tests
 * are skipped with the harness's one-line reason, and the other browser tests run.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test as base, expect, request as playwrightRequest, type APIRequestContext, type BrowserContext, type Page } from '@playwright/test';
import { BRANCHES, findMoodleSources, type Branch } from '../../testing/moodle/source.ts';
import { cacheRoot, startMoodle, type Manifest, type MoodleSite } from '../../testing/moodle/site.ts';
import { loadOrCreateDevKeys } from '../stack/keys.ts';
import { DEFAULT_DATA_DIR, moodleFilterSettings } from '../stack/stack.ts';
import { MEDIA_URL } from './helpers.ts';

/** The Moodles' ports: the stack must know their origins before it starts (playwright.config.ts passes them). */
export const MOODLE_PORT = Number(process.env.HLSGATE_MOODLE_PORT ?? Number(process.env.HLSGATE_DEMO_PORT ?? '5173') + 1);
export const moodlePort = (branch: Branch) => MOODLE_PORT + Object.keys(BRANCHES).indexOf(branch);
export const MOODLE_URL = `http://localhost:${MOODLE_PORT}`;

/** The setting and the cache only: Playwright's global setup asked the registry already (and kept what it served). */
const lookups = new Map(findMoodleSources({ cache: cacheRoot(), composer: false }).map((l) => [l.branch, l]));

export interface MoodleOptions {
  /** The Moodle branch of the project's Moodle tests. */
  moodleBranch: Branch;
}

export type User = 'teacher' | 'student1' | 'student2' | 'studentb' | 'outsider' | 'guest' | 'anonymous';

export const test = base.extend<object, MoodleOptions & { moodle: MoodleSite }>({
  moodleBranch: ['405', { option: true, scope: 'worker' }],
  moodle: [
    async ({ moodleBranch }, use) => {
      const result = await startMoodle({
        branch: moodleBranch, port: moodlePort(moodleBranch), composer: false,
        log: (line) => process.stderr.write(`moodle ${BRANCHES[moodleBranch].name}: ${line}\n`),
      });
      if (!result.available) throw new Error(result.reason);
      const site = result.site;
      try {
        const dataDir = resolve(process.env.HLSGATE_DATA_DIR ?? DEFAULT_DATA_DIR);
        await site.configureFilter({ ...moodleFilterSettings({ mediaUrl: MEDIA_URL, moodleUrl: site.url, keys: loadOrCreateDevKeys(dataDir) }) });
        site.publishPlaylists(join(dataDir, 'repository'));
        process.stderr.write(`moodle ${BRANCHES[moodleBranch].name}: ${site.release} at ${site.url} up in ${(site.timings.total! / 1000).toFixed(1)} s ${JSON.stringify(site.timings)}\n`);
        await use(site);
      } finally {
        await site.stop();
      }
    },
    { scope: 'worker', timeout: 20 * 60_000 },
  ],
});
export { expect };

/** Skips the file's tests where the project's Moodle has no source, with the harness's one line (call it first in a spec). */
export function skipWithoutMoodle(): void {
  test.beforeAll(({ moodleBranch }) => {
    const lookup = lookups.get(moodleBranch);
    test.skip(!lookup?.found, lookup && !lookup.found ? lookup.reason : `no lookup for ${moodleBranch}`);
  });
}

/** Logs `page` in through Moodle's login form (the guest through its guest button; anonymous: nothing). */
export async function login(page: Page, moodle: MoodleSite, user: User): Promise<void> {
  if (user === 'anonymous') return;
  // More tries when Moodle says "session timed out" or "invalid login": the login page's own parallel requests can
  // start a second session before the first one's cookie is set, which voids the form's logintoken.
  // Each try loads the form afresh and waits until the page's own requests are done, so the
  // session cookie (and with it the logintoken) is settled before the form is sent.
  for (let attempt = 1; ; attempt += 1) {
    await page.goto(`${moodle.url}/login/index.php`);
    await page.waitForLoadState('networkidle');
    if (user === 'guest') {
      await page.locator('#loginguestbtn').click();
    } else {
      await page.locator('#username').fill(user);
      await page.locator('#password').fill(moodle.manifest.password);
      await page.locator('#loginbtn').click();
    }
    await page.waitForLoadState();
    if (!page.url().includes('/login/index.php') || attempt === 3) break;
  }
  await expect(page).not.toHaveURL(/\/login\/index\.php/);
}

/** A session of `user` outside the browser: its cookie jar and sesskey, for lib/ajax/service.php. */
export interface MoodleSession {
  user: User;
  request: APIRequestContext;
  sesskey: string;
  dispose(): Promise<void>;
}

const sesskeyOf = (html: string) => /"sesskey":"([^"]+)"/.exec(html)?.[1];

export async function session(moodle: MoodleSite, user: User): Promise<MoodleSession> {
  const request = await playwrightRequest.newContext({ baseURL: moodle.url });
  const loginPage = await (await request.get('/login/index.php')).text();
  if (user !== 'anonymous') {
    const logintoken = /name="logintoken" value="([^"]+)"/.exec(loginPage)?.[1] ?? '';
    const form = user === 'guest' ? { username: 'guest', password: 'guest', logintoken } : { username: user, password: moodle.manifest.password, logintoken };
    const response = await request.post('/login/index.php', { form });
    expect(response.url(), `login of ${user}`).not.toContain('/login/index.php');
  }
  const home = await (await request.get(user === 'anonymous' ? '/login/index.php' : '/user/profile.php')).text();
  const sesskey = sesskeyOf(home);
  if (!sesskey) throw new Error(`no sesskey on the page for ${user}`);
  return { user, request, sesskey, dispose: () => request.dispose() };
}

export interface ServiceAnswer {
  status: number;
  body: string;
  /** The first call's answer: `{error: false, data}` or `{error: true, exception}`. */
  result?: { error: boolean; data?: Record<string, unknown>; exception?: { errorcode?: string; message?: string } };
}

/** Calls `methodname` through lib/ajax/service.php as the session's user, as core/ajax does. */
export async function callService(s: MoodleSession, methodname: string, args: unknown): Promise<ServiceAnswer> {
  const response = await s.request.post(`/lib/ajax/service.php?sesskey=${encodeURIComponent(s.sesskey)}&info=${methodname}`, {
    data: JSON.stringify([{ index: 0, methodname, args }]),
    headers: { 'Content-Type': 'application/json' },
  });
  const body = await response.text();
  let result: ServiceAnswer['result'];
  try {
    const parsed = JSON.parse(body) as unknown;
    result = Array.isArray(parsed) ? (parsed[0] as ServiceAnswer['result']) : (parsed as ServiceAnswer['result']);
  } catch {
    result = undefined;
  }
  return { status: response.status(), body, ...(result ? { result } : {}) };
}

/** The args of every filter_hlsgate_get_playback call a page makes, and (`requests`) in how many HTTP requests. */
export function recordPlaybackCalls(page: Page): Array<Record<string, unknown>> & { requests: number } {
  const calls = Object.assign([] as Array<Record<string, unknown>>, { requests: 0 });
  page.on('request', (request) => {
    if (!request.url().includes('/lib/ajax/service.php')) return;
    const mine = (JSON.parse(request.postData() ?? '[]') as Array<{ methodname: string; args: Record<string, unknown> }>)
      .filter((call) => call.methodname === 'filter_hlsgate_get_playback');
    if (mine.length) calls.requests += 1;
    for (const call of mine) calls.push(call.args);
  });
  return calls;
}

/** The CloudFront cookies the browser holds (any path: they are scoped to /lectures/<dir>/). */
export async function mediaCookies(context: BrowserContext): Promise<string[]> {
  return (await context.cookies()).map((c) => c.name).filter((name) => name.startsWith('CloudFront-'));
}

/** Lines of PHP's error log that are warnings, notices, deprecations or errors. */
export function phpProblems(log: string): string[] {
  return log.split('\n').filter((line) => /PHP (Warning|Notice|Deprecated|Fatal|Parse error)|Debugging:|Exception/i.test(line));
}

/** A published lecture's path in the File system repository, e.g. `/Demo course/2026-01-12 09.15 - Lecture 1.m3u8`. */
export function lecturePath(moodle: MoodleSite, title: string): string {
  const folder = join(moodle.dataroot, 'repository', moodle.manifest.repository.folder, 'Demo course');
  const name = readdirSync(folder).find((file) => file.endsWith(` - ${title}.m3u8`));
  if (!name) throw new Error(`${title} is not published in ${folder}`);
  return `/Demo course/${name}`;
}

export type { Manifest, MoodleSite };
