/**
 * Browser tests (demo/e2e/) in Debian's Chromium against the local stack, which Playwright starts
 * through demo/stack/start.ts (the first start generates and ingests the sample lectures: minutes)
 * or reuses when it already runs (not on CI). One worker: the tests change the stack's cookie
 * lifetime and stop its auth server, which every page shares.
 */
import { defineConfig } from '@playwright/test';
import type { EngineOptions } from './demo/e2e/helpers.ts';

// The stack's ports follow HLSGATE_MEDIA_PORT / HLSGATE_DEMO_PORT, so two checkouts can run their
// browser tests side by side.
const MEDIA_URL = `http://localhost:${process.env.HLSGATE_MEDIA_PORT ?? '8787'}`;
const DEMO_URL = `http://localhost:${process.env.HLSGATE_DEMO_PORT ?? '5173'}`;
// The Moodle of the Moodle tests (demo/e2e/moodle.ts): the stack lets its origin in (HLSGATE_MOODLE_URL).
const MOODLE_URL = `http://localhost:${process.env.HLSGATE_MOODLE_PORT ?? Number(process.env.HLSGATE_DEMO_PORT ?? '5173') + 1}`;

export default defineConfig<EngineOptions>({
  testDir: 'demo/e2e',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 4 * 60_000,
  expect: { timeout: 20_000 },
  // Says in one line when there is no Moodle source (the Moodle tests are then skipped).
  globalSetup: './demo/e2e/moodle-global-setup.ts',
  reporter: process.env.CI ? [['list'], ['json', { outputFile: 'test-results/e2e.json' }]] : [['list']],
  use: {
    baseURL: DEMO_URL,
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 860 },
    trace: 'retain-on-failure',
    actionTimeout: 15_000,
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  // The player's tests run on video.js; those tagged @engines run on hls.js too.
  projects: [
    { name: 'videojs', use: { engine: 'videojs' } },
    { name: 'hlsjs', use: { engine: 'hlsjs' }, grep: /@engines/ },
  ],
  webServer: {
    command: 'npx tsx demo/stack/start.ts',
    url: `${MEDIA_URL}/_dev/ready`,
    timeout: 600_000,
    reuseExistingServer: !process.env.CI,
    stdout: 'ignore',
    stderr: 'pipe',
    // One JSON line per request would bury the test report; warnings and errors still show.
    env: { HLSGATE_LOG_LEVEL: process.env.HLSGATE_LOG_LEVEL ?? 'warn', HLSGATE_MOODLE_URL: MOODLE_URL },
  },
});
