#!/usr/bin/env bash
# The web console in a real browser (tests/browser/): Debian's Chromium driven by playwright-core
# against a real demo server; axe-core on every console page at a laptop's and a phone's window
# size, the keyboard alone, the security headers as the browser received them, and nothing in
# the browser's console. Installs what is missing (Chromium from Debian's packages; the two npm
# packages from tests/browser/package-lock.json), then runs the suite: one browser, one server,
# every test in one process, one after another. Fails — never skips — when Chromium cannot run.
#
#   OFFDUTY_SERVER_BIN       the server binary (default ${CARGO_TARGET_DIR:-target}/debug/offduty-server)
#   OFFDUTY_CLI_BIN          the officers' CLI, for the story's two officers (default ${CARGO_TARGET_DIR:-target}/debug/offduty)
#   OFFDUTY_SCREENSHOTS=1    also write docs/screenshots/console-*.png
#   CHROMIUM_PATH            another Chromium (default Debian's /usr/bin/chromium)
#   OFFDUTY_BROWSER_TIMEOUT  the whole suite's bound in seconds (default 900)
#   OFFDUTY_KEEP_TMP=1       keep the run's temporary folder (the server's database and log)
#
# `scripts/browser-test.sh --bench [--count 20]` runs the approval-speed measurement instead
# (tests/browser/bench-approvals.mjs; docs/benchmarks.md): figures, no pass/fail on time.
set -euo pipefail
bench=0
if [ "${1:-}" = "--bench" ]; then bench=1; shift; fi
cd "$(dirname "$0")/.."
SECONDS=0
fail() { echo "browser-test: $*" >&2; exit 1; }

# Chromium, from Debian's packages like scripts/test.sh's nginx.
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -z "${CHROMIUM_PATH:-}" ] && [ ! -x "$chromium" ]; then
  echo "browser-test: installing chromium (Debian)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  { $SUDO apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium; } ||
    fail "Chromium is needed and could not be installed (apt-get install chromium)"
  echo "browser-test: chromium installed in ${SECONDS}s"
fi
[ -x "$chromium" ] || fail "no Chromium at $chromium"
# Can it run here at all? A page rendered headless, or a clear failure (never a silent pass).
smoke=$(timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
  --dump-dom 'data:text/html,<p id=ok>chromium runs</p>' 2>/dev/null || true)
case "$smoke" in
  *"chromium runs"*) echo "browser-test: $("$chromium" --version 2>/dev/null | head -n 1)" ;;
  *) fail "Chromium ($chromium) cannot render a page headless here; run it by hand to see why:
  $chromium --headless --no-sandbox --dump-dom about:blank" ;;
esac

# Node 20+ (node --test with reporters) and the two packages, exactly as locked.
command -v node >/dev/null || fail "Node.js 20 or newer is needed (node --test)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || fail "Node.js 20 or newer is needed, found $(node --version)"
t=$SECONDS
(cd tests/browser && npm ci --no-audit --no-fund --prefer-offline --loglevel=error) ||
  fail "npm ci in tests/browser failed"
echo "browser-test: npm ci in $((SECONDS - t))s"

bin="${OFFDUTY_SERVER_BIN:-${CARGO_TARGET_DIR:-target}/debug/offduty-server}"
[ -x "$bin" ] || fail "no server binary at $bin (cargo build -p offduty-server, or set OFFDUTY_SERVER_BIN)"
OFFDUTY_SERVER_BIN="$(realpath "$bin")"
export OFFDUTY_SERVER_BIN
# The story (flows/story.mjs) works its shift through the real core: the `offduty` CLI.
cli="${OFFDUTY_CLI_BIN:-${CARGO_TARGET_DIR:-target}/debug/offduty}"
[ -x "$cli" ] || fail "no CLI binary at $cli (cargo build -p offduty-cli, or set OFFDUTY_CLI_BIN)"
OFFDUTY_CLI_BIN="$(realpath "$cli")"
export OFFDUTY_CLI_BIN
command -v python3 >/dev/null || fail "python3 is needed (the story moves its job in the demo's SQLite file, decision 012)"

# The run's temporary files (the demo server's database) under one folder, removed at the end;
# a demo server left running by a killed test process is stopped here too.
run_tmp=$(mktemp -d "${TMPDIR:-/tmp}/offduty-browser-run.XXXXXX")
export TMPDIR="$run_tmp"
cleanup() {
  local status=$?
  for pid_file in "$run_tmp"/*/server.pid; do
    [ -f "$pid_file" ] && kill "$(cat "$pid_file")" 2>/dev/null || true
  done
  if [ "${OFFDUTY_KEEP_TMP:-0}" = "1" ]; then
    echo "browser-test: kept $run_tmp" >&2
  else
    rm -rf "$run_tmp"
  fi
  exit "$status"
}
trap cleanup EXIT

if [ "$bench" -eq 1 ]; then
  (cd tests/browser && node bench-approvals.mjs "$@")
  exit $?
fi

# One entry file (it imports the rest), so one process, one browser and one server. The spec
# reporter for people, TAP into a file for the counts checked below.
t=$SECONDS
status=0
(cd tests/browser && timeout --kill-after=30 "${OFFDUTY_BROWSER_TIMEOUT:-900}" \
  node --test --test-concurrency=1 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$run_tmp/results.tap" \
  console.test.mjs) || status=$?
[ "$status" -eq 124 ] && echo "browser-test: the suite ran over ${OFFDUTY_BROWSER_TIMEOUT:-900}s and was stopped" >&2
count() { { grep -E "^# $1 [0-9]+$" "$run_tmp/results.tap" 2>/dev/null || true; } | tail -n 1 | awk '{print $3}'; }
tests=$(count tests); pass=$(count pass); skipped=$(count skipped); todo=$(count todo)
echo "browser-test: ${tests:-?} tests, ${pass:-0} passed, in $((SECONDS - t))s (${SECONDS}s with the installs)"
[ "$status" -eq 0 ] || fail "the browser suite failed (exit $status)"
[ "${pass:-0}" -gt 0 ] || fail "no test passed: the suite did not run"
[ "${skipped:-0}" -eq 0 ] && [ "${todo:-0}" -eq 0 ] ||
  fail "$skipped skipped and $todo todo tests: a skipped test is not a passed one"
[ "$pass" -eq "$tests" ] || fail "$pass of $tests tests passed"
