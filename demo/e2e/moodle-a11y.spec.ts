/**
 * axe-core (WCAG 2.2 A/AA) on a real Moodle page with two players, at desktop and phone widths:
 * no serious or critical violation, on the page as a student sees it once the players are built.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { DevVideo } from '../../common/contracts.ts';
import { MEDIA_URL } from './helpers.ts';
import { expect, lecturePath, login, skipWithoutMoodle, test } from './moodle.ts';

skipWithoutMoodle();
test.describe.configure({ mode: 'serial' });

let pageUrl = '';

for (const [label, viewport] of [['desktop', { width: 1280, height: 860 }], ['phone', { width: 390, height: 844 }]] as const) {
  test(`a Moodle page with players has no serious or critical WCAG 2.2 A/AA violation (${label})`, async ({ moodle, page, request }) => {
    if (!pageUrl) {
      const videos = (await (await request.get(`${MEDIA_URL}/_dev/videos`)).json()) as DevVideo[];
      pageUrl = (await moodle.helper<{ url: string }>({
        command: 'page',
        course: 'HLSA',
        name: 'Accessible lectures',
        html: `<p><a href="@@PLUGINFILE@@/lecture1.m3u8">Lecture 1</a></p><p><a href="${videos.find((v) => v.title === 'Lecture 2')!.src}">Lecture 2</a></p>`,
        files: [{ filename: 'lecture1.m3u8', mode: 'alias', path: lecturePath(moodle, 'Lecture 1') }],
      })).url;
    }
    await page.setViewportSize(viewport);
    await login(page, moodle, 'student1');
    await page.goto(pageUrl);
    await expect(page.locator('span.filter_hlsgate[data-hlsgate-ready="1"]')).toHaveCount(2, { timeout: 60_000 });
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
    const blocking = results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`);
    expect(blocking).toEqual([]);
  });
}
