/**
 * Moodle's own PHPUnit for filter_hlsgate, inside the harness's site of each Moodle branch, with
 * the PHPUnit that Moodle's composer.json asks for (installed by Composer in the base: 9.6 on 4.5,
 * 11 on 5.1). The test site (util.php --install, phpu_ tables) is built with the site and restored
 * with it, so a run costs the restore and the tests.
 *
 * Without arguments it runs the plugin's suite (tests/external/*, tests/text_filter_test.php and
 * the rest of its *_test.php), core's privacy provider checks for it, and core's checks of every
 * web service definition (ours included). Arguments are passed to phpunit instead (paths relative
 * to the tree's top: on 5.1 core's files are under public/).
 */
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { buildZip, cacheRoot, ensureTestLocale, PHP_INI, startMoodle, type StartResult } from './site.ts';
import { BRANCHES, findMoodleSources, type Branch } from './source.ts';

/** The default runs; paths are relative to the web root ($CFG->dirroot). */
export const DEFAULT_RUNS: ReadonlyArray<{ suite?: string; file?: string; filter?: string }> = [
  { suite: 'filter_hlsgate_testsuite' },
  { file: 'privacy/tests/privacy/provider_test.php', filter: 'hlsgate' },
  { file: 'lib/external/tests/plugin_checks_test.php' },
];

export interface PhpunitResult {
  branch: Branch;
  /** 'skipped' with the reason, or the exit code. */
  outcome: { skipped: string } | { exitCode: number };
  /** Milliseconds: the site's start (build or restore) and the tests. */
  startMs: number;
  testsMs: number;
}

/** Runs the suites in each branch's Moodle; a branch without a source is skipped with its one line. */
export async function runPhpunit(args: string[], options: { branches: Branch[]; port?: number; log?: (line: string) => void }): Promise<PhpunitResult[]> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const results: PhpunitResult[] = [];
  // The zip and the locale once; then every Moodle's site is built or restored at the same time (a
  // cold build is PHP and PostgreSQL on one core each: two at once use both), then their tests.
  const lookups = findMoodleSources({ cache: cacheRoot(), branches: options.branches });
  if (lookups.every((lookup) => !lookup.found)) {
    for (const lookup of lookups) {
      const reason = lookup.found ? '' : lookup.reason;
      log(`Moodle ${BRANCHES[lookup.branch].name} PHPUnit skipped: ${reason}`);
      results.push({ branch: lookup.branch, outcome: { skipped: reason }, startMs: 0, testsMs: 0 });
    }
    return results;
  }
  await buildZip(log);
  ensureTestLocale(cacheRoot());
  const t0 = performance.now();
  const starts = await Promise.allSettled(options.branches.map(async (branch) => {
    const result = await startMoodle({
      branch, serve: false, buildZip: false, log: (line) => log(`[${BRANCHES[branch].name}] ${line}`),
      ...(options.port ? { port: options.port + options.branches.indexOf(branch) } : {}),
    });
    return { result, ms: Math.round(performance.now() - t0) };
  }));
  const failedStart = starts.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failedStart) {
    for (const s of starts) if (s.status === 'fulfilled' && s.value.result.available) await s.value.result.site.stop();
    throw failedStart.reason;
  }
  // The Moodles' tests run at the same time too: each is one PHP process and its PostgreSQL, mostly
  // on one core, so two at once use more of both (issue 15 §4: warm, 87 s for the phase against about
  // 105 s one after the other: 70 s and 73 s side by side, 43 s + 47 s in turn). Each one's output
  // is kept and printed whole when its runs end, so the two never interleave.
  const runBranch = async (i: number, branch: Branch): Promise<PhpunitResult> => {
    const name = `Moodle ${BRANCHES[branch].name}`;
    const { result, ms: startMs } = (starts[i] as PromiseFulfilledResult<{ result: StartResult; ms: number }>).value;
    if (!result.available) {
      log(`${name} PHPUnit skipped: ${result.reason}`);
      return { branch, outcome: { skipped: result.reason }, startMs: 0, testsMs: 0 };
    }
    const { site } = result;
    log(`${name}: ${site.release} ready for PHPUnit in ${(startMs / 1000).toFixed(1)} s ${JSON.stringify(site.timings)}`);
    const web = relative(site.root, site.dirroot);
    const runs = args.length > 0
      ? [args]
      : DEFAULT_RUNS.map((run) => [
          ...(run.suite ? ['--testsuite', run.suite] : []),
          ...(run.file ? [join(web, run.file)] : []),
          ...(run.filter ? ['--filter', run.filter] : []),
        ]);
    const t1 = performance.now();
    let failed = 0;
    try {
      for (const run of runs) {
        const phpunit = await execa('php', [...PHP_INI, 'vendor/bin/phpunit', '--colors=never', ...run], {
          cwd: site.root,
          env: site.env,
          all: true,
          reject: false,
        });
        log(`[${BRANCHES[branch].name}] phpunit ${run.join(' ')}`);
        process.stdout.write(`${phpunit.all ?? ''}\n`);
        if (phpunit.exitCode !== 0) failed = phpunit.exitCode ?? 1;
      }
    } finally {
      await site.stop();
    }
    return { branch, outcome: { exitCode: failed }, startMs, testsMs: Math.round(performance.now() - t1) };
  };
  results.push(...(await Promise.all(options.branches.map((branch, i) => runBranch(i, branch)))));
  return results;
}
