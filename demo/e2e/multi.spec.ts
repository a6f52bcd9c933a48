/**
 * Three players on one page — Lecture 1, Lecture 2, Lecture 1 again: all play; each lecture has its
 * own cookies (its own Path); the two players of Lecture 1 share one session request.
 */
import { ENGINES, expect, onEngine, setCookieTtl, test } from './helpers.ts';

test.beforeEach(async ({ request }) => setCookieTtl(request, 600));

test('three players on one page: all play, each video with its own cookie path', ENGINES, async ({ page, context, engine }) => {
  const sessionPosts: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/_auth/session')) sessionPosts.push(r.url());
  });
  await page.goto(onEngine('/multi.html?autoplay=1', engine));
  await page.waitForFunction(() => (window.hlsgatePlayers?.length ?? 0) === 3);
  await page.waitForFunction(() => window.hlsgatePlayers!.every((p) => p.currentTime() > 2), undefined, { timeout: 45_000 });

  const players = await page.evaluate(() =>
    window.hlsgatePlayers!.map((p) => ({ res: p.video.res, resource: p.stats().session?.resource, errors: p.log.filter((e) => e.type === 'error' || e.type === 'hlsgate:error').length })),
  );
  expect(players.map((p) => p.errors)).toEqual([0, 0, 0]);
  expect(players[0]!.res).toBe(players[2]!.res);
  expect(players[0]!.res).not.toBe(players[1]!.res);

  for (const res of [players[0]!.res, players[1]!.res]) {
    const path = new URL(res).pathname;
    const cookies = (await context.cookies(res)).filter((c) => c.name.startsWith('CloudFront-'));
    expect(cookies.map((c) => c.name).sort()).toEqual(['CloudFront-Key-Pair-Id', 'CloudFront-Policy', 'CloudFront-Signature']);
    expect(cookies.every((c) => c.path === path && c.httpOnly)).toBe(true);
  }
  // One request per lecture: Lecture 1's two players shared theirs.
  expect(sessionPosts).toHaveLength(2);
  const joined = await page.evaluate(() => window.hlsgatePlayers!.map((p) => p.log.find((e) => e.type === 'hlsgate:session')?.detail?.joined));
  expect(joined.filter(Boolean)).toHaveLength(1);
  // Even the player that joined (and never saw a token) draws the viewer watermark.
  await expect(page.locator('.hlsgate-watermark')).toHaveCount(3);
});
