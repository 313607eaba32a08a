#!/usr/bin/env bash
# Runs every benchmark of docs/benchmarks.md and prints the machine first. Release (bench)
# profile. Measure on a quiet machine: the script warns when the load average is high.
#   OFFDUTY_TEST_PG_URL   also run the server benchmark on this PostgreSQL (admin URL)
#   OFFDUTY_BENCH_PG=1    start one with scripts/pg-start.sh when OFFDUTY_TEST_PG_URL is unset
#   OFFDUTY_BENCH_ONLY    server | core: run one half
#   OFFDUTY_BENCH_*       sizes and concurrency of the server benchmark (server/benches/load.rs)
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
only="${OFFDUTY_BENCH_ONLY:-all}"

step "machine"
echo "nproc: $(nproc)"
grep -m1 'model name' /proc/cpuinfo || true
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
load1=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load1" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
  echo "warning: the machine is busy (load $load1 on $(nproc) CPUs); figures will be noisy" >&2
fi

if [ "${OFFDUTY_BENCH_PG:-0}" = "1" ] && [ -z "${OFFDUTY_TEST_PG_URL:-}" ]; then
  OFFDUTY_TEST_PG_URL="$(scripts/pg-start.sh)"
  export OFFDUTY_TEST_PG_URL
fi

if [ "$only" = "all" ] || [ "$only" = "server" ]; then
  step "server: health floor, durable-commit floor, claim race, shift-change burst"
  cargo bench -p offduty-server --bench load
fi

if [ "$only" = "all" ] || [ "$only" = "core" ]; then
  step "core: bytes on the wire (10,000 jobs)"
  cargo bench -p offduty-core --bench wire
  step "core: board over 10,000 jobs, outbox enqueue (criterion)"
  cargo bench -p offduty-core --bench store
  step "core: geofence and punch classifier (criterion)"
  cargo bench -p offduty-core --bench geo
fi

step "done; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
