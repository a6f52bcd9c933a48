#!/usr/bin/env bash
# Every test, in order of cost: types, unit and integration tests (vitest), the Moodle filter's
# PHP (php -l, PHPUnit), then the browser tests (Playwright, Debian's Chromium).
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

if [[ -f playwright.config.ts ]]; then
  step "browser tests (Playwright, Chromium)"
  npx playwright test
fi
