/**
 * Playwright's global setup: finds each Moodle branch's source (the setting, Composer's registry,
 * the cache: testing/moodle/source.ts) once, so that the workers find it in the cache, and says in
 * one line per branch where it came from, or why its Moodle tests are skipped.
 */
import { cacheRoot } from '../../testing/moodle/site.ts';
import { BRANCHES, findMoodleSources } from '../../testing/moodle/source.ts';

export default function moodleGlobalSetup(): void {
  for (const lookup of findMoodleSources({ cache: cacheRoot() })) {
    const name = `Moodle ${BRANCHES[lookup.branch].name}`;
    process.stdout.write(lookup.found
      ? `${name} tests: ${lookup.source.release} from ${lookup.source.origin}${lookup.note ? ` (registry: ${lookup.note})` : ''}\n`
      : `${name} tests skipped: ${lookup.reason}\n`);
  }
}
