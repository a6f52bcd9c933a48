/**
 * Browser tests (demo/e2e/) in Debian's Chromium against the local stack, which Playwright starts
 * through demo/stack/start.ts (the first start generates and ingests the sample lectures: minutes)
 * or reuses when it already runs (not on CI). One worker per stack: the tests change the stack's
 * cookie lifetime and stop its auth server, which every page of that stack shares.
 *
 * Lanes: `npm test` runs the specs in two Playwright runs at once (scripts/e2e.sh), each on a
 * stack of its own (its own ports and data dir), because most tests wait on the clock (cookies
 * expiring, soaks) rather than on the CPU. HLSGATE_E2E_LANE=a runs the Moodle specs (their Moodles
 * are configured against lane a's stack) and the few player specs in LANE_A; =b the rest. Unset:
 * every spec, on one stack, as a developer runs `npx playwright test`.
 */
import { defineConfig } from '@playwright/test';
import type { EngineOptions } from './demo/e2e/helpers.ts';
import type { MoodleOptions } from './demo/e2e/moodle.ts';

// The stack's ports follow HLSGATE_MEDIA_PORT / HLSGATE_DEMO_PORT, so two checkouts can run their
// browser tests side by side.
const MEDIA_URL = `http://localhost:${process.env.HLSGATE_MEDIA_PORT ?? '8787'}`;
const DEMO_URL = `http://localhost:${process.env.HLSGATE_DEMO_PORT ?? '5173'}`;
// The Moodles of the Moodle tests (demo/e2e/moodle.ts: 4.5 on this port, 5.1 on the next): the
// stack lets their origins in (HLSGATE_MOODLE_URL, HLSGATE_MORE_MOODLE_URLS).
const MOODLE_PORT = Number(process.env.HLSGATE_MOODLE_PORT ?? Number(process.env.HLSGATE_DEMO_PORT ?? '5173') + 1);
const MOODLE_URL = `http://localhost:${MOODLE_PORT}`;
const MOODLE_51_URL = `http://localhost:${MOODLE_PORT + 1}`;
// The page that stands for the Moodle App (demo/e2e/moodle-app.spec.ts), on 127.0.0.1: another site
// than the media host's (localhost), so its cookies would be third-party there, as in the app.
const APP_PORT = Number(process.env.HLSGATE_APP_PORT ?? MOODLE_PORT + 2);
const APP_URL = `http://127.0.0.1:${APP_PORT}`;

const LANE = process.env.HLSGATE_E2E_LANE;
if (LANE !== undefined && LANE !== 'a' && LANE !== 'b') throw new Error(`HLSGATE_E2E_LANE must be a or b (or unset for every spec), not ${JSON.stringify(LANE)}`);
/**
 * Lane a: every Moodle spec (one Moodle site per branch, so one lane) and the player's axe checks,
 * which bring the two lanes' times close (measured with both at once: lane a 1,417 s and lane b
 * 1,186 s with lean, multi and progress in a; those three, about 120 s, moved to b).
 */
const LANE_A = /(^|[\\/])(moodle-[^\\/]*|a11y)\.spec\.ts$/;
const laneFilter = LANE === 'a' ? { testMatch: LANE_A } : LANE === 'b' ? { testIgnore: LANE_A } : {};

export default defineConfig<EngineOptions & MoodleOptions>({
  testDir: 'demo/e2e',
  // Each lane's own: Playwright empties its output folder when it starts.
  outputDir: LANE ? `test-results/lane-${LANE}` : 'test-results',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 4 * 60_000,
  expect: { timeout: 20_000 },
  // Says in one line when there is no Moodle source (the Moodle tests are then skipped).
  ...(LANE === 'b' ? {} : { globalSetup: './demo/e2e/moodle-global-setup.ts' }),
  reporter: process.env.CI ? [['list'], ['json', { outputFile: `test-results/e2e${LANE ? `-${LANE}` : ''}.json` }]] : [['list']],
  use: {
    baseURL: DEMO_URL,
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 860 },
    // A failed test keeps its trace: every action's DOM snapshot, the network and the console. Not
    // its screencast: encoding a screenshot of every frame tripled the browser's CPU time while a
    // video played (measured with process accounting, 45 s of Lecture 1: 1.23 CPU-minutes with
    // screenshots, 0.47 without, 0.38 with no trace), and on two cores the browser tests are bound
    // by the CPU.
    trace: { mode: 'retain-on-failure', screenshots: false, snapshots: true, sources: true },
    actionTimeout: 15_000,
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  // The player's tests run on video.js; those tagged @engines run on hls.js too. The Moodle specs
  // run on Moodle 4.5 in the videojs project; the access suite runs on Moodle 5.1 as well (its own
  // project, its own site and port): who gets a token is the part that depends on Moodle's
  // enrolment, guest and context APIs. The rest (TinyMCE embeds, playback, progress, report, lean
  // page, accessibility) runs on 4.5 only: it is the player in a page, the same on both, and a second
  // Moodle for it would cost minutes (testing/moodle/README.md).
  projects: [
    { name: 'videojs', use: { engine: 'videojs', moodleBranch: '405' }, ...laneFilter },
    { name: 'hlsjs', use: { engine: 'hlsjs' }, grep: /@engines/, ...laneFilter },
    ...(LANE === 'b' ? [] : [{ name: 'moodle-5.1', use: { engine: 'videojs' as const, moodleBranch: '501' as const }, testMatch: /moodle-access\.spec\.ts$/ }]),
  ],
  webServer: {
    command: 'npx tsx demo/stack/start.ts',
    url: `${MEDIA_URL}/_dev/ready`,
    timeout: 600_000,
    reuseExistingServer: !process.env.CI,
    stdout: 'ignore',
    stderr: 'pipe',
    // One JSON line per request would bury the test report; warnings and errors still show.
    env: { HLSGATE_LOG_LEVEL: process.env.HLSGATE_LOG_LEVEL ?? 'warn', HLSGATE_MOODLE_URL: MOODLE_URL, HLSGATE_MORE_MOODLE_URLS: MOODLE_51_URL, HLSGATE_APP_ORIGINS: APP_URL },
  },
});
