/**
 * Benchmark of the filter as the Moodle App meets it (issue 18: "filter() over 1,000 texts stays under
 * 50 ms in all"), run by `npm run bench`:
 *   npx tsx moodle-filter/bench/app-filter.bench.ts
 *
 * In the harness's real Moodle 4.5 (testing/moodle/, HLSGATE_MOODLE_SOURCE; no web server): 1,000
 * texts of one page in the mix of app-filter.php, filtered seven times; the median run is the figure,
 * against the 50 ms target, with the database reads over all runs (tests/mobile_test.php asserts
 * there are none). Printed and written to bench-results/moodle-app-filter.json. Without a Moodle
 * source it says so in one line.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startMoodle } from '../../testing/moodle/site.ts';

const TARGET_MS = 50;
const SCRIPT = fileURLToPath(new URL('app-filter.php', import.meta.url));

const started = await startMoodle({ branch: '405', composer: false, serve: false, log: (line) => process.stderr.write(`moodle: ${line}\n`) });
if (!started.available) {
  console.log(`app-filter bench skipped: ${started.reason}`);
} else {
  const site = started.site;
  try {
    const result = JSON.parse(await site.php(SCRIPT)) as { texts: number; players: number; runsMs: number[]; medianMs: number; dbReads: number };
    const line = `filter() over ${result.texts} texts (${result.players} players) in Moodle ${site.release}: median ${result.medianMs.toFixed(1)} ms ` +
      `(runs ${result.runsMs.map((ms) => ms.toFixed(1)).join(', ')}), target < ${TARGET_MS} ms: ${result.medianMs < TARGET_MS ? 'met' : 'MISSED'} ` +
      `(${(result.medianMs / TARGET_MS * 100).toFixed(0)} % of it); database reads: ${result.dbReads}`;
    console.log(line);
    mkdirSync('bench-results', { recursive: true });
    writeFileSync('bench-results/moodle-app-filter.json', `${JSON.stringify({ ...result, targetMs: TARGET_MS, moodle: site.release }, null, 2)}\n`);
  } finally {
    await site.stop();
  }
}
