#!/usr/bin/env bash
# Every test, in order of cost: types, unit and integration tests (vitest), the Moodle filter's
# PHP (php -l, PHPUnit), the plugins directory's checks (testing/plugin-checks/), Moodle's own PHPUnit for the filter inside the harness's real Moodle
# (testing/moodle/; skipped with one line where there is no Moodle source), then the browser tests
# (Playwright, Debian's Chromium; the Moodle ones on the same site).
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n== %s\n' "$*"; }

step "type-check (tsc --build)"
npx tsc --build

step "unit and integration tests (vitest)"
npx vitest run

if [[ -f moodle-filter/tests/run.sh ]]; then
  step "Moodle filter (php -l, PHPUnit)"
  bash moodle-filter/tests/run.sh
fi

step "the plugins directory's checks (testing/plugin-checks/: phplint, validate, savepoints, grunt amd + ESLint)"
npx tsx testing/plugin-checks/run.ts

step "Moodle's PHPUnit for filter_hlsgate in a real Moodle (testing/moodle/)"
npx tsx testing/moodle/cli.ts phpunit

if [[ -f playwright.config.ts ]]; then
  step "browser tests (Playwright, Chromium)"
  npx playwright test
fi
