/**
 * The root Vite config is the unit-test config (vitest) for every part. The demo page and the
 * player's library builds have their own configs (demo/vite.config.ts, player/vite.config.ts).
 */
import { defineConfig } from 'vite';

export default defineConfig({
  test: {
    include: ['{common,testing,server,ingest,player,demo,moodle-filter}/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'demo/e2e/**', 'dist/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Tests start real servers and ffmpeg; two cores: keep the pool small.
    maxWorkers: 2,
  },
});
