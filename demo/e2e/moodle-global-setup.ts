/** Playwright's global setup: one line when the Moodle tests will be skipped, and why. */
import { findMoodleSource } from '../../testing/moodle/source.ts';
import { REPO_ROOT } from '../../testing/moodle/site.ts';

export default function moodleGlobalSetup(): void {
  const lookup = findMoodleSource(REPO_ROOT);
  if (!lookup.found) process.stdout.write(`Moodle tests skipped: ${lookup.reason}\n`);
}
