#!/usr/bin/env bash
# The browser tests in two lanes at once (playwright.config.ts: HLSGATE_E2E_LANE), each a
# Playwright run with its own local stack, because most of their time is spent waiting on the clock
# (expiring cookies, soaks, outages), not on the CPU, and the stack-wide dev state (cookie
# lifetime, auth outage, denied CORS) keeps one worker per stack.
#
#   lane a  the Moodle specs and a few player specs, on the stack at the usual ports and data dir
#           (HLSGATE_MEDIA_PORT etc., HLSGATE_DATA_DIR; default 8787/8788/4569/5173, demo/.data).
#   lane b  the other player specs, on a second stack: each port + 10, data dir "<data dir>-lane-b".
#           It starts once lane a's stack has its sample lectures, from a copy of them, so they are
#           generated and transcoded once.
#
# With arguments (spec files, --grep, …) or HLSGATE_E2E_LANES=1, one Playwright run with every
# spec on one stack: a filter could leave a lane empty, and an empty lane starts no stack.
# Each run's lines are prefixed with its lane; at the end, one line per lane with its time and result.
set -uo pipefail
cd "$(dirname "$0")/.."

if [[ "${HLSGATE_E2E_LANES:-2}" == 1 ]] || (( $# > 0 )); then
  exec npx playwright test "$@"
fi

media=${HLSGATE_MEDIA_PORT:-8787}
auth=${HLSGATE_AUTH_PORT:-8788}
s3=${HLSGATE_S3_PORT:-4569}
demo=${HLSGATE_DEMO_PORT:-5173}
data=${HLSGATE_DATA_DIR:-demo/.data}
data=${data%/}
data_b="$data-lane-b"
ready_timeout=${HLSGATE_E2E_READY_TIMEOUT:-900}

# Each lane in its own process group (set -m), so that an interrupt stops both with their stacks.
set -m
pids=()
stop_lanes() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null; done
}
trap 'stop_lanes; exit 130' INT TERM

lane() {
  local name=$1
  shift
  local t0
  t0=$(date +%s)
  ( "$@" 2>&1 | sed -u "s/^/[$name] /"; exit "${PIPESTATUS[0]}" )
  local rc=$?
  printf '%s\t%s\t%s\n' "$name" "$(( $(date +%s) - t0 ))" "$rc" >"$results/$name"
  return "$rc"
}
results=$(mktemp -d)
# Node, not curl: a fresh Debian has no curl.
stack_ready() {
  node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "http://localhost:$media/_dev/ready"
}

lane a env HLSGATE_E2E_LANE=a npx playwright test "$@" &
pids+=($!)
lane_a=$!

# Lane b waits for lane a's stack (which ingests the sample lectures on a first start), then copies
# what the stack publishes: the embedded S3's objects, the repository folder, the catalog, the dev keys.
printf '[b] waiting for lane a'"'"'s stack and its sample lectures (http://localhost:%s/_dev/ready)\n' "$media"
deadline=$(( $(date +%s) + ready_timeout ))
until stack_ready; do
  if ! kill -0 "$lane_a" 2>/dev/null; then
    echo "[b] not started: lane a ended before its stack was ready"
    break
  fi
  if (( $(date +%s) > deadline )); then
    echo "[b] not started: lane a's stack was not ready within ${ready_timeout} s"
    break
  fi
  sleep 2
done
started_b=false
if stack_ready; then
  rm -rf "$data_b"
  mkdir -p "$data_b/ingest"
  if cp -a "$data/keys" "$data/repository" "$data/s3" "$data_b/" && cp -a "$data/ingest/catalog.sqlite" "$data_b/ingest/"; then
    lane b env HLSGATE_E2E_LANE=b HLSGATE_DATA_DIR="$data_b" \
      HLSGATE_MEDIA_PORT=$(( media + 10 )) HLSGATE_AUTH_PORT=$(( auth + 10 )) HLSGATE_S3_PORT=$(( s3 + 10 )) HLSGATE_DEMO_PORT=$(( demo + 10 )) \
      npx playwright test "$@" &
    pids+=($!)
    started_b=true
  else
    echo "[b] not started: could not copy lane a's data ($data) to $data_b"
  fi
fi

status=0
for pid in "${pids[@]}"; do
  wait "$pid" || status=1
done
[[ $started_b == true ]] || status=1

printf '\n== browser test lanes\n'
for name in a b; do
  if [[ -f "$results/$name" ]]; then
    IFS=$'\t' read -r _ seconds rc <"$results/$name"
    printf 'lane %s  %6s s  %s\n' "$name" "$seconds" "$([[ $rc -eq 0 ]] && echo passed || echo "FAILED (exit $rc)")"
  else
    printf 'lane %s  %6s    %s\n' "$name" - 'not run'
  fi
done
rm -rf "$results"
exit "$status"
