#!/usr/bin/env bash
# Every benchmark; each prints its figures and ratios and writes them to bench-results/.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench-results
for bench in server/session.bench.ts server/signed-playlist.bench.ts ingest/ingest.bench.ts ingest/long-input.bench.ts player/player.bench.ts deploy/cold-start.bench.ts moodle-filter/bench/app-filter.bench.ts; do
  if [[ -f $bench ]]; then printf '\n== %s\n' "$bench"; npx tsx "$bench"; fi
done
if [[ -f moodle-filter/bench/filter_bench.php ]]; then
  printf '\n== moodle-filter/bench/filter_bench.php\n'
  php moodle-filter/bench/filter_bench.php
fi
