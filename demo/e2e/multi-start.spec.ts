/**
 * A viewer presses play before the player has its source: its session (or the one it joined, of
 * another player of the same lecture) is still in flight. Every way of starting — a click on the
 * play button, the keyboard (Tab to it, Space or Enter), a script's `play()` on the media element
 * (what the Moodle spec does, and the browser's own media controls) — must end in playback, for
 * players of the same lecture and of different ones, started together, one after another, or
 * while another player's refresh is in flight.
 *
 * The session requests are held back (Playwright's route on the real request, released by the
 * test), so "in flight" is certain, not a race. Issue 16: on the old code a play pressed in that
 * window was lost (video.js: VHS with preload "none" waited for a play event that had already
 * fired, or the new source reset the element to paused; hls.js: startLoad ran before loadSource).
 */
import type { Page } from '@playwright/test';
import { ENGINES, MEDIA_URL, expect, onEngine, setCookieTtl, test } from './helpers.ts';
import type { Engine } from '../src/player-setup.ts';

test.beforeEach(async ({ request }) => setCookieTtl(request, 600));
test.afterEach(async ({ request }) => setCookieTtl(request, 600));

/** Holds the page's `POST /_auth/session` while `holding`; `release()` lets the held ones go. */
async function holdSessions(page: Page) {
  const waiting: Array<() => void> = [];
  const state = { holding: true, posts: 0 };
  await page.route(`${MEDIA_URL}/_auth/session`, async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    state.posts += 1;
    if (state.holding) await new Promise<void>((resolve) => waiting.push(resolve));
    await route.continue();
  });
  return {
    held: () => waiting.length,
    posts: () => state.posts,
    hold: () => void (state.holding = true),
    release: () => {
      state.holding = false;
      for (const go of waiting.splice(0)) go();
    },
    waitHeld: (n: number) => expect.poll(() => waiting.length, { timeout: 20_000 }).toBe(n),
  };
}

const card = (page: Page, i: number) => page.locator('#players > section').nth(i);
/** The button a viewer presses to play: video.js's big play button, the hls.js bar's play button. */
const playSelector = (engine: Engine) => (engine === 'hlsjs' ? '.hlsgate-play' : '.vjs-big-play-button');

/** Tab until the focus is on player `i`'s play button, then press `key`. */
async function pressWithKeyboard(page: Page, engine: Engine, i: number, key: 'Space' | 'Enter'): Promise<void> {
  const selector = `#players > section:nth-child(${i + 1}) ${playSelector(engine)}`;
  for (let n = 0; n < 80; n += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) {
      await page.keyboard.press(key);
      return;
    }
  }
  throw new Error(`Tab never reached ${selector}`);
}

async function openPlayers(page: Page, engine: Engine): Promise<void> {
  await page.goto(onEngine('/multi.html', engine));
  await page.waitForFunction(() => (window.hlsgatePlayers?.length ?? 0) === 3);
}

/** Waits until each of the players `which` has played past `seconds`. */
async function played(page: Page, which: number[], seconds = 1): Promise<void> {
  await page.waitForFunction(
    ({ which, seconds }) => which.every((i) => window.hlsgatePlayers![i]!.currentTime() > seconds),
    { which, seconds },
    { timeout: 45_000, polling: 250 },
  );
}

const errors = (page: Page) =>
  page.evaluate(() => window.hlsgatePlayers!.map((p) => p.log.filter((e) => e.type === 'error' || e.type === 'hlsgate:error').map((e) => e.detail?.message)));

test('pressed while the sessions are in flight — a click, Space, Enter — every player plays', ENGINES, async ({ page, engine }) => {
  const sessions = await holdSessions(page);
  await openPlayers(page, engine);
  // Lecture 1 (players 0 and 2) shares one request, Lecture 2 (player 1) has its own: both held.
  await sessions.waitHeld(2);
  await card(page, 0).locator(playSelector(engine)).click();
  await pressWithKeyboard(page, engine, 1, 'Space');
  await pressWithKeyboard(page, engine, 2, 'Enter');
  sessions.release();
  await played(page, [0, 1, 2]);
  expect(sessions.posts()).toBe(2);
  expect(await errors(page)).toEqual([[], [], []]);
});

test('a script plays the media elements while the sessions are in flight (the Moodle spec’s way): every player plays', ENGINES, async ({ page, engine }) => {
  const sessions = await holdSessions(page);
  await openPlayers(page, engine);
  await sessions.waitHeld(2);
  await page.evaluate(() => {
    for (const p of window.hlsgatePlayers!) {
      p.media.muted = true;
      void p.media.play().catch(() => undefined);
    }
  });
  sessions.release();
  await played(page, [0, 1, 2]);
  expect(sessions.posts()).toBe(2);
  expect(await errors(page)).toEqual([[], [], []]);
});

test('one after another: another lecture pressed while the first one’s session is in flight, then the same lecture again', ENGINES, async ({ page, engine }) => {
  // One column, one player in view (and half a screen ahead): the others start when scrolled to.
  await page.setViewportSize({ width: 800, height: 360 });
  const sessions = await holdSessions(page);
  await openPlayers(page, engine);
  await sessions.waitHeld(1);
  await card(page, 0).locator(playSelector(engine)).click();
  // Lecture 2 comes into view and is pressed by keyboard while Lecture 1's session is still held.
  await card(page, 1).scrollIntoViewIfNeeded();
  await sessions.waitHeld(2);
  await pressWithKeyboard(page, engine, 1, 'Space');
  sessions.release();
  await played(page, [0, 1]);
  // Lecture 1's second player takes the session the first one has: pressed the moment it is in view.
  await card(page, 2).locator(playSelector(engine)).click();
  await played(page, [2]);
  expect(sessions.posts()).toBe(2);
  expect(await errors(page)).toEqual([[], [], []]);
});

test('while another player’s refresh is in flight: a player of the same lecture joins it and plays', ENGINES, async ({ page, engine, request }) => {
  await page.setViewportSize({ width: 800, height: 360 });
  // 10-s cookies (the shortest the stack allows): the playing player refreshes every 3–5 s.
  await setCookieTtl(request, 10);
  const sessions = await holdSessions(page);
  sessions.release();
  await openPlayers(page, engine);
  await card(page, 0).locator(playSelector(engine)).click();
  await played(page, [0]);
  // Hold the next refresh of Lecture 1, then bring its second player (never started) into view:
  // its first session is that refresh, still in flight, when the viewer presses play.
  const before = sessions.posts();
  sessions.hold();
  await sessions.waitHeld(1);
  expect(sessions.posts()).toBe(before + 1);
  await card(page, 2).scrollIntoViewIfNeeded();
  await card(page, 2).locator(playSelector(engine)).click();
  sessions.release();
  await played(page, [2]);
  const joined = await page.evaluate(() => window.hlsgatePlayers![2]!.log.find((e) => e.type === 'hlsgate:session')?.detail?.joined);
  expect(joined, 'the second player rode on the refresh in flight').toBe(true);
  expect(await errors(page)).toEqual([[], [], []]);
});
