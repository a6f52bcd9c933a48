#!/usr/bin/env bash
# Every test, in order of cost: types, unit and integration tests (vitest), the Moodle filter's
# PHP (php -l, PHPUnit), the plugins directory's checks (testing/plugin-checks/), Moodle's own PHPUnit for the filter inside the harness's real Moodles (4.5
# and 5.1, testing/moodle/; a Moodle without a source is skipped with one line), the upgrade from
# the plugin's previous release on both, then the browser tests (Playwright, Debian's Chromium, in two lanes at once: scripts/e2e.sh;
# the Moodle ones on the same sites). At the end (also after a failure) a table of the phases and their
# times.
set -uo pipefail
cd "$(dirname "$0")/.."

phases=()
started=$(date +%s)
status=0
table() {
  local total=$(( $(date +%s) - started ))
  printf '\n== phases\n'
  printf '%-58s %8s  %s\n' phase seconds result
  local row
  for row in "${phases[@]}"; do
    IFS=$'\t' read -r name seconds result <<<"$row"
    printf '%-58s %8s  %s\n' "$name" "$seconds" "$result"
  done
  printf '%-58s %8s  %s\n' 'total' "$total" "$([[ $status -eq 0 ]] && echo passed || echo FAILED)"
}
trap table EXIT
# Runs a phase, records its time and result; the run stops at the first failure (as before), after the table.
phase() {
  local name=$1
  shift
  printf '\n== %s\n' "$name"
  local t0=$(date +%s) rc=0
  "$@" || rc=$?
  phases+=("$name"$'\t'"$(( $(date +%s) - t0 ))"$'\t'"$([[ $rc -eq 0 ]] && echo passed || echo "FAILED (exit $rc)")")
  if [[ $rc -ne 0 ]]; then
    status=$rc
    exit "$rc"
  fi
}

phase "type-check (tsc --build)" npx tsc --build
phase "unit and integration tests (vitest)" npx vitest run
if [[ -f moodle-filter/tests/run.sh ]]; then
  phase "Moodle filter (php -l, PHPUnit)" bash moodle-filter/tests/run.sh
fi
phase "the plugins directory's checks (testing/plugin-checks/: phplint, validate, savepoints, grunt amd + ESLint)" npx tsx testing/plugin-checks/run.ts
# Both Moodles' sites are built or restored at once, then each one's PHPUnit runs (its lines say which).
phase "Moodle's PHPUnit in Moodle 4.5 and 5.1 (testing/moodle/)" npx tsx testing/moodle/cli.ts phpunit
phase "upgrade from the previous release, Moodle 4.5 and 5.1" npx tsx testing/moodle/cli.ts upgrade
if [[ -f playwright.config.ts ]]; then
  # Two Playwright runs at once, each on a stack of its own (scripts/e2e.sh says why and how).
  phase "browser tests (Playwright, Chromium; two lanes)" bash scripts/e2e.sh
fi
