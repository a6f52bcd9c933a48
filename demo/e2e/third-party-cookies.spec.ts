/**
 * Query signing where cookies cannot work: Chromium with third-party cookies blocked (a profile whose
 * preferences say so, as a viewer's setting would), the page on http://127.0.0.1:<demo port> and the
 * media on http://localhost:<media port> — two different sites (neither host has a registrable
 * domain in common with the other), so every cookie of the media host is a third-party one.
 *
 * (`document.hasStorageAccess()` in a media-host frame was tried as a proof of the blocking: it
 * answers false in a default profile too, so it proves nothing and is not asserted. What the test
 * holds to is what matters: not one media request carries a cookie.)
 *
 * The 12-second fMP4 lecture (init segments too) with 10-second signatures, so that it ends only
 * through refreshes; on both engines:
 * - by default (cookie mode) the first media request is refused, the player switches to query mode
 *   once, silently, says why in stats(), and plays to the end;
 * - with `signing: 'query'` it never meets a refusal.
 * Cost: about 20 s per run, four runs.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page, type Request } from '@playwright/test';
import type { DevVideo } from '../../common/contracts.ts';
import type { Engine } from '../src/player-setup.ts';
import { ENGINES, MEDIA_URL, expect, log, ofType, onEngine, setCookieTtl, stats, test } from './helpers.ts';

const PAGE_URL = `http://127.0.0.1:${process.env.HLSGATE_DEMO_PORT ?? '5173'}`;
const LECTURE = 'Lecture 3 (fMP4)';

test.beforeEach(async ({ request }) => setCookieTtl(request, 10));
test.afterEach(async ({ request }) => setCookieTtl(request, 600));

/** A Chromium profile that blocks third-party cookies, as the viewer's "Block third-party cookies" does. */
async function blockingContext(launchOptions: Parameters<typeof chromium.launchPersistentContext>[1]): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'hlsgate-3pc-'));
  mkdirSync(join(profile, 'Default'));
  // cookie_controls_mode 1: block third-party cookies (Chromium's CookieControlsMode::kBlockThirdParty).
  writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify({ profile: { cookie_controls_mode: 1, block_third_party_cookies: true } }));
  const context = await chromium.launchPersistentContext(profile, { ...launchOptions, headless: true, viewport: { width: 1280, height: 860 } });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

interface MediaRequest {
  path: string;
  query: string;
  cookie: string | undefined;
  status: number | undefined;
}

/** Every media request (playlist, init segment, segment) the page makes, as sent, with its answer's status. */
function recordMedia(page: Page): MediaRequest[] {
  const seen: MediaRequest[] = [];
  page.on('requestfinished', (request: Request) => {
    void (async () => {
      const url = new URL(request.url());
      if (url.origin !== MEDIA_URL || !url.pathname.startsWith('/lectures/') || request.method() === 'OPTIONS') return;
      const headers = await request.allHeaders();
      seen.push({ path: url.pathname, query: url.search, cookie: headers.cookie, status: (await request.response())?.status() });
    })();
  });
  return seen;
}

/**
 * Makes the engine fetch again after everything is buffered: on hls.js the viewer picks the lowest
 * rung (hls.js flushes and loads it); VHS does not reload a rung once its loaders reached the end of
 * a short lecture, so there the master playlist is asked for through `tech.vhs.xhr`, the function VHS
 * makes every request with (its hooks, and the 403 net, included).
 */
async function fetchAgain(page: Page, engine: Engine): Promise<void> {
  if (engine === 'hlsjs') {
    const select = page.getByRole('combobox', { name: 'Quality' });
    await select.selectOption({ index: (await select.locator('option').count()) - 1 });
    return;
  }
  const status = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const demo = window.hlsgateDemo!;
        demo.player.tech(true).vhs.xhr({ uri: demo.video.src, requestType: 'hlsgate-test' }, (_error: unknown, request: { status: number }) => resolve(request.status));
      }),
  );
  expect(status).toBe(200);
}

async function playToTheEnd(page: Page): Promise<void> {
  await page.waitForFunction(() => window.hlsgateDemo?.media.ended === true, undefined, { timeout: 45_000, polling: 250 });
}

test.describe('third-party cookies blocked, media on another site', () => {
  test('cookie mode switches to query signing by itself, once, and the lecture plays to the end', ENGINES, async ({ engine, launchOptions, request }) => {
    const videos = (await (await request.get(`${MEDIA_URL}/_dev/videos`)).json()) as DevVideo[];
    const index = videos.findIndex((v) => v.title === LECTURE);
    expect(index).toBeGreaterThanOrEqual(0);
    const { context, close } = await blockingContext(launchOptions);
    try {
      const page = await context.newPage();
      const consoleLines: string[] = [];
      page.on('console', (message) => consoleLines.push(message.text()));
      const media = recordMedia(page);
      await page.goto(`${PAGE_URL}${onEngine(`/?autoplay=1&video=${index}`, engine)}`);
      // After the first refresh, the engine fetches again: under the new query.
      await page.waitForFunction(() => window.hlsgateDemo!.log.some((e) => e.type === 'hlsgate:refresh' && e.detail?.reason !== 'request'), undefined, {
        timeout: 20_000,
        polling: 100,
      });
      await fetchAgain(page, engine);
      await playToTheEnd(page);

      const entries = await log(page);
      const switches = ofType(entries, 'hlsgate:signing');
      expect(switches).toHaveLength(1);
      expect(switches[0]!.detail).toMatchObject({ from: 'cookie', to: 'query' });
      const s = await stats(page);
      expect(s.signing).toBe('query');
      expect(s.signingSwitch?.reason).toContain('did not send the cookies');
      expect(consoleLines.filter((l) => l.includes('switched to query signing'))).toHaveLength(1);
      // Silently: nothing shown, nothing dropped; the refreshes kept it going to the end.
      expect(ofType(entries, 'error', 'excludeplaylist')).toEqual([]);
      expect(ofType(entries, 'hlsgate:error').filter((e) => e.detail?.fatal)).toEqual([]);
      expect(ofType(entries, 'hlsgate:refresh').length).toBeGreaterThanOrEqual(2);

      // The media host never got a cookie; after the switch every request was signed and answered,
      // and the signature changed with the refreshes.
      expect(media.every((r) => r.cookie === undefined)).toBe(true);
      const signed = media.filter((r) => r.query.includes('Policy='));
      expect(signed.length).toBeGreaterThan(3);
      expect(signed.every((r) => r.status === 200 || r.status === 206)).toBe(true);
      const refused = media.filter((r) => r.status === 403);
      expect(refused.length).toBeGreaterThanOrEqual(1);
      expect(refused.every((r) => r.query === '')).toBe(true);
      expect(new Set(signed.map((r) => new URLSearchParams(r.query).get('Policy'))).size).toBeGreaterThanOrEqual(2);
      // No signature in what the page logged.
      expect(JSON.stringify(entries)).not.toMatch(/Signature=|Policy=/);
      expect(consoleLines.join('\n')).not.toMatch(/Signature=|Policy=/);
    } finally {
      await close();
    }
  });

  test('signing: "query" plays to the end without a single refusal', ENGINES, async ({ engine, launchOptions, request }) => {
    const videos = (await (await request.get(`${MEDIA_URL}/_dev/videos`)).json()) as DevVideo[];
    const index = videos.findIndex((v) => v.title === LECTURE);
    const { context, close } = await blockingContext(launchOptions);
    try {
      const page = await context.newPage();
      const media = recordMedia(page);
      const sessions: string[] = [];
      page.on('request', (r) => {
        if (r.method() === 'POST' && r.url().endsWith('/_auth/session')) sessions.push(r.postData() ?? '');
      });
      await page.goto(`${PAGE_URL}${onEngine(`/?autoplay=1&signing=query&video=${index}`, engine)}`);
      await playToTheEnd(page);
      const entries = await log(page);
      expect(sessions.length).toBeGreaterThanOrEqual(2);
      expect(new Set(sessions)).toEqual(new Set(['{"mode":"query"}']));
      expect(ofType(entries, 'hlsgate:signing')).toEqual([]);
      expect(ofType(entries, 'hlsgate:retry')).toEqual([]);
      expect((await stats(page)).signing).toBe('query');
      expect(media.length).toBeGreaterThan(3);
      expect(media.every((r) => r.query.includes('Policy=') && r.query.includes('Key-Pair-Id=') && r.status !== 403)).toBe(true);
      // Playlists and init segments resolved against the unsigned URL: one signature per URL, never two.
      expect(media.every((r) => (r.query.match(/Policy=/g) ?? []).length === 1)).toBe(true);
    } finally {
      await close();
    }
  });
});
