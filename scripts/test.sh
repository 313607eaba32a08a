#!/usr/bin/env bash
# The project's test command (README; .ci/run calls it). Installs what it needs, then runs every
# check: formatting, lints, the Rust test suites (SQLite and PostgreSQL; TLS through nginx), the
# API against its OpenAPI document (schemathesis), the web console in Debian's Chromium
# (playwright-core, axe-core; tests/browser/), the Kotlin binding tests on the JVM, the Swift
# package built and tested on Linux (in a Debian 13 chroot, made once in .tools/), and the
# syntax check of the Swift that only builds on macOS.
#   OFFDUTY_TEST_PG_URL  use this PostgreSQL admin URL instead of starting one
#   OFFDUTY_TEST_QUICK=1 skip fmt/clippy (for a fast local loop)
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m== %s\033[0m  (at %ss)\n' "$*" "$SECONDS"; }
SECONDS=0

# A CI run starts from a clean clone and builds once: incremental state would only take disk
# (2 GB of target/ on its own). Local runs keep it.
if [ -n "${CI:-}" ]; then
  export CARGO_INCREMENTAL=0
fi

# A clean run leaves about 2 GB under target/ (decision 013; docs/benchmarks.md, last section)
# and, the first time, 2.7 GB of Swift chroot under .tools/ (decision 026). Say so up front when
# the disk is short, instead of a linker dying of SIGBUS half-way through.
free_kb=$(df -Pk . | awk 'NR==2 {print $4}')
echo "free disk here: $((free_kb / 1024)) MB"
if [ "$free_kb" -lt $((7 * 1024 * 1024)) ]; then
  echo "warning: less than 7 GB free; the run may run out of disk (a clean run needs about 2 GB" \
    "for target/ and 2.7 GB for the Swift chroot in .tools/)" >&2
fi

# Every temporary file of the run (the tests' SQLite databases, servers' data directories, the
# PostgreSQL cluster when this script starts one) lives under one directory that is removed when
# the run ends, pass or fail: runs used to leave gigabytes behind in /tmp, and a full disk is how
# a later run fails. OFFDUTY_KEEP_TMP=1 keeps it to look at after a failure.
run_tmp=$(mktemp -d "${TMPDIR:-/tmp}/offduty-run.XXXXXX")
chmod 755 "$run_tmp" # PostgreSQL runs as its own user and keeps its data and socket here
export TMPDIR="$run_tmp"
started_pg=""
cleanup() {
  local status=$?
  if [ -n "$started_pg" ]; then
    scripts/pg-stop.sh "$started_pg" >/dev/null 2>&1 || true
  fi
  if [ "${OFFDUTY_KEEP_TMP:-0}" = "1" ]; then
    echo "kept the run's temporary files in $run_tmp" >&2
  else
    rm -rf "$run_tmp"
  fi
  exit "$status"
}
trap cleanup EXIT

if ! cargo nextest --version >/dev/null 2>&1; then
  step "installing cargo-nextest"
  cargo install --locked cargo-nextest
fi

if [ "${OFFDUTY_TEST_QUICK:-0}" != "1" ]; then
  step "cargo fmt --check"
  cargo fmt --all --check
  step "cargo clippy -D warnings"
  cargo clippy --workspace --all-targets --locked -- -D warnings
  step "cargo clippy: the server without the demo department (--no-default-features)"
  cargo clippy -p offduty-server --no-default-features --all-targets --locked -- -D warnings
fi

step "PostgreSQL for the server tests"
if [ -z "${OFFDUTY_TEST_PG_URL:-}" ]; then
  export PGDIR="$run_tmp/pg"
  OFFDUTY_TEST_PG_URL="$(scripts/pg-start.sh)"
  started_pg="$PGDIR"
fi
export OFFDUTY_TEST_PG_URL
echo "using $OFFDUTY_TEST_PG_URL"

# server/tests/ops/behind_nginx.rs runs the README's nginx configuration; it fails (never skips)
# without nginx. Installed from Debian's packages like PostgreSQL; only its binary is used.
if [ ! -x /usr/sbin/nginx ] && ! command -v nginx >/dev/null 2>&1; then
  step "installing nginx"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nginx
fi

step "Rust tests (cargo nextest)"
# nextest builds every package's binaries along with the tests, so the core's end-to-end tests
# find target/debug/offduty-server. The libraries set doctest = false: examples live in tests/.
cargo nextest run --workspace --locked --no-fail-fast

# One build of the whole workspace for the library, the server and uniffi-bindgen: the Kotlin
# and Swift steps below build exactly this set (same features), so they compile nothing again.
# The tests above built every crate with the same features (offduty-testkit unifies them,
# decision 013), so this should compile nothing; say so when it does.
step "Build the workspace (library for the bindings, server binary)"
build_log="${CARGO_TARGET_DIR:-target}/build-after-tests.log"
cargo build --workspace --locked 2>&1 | tee "$build_log"
again=$(grep -c '^ *Compiling' "$build_log" || true)
if [ "$again" -gt 0 ]; then
  echo "note: $again crates compiled a second time with other features; see docs/decisions/013" >&2
fi

step "The API against its own document (schemathesis, an officer and a coordinator)"
# CARGO_TARGET_DIR may be absolute (a shared build directory) or relative to the repository.
case "${CARGO_TARGET_DIR:-target}" in
  /*) server_bin="${CARGO_TARGET_DIR}/debug/offduty-server" ;;
  *) server_bin="$PWD/${CARGO_TARGET_DIR:-target}/debug/offduty-server" ;;
esac
OFFDUTY_SERVER_BIN="$server_bin" scripts/api-fuzz.sh

step "The console in a real browser (Playwright + Chromium, axe-core)"
# The workspace build above made the server and the officers' CLI (offduty) the story drives.
scripts/browser-test.sh

step "Kotlin bindings on the JVM (real library, real server)"
scripts/kotlin-test.sh

step "Swift on Linux: swift build + swift test of ios/OffdutyCore (real library, real server)"
scripts/swift-test.sh

step "Swift: C header, symbols, and syntax of every Swift file (Apple-only ones included)"
scripts/swift-check.sh

step "docs/mobile-files.md lists every Kotlin and Swift file, as built here or only with the SDK"
scripts/mobile-files.sh --check

target_dir="${CARGO_TARGET_DIR:-target}"
echo "$target_dir holds $(du -sh "$target_dir" 2>/dev/null | cut -f1) after the run"
printf '\n\033[1m== all tests passed in %ss\033[0m\n' "$SECONDS"
