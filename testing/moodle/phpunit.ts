/**
 * Moodle's own PHPUnit for filter_hlsgate, inside the harness's site, with Debian's phpunit (9.6)
 * standing in for Composer's (the shim in site.ts: vendor/autoload.php → /usr/share/php/PHPUnit).
 * The test site (util.php --install, phpu_ tables) is built with the site and restored with it, so
 * a run costs the restore and the tests.
 *
 * Without arguments it runs the plugin's suite (tests/external/*, tests/text_filter_test.php and
 * the rest of its *_test.php), core's privacy provider checks for it, and core's checks of every
 * web service definition (ours included). Arguments are passed to phpunit instead.
 */
import { execa } from 'execa';
import { PHP_INI, startMoodle } from './site.ts';

export const DEFAULT_RUNS: readonly string[][] = [
  ['--testsuite', 'filter_hlsgate_testsuite'],
  ['privacy/tests/privacy/provider_test.php', '--filter', 'hlsgate'],
  ['lib/external/tests/plugin_checks_test.php'],
];

/** Runs the suites; returns the exit code (0 also where there is no Moodle source: then it says so). */
export async function runPhpunit(args: string[], options: { port?: number; log?: (line: string) => void } = {}): Promise<number> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const result = await startMoodle({ serve: false, log, ...(options.port ? { port: options.port } : {}) });
  if (!result.available) {
    log(`Moodle PHPUnit skipped: ${result.reason}`);
    return 0;
  }
  const { site } = result;
  log(`Moodle ${site.release} ready for PHPUnit in ${((site.timings.total ?? 0) / 1000).toFixed(1)} s ${JSON.stringify(site.timings)}`);
  try {
    let failed = 0;
    for (const run of args.length > 0 ? [args] : DEFAULT_RUNS) {
      log(`phpunit ${run.join(' ')}`);
      const phpunit = await execa('php', [...PHP_INI, 'vendor/bin/phpunit', '--colors=never', ...run], {
        cwd: site.dirroot,
        env: site.env,
        stdio: 'inherit',
        reject: false,
      });
      if (phpunit.exitCode !== 0) failed = phpunit.exitCode ?? 1;
    }
    return failed;
  } finally {
    await site.stop();
  }
}
