#!/usr/bin/env bash
# Builds and tests the Swift side on Linux (decision 026): `swift build` and `swift test` of
# ios/OffdutyCore — the bindings (library OffdutyCore) and the iOS app's view models, routing and
# platform seams (library OffdutyApp, decision 031; tests in Tests/OffdutyCoreTests/App) — against
# the real target/debug/liboffduty_ffi.so, the generated Swift
# bindings and a real offduty-server, in a Debian 13 (trixie) chroot that has Debian's
# `swiftlang` (Debian 12 has no Swift; trixie's needs glibc >= 2.38).
#
# The chroot is made once and kept in .tools/swift-trixie (git-ignored; about 570 MB to
# download and 2.7 GB on disk; README, "Swift / iOS", has the times). It needs root
# (debootstrap, chroot, mount). Every mount this script makes is undone on exit, failure
# included. It fails, never skips, when the chroot cannot be made.
#
#   scripts/swift-test.sh            build the library if needed, generate the bindings, test
#   scripts/swift-test.sh --setup    only make (or complete) the chroot
#   scripts/swift-test.sh -- ARGS    pass ARGS to `swift test` (e.g. -- --filter SmokeTests)
#   OFFDUTY_SWIFT_ROOT=DIR           keep the chroot in DIR instead of .tools/swift-trixie
#   OFFDUTY_DEBIAN_MIRROR=URL        the Debian mirror for debootstrap (default: its own)
#
# Apple-only Swift (Security, SwiftUI, …) compiles to nothing here; scripts/swift-check.sh
# still parses it with tree-sitter-swift.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD

ROOT="${OFFDUTY_SWIFT_ROOT:-$REPO/.tools/swift-trixie}"
SUITE=trixie
# swiftlang: the toolchain (6.0.3 in trixie); libc6-dev: without it "libc not found";
# ca-certificates: the core's TLS client reads them when it is built; libssl-dev: the tests'
# software P-256 signer (libcrypto; there is no CryptoKit on Linux); sqlite3: the tests move a
# job in time in the server's database (decision 012).
PACKAGES=(swiftlang libc6-dev ca-certificates libssl-dev sqlite3)
PKG_DIR=ios/OffdutyCore
LINUX_FFI="$PKG_DIR/Linux/OffdutyCoreFFI"

step() { printf '== %s  (at %ss)\n' "$*" "$SECONDS"; }
die() {
  echo "swift-test: FAILED: $*" >&2
  exit 1
}

[ "$(uname -s)" = "Linux" ] || die "this script runs the Swift tests on Linux; on macOS run scripts/build-xcframework.sh, then (cd $PKG_DIR && swift test)"
[ "$(id -u)" -eq 0 ] || die "the Swift toolchain runs in a Debian 13 chroot, which needs root (debootstrap, chroot, mount); run as root"

# --- mounts: every one is recorded and undone on exit, in reverse order ---------------------
MOUNTS=()
unmount_all() {
  local i
  for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
    if ! umount "${MOUNTS[i]}" 2>/dev/null; then
      echo "swift-test: ${MOUNTS[i]} is busy; detaching it lazily" >&2
      umount -l "${MOUNTS[i]}" || echo "swift-test: could not unmount ${MOUNTS[i]}" >&2
    fi
  done
  MOUNTS=()
}
HAVE_LOCK=0
cleanup() {
  local status=$?
  # Processes still running inside the chroot (a test server a crashed test left behind) would
  # keep the mounts busy: they are this script's children, found by their root directory (only
  # once this run holds the chroot's lock: before that, they would be another run's).
  if [ "$HAVE_LOCK" = 1 ] && [ -d "$ROOT" ]; then
    local real pid
    real=$(readlink -f "$ROOT")
    for pid in /proc/[0-9]*; do
      pid=${pid#/proc/}
      [ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$real" ] || continue
      echo "swift-test: ending process $pid left in the chroot" >&2
      kill -KILL "$pid" 2>/dev/null || true
    done
  fi
  unmount_all
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bind() { # bind SRC DEST [ro]
  mkdir -p "$2"
  mount --bind "$1" "$2"
  MOUNTS+=("$2")
  if [ "${3:-}" = ro ]; then
    mount -o remount,bind,ro "$2"
  fi
}

# Nothing may be mounted under a directory before it is deleted: a bind mount of the
# repository would be deleted with it.
mounted_under() { findmnt -rn -o TARGET | awk -v d="$1" 'index($0, d "/") == 1 || $0 == d'; }

# One run at a time per chroot (mounts and apt are not shared safely).
mkdir -p "$(dirname "$ROOT")"
exec 9>"$ROOT.lock"
flock -n 9 || {
  echo "swift-test: waiting for another run that uses $ROOT" >&2
  flock 9
}
HAVE_LOCK=1

# --- the chroot, once ------------------------------------------------------------------------
# Stamps: .offduty-debootstrap (the base system is complete) and .offduty-packages (the package
# list installed); a changed package list only installs the difference.
make_chroot() {
  if [ ! -f "$ROOT/.offduty-debootstrap" ]; then
    step "debootstrap $SUITE into $ROOT (once; with the next step ~570 MB to download, 2.7 GB on disk)"
    if [ -e "$ROOT" ]; then
      [ -z "$(mounted_under "$(readlink -f "$ROOT")")" ] ||
        die "something is still mounted under $ROOT; unmount it before a new chroot is made"
      rm -rf "$ROOT"
    fi
    if ! command -v debootstrap >/dev/null; then
      apt-get update -qq || true
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap ||
        die "cannot install debootstrap from Debian's packages"
    fi
    [ -e "/usr/share/debootstrap/scripts/$SUITE" ] ||
      die "this debootstrap ($(debootstrap --version)) does not know Debian $SUITE"
    local log="$ROOT.debootstrap.log"
    # shellcheck disable=SC2086 # an empty mirror means debootstrap's default
    if ! debootstrap --variant=minbase "$SUITE" "$ROOT" ${OFFDUTY_DEBIAN_MIRROR:-} >"$log" 2>&1; then
      tail -20 "$log" >&2
      # debootstrap mounts /proc and /sys in the target itself; leave nothing behind.
      for m in $(mounted_under "$(readlink -f "$ROOT")" | sort -r); do umount -l "$m" || true; done
      die "debootstrap of Debian $SUITE failed (full log: $log); is the Debian mirror reachable?"
    fi
    touch "$ROOT/.offduty-debootstrap"
  fi

  local want have
  want="${PACKAGES[*]}"
  have=$(cat "$ROOT/.offduty-packages" 2>/dev/null || true)
  if [ "$want" != "$have" ]; then
    step "apt-get install ${PACKAGES[*]} in the chroot (once)"
    cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
    # A cache, not a system: dpkg need not fsync every file it unpacks (most of the time of this
    # step). A run cut short leaves no stamp, and the next one installs again.
    echo force-unsafe-io >"$ROOT/etc/dpkg/dpkg.cfg.d/offduty-unsafe-io"
    bind /proc "$ROOT/proc"
    bind /dev "$ROOT/dev"
    if ! chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
      sh -c "dpkg --configure -a && apt-get update -qq && apt-get install -y -qq --no-install-recommends $want >/tmp/apt.log 2>&1 || { tail -20 /tmp/apt.log; exit 1; }"; then
      die "apt-get install in the $SUITE chroot failed"
    fi
    env -u TMPDIR chroot "$ROOT" apt-get clean
    echo "$want" >"$ROOT/.offduty-packages"
    unmount_all
  fi
  # (The toolchain finds its libraries through /proc/self/exe: /proc must be mounted.)
  bind /proc "$ROOT/proc"
  local version
  # TMPDIR names a folder outside the chroot (scripts/test.sh keeps a run's files in one):
  # inside it, the chroot's own /tmp is the temp dir.
  version=$(env -u TMPDIR chroot "$ROOT" swift --version 2>&1) ||
    die "the chroot at $ROOT has no working swift ($version); delete it and run again"
  echo "   ${version%%$'\n'*}"
  unmount_all
}

SECONDS=0
make_chroot
TEST_ARGS=()
case "${1:-}" in
  "") ;;
  --setup)
    echo "swift-test: the chroot is ready in $ROOT (${SECONDS}s)"
    exit 0
    ;;
  --)
    shift
    TEST_ARGS=("$@")
    ;;
  *) die "unknown argument $1 (see the top of $0)" ;;
esac

# --- the library, the server and the generated bindings --------------------------------------
step "cargo build --workspace and the generated Swift bindings (scripts/bindings.sh)"
TARGET=$(mkdir -p "${CARGO_TARGET_DIR:-target}" && cd "${CARGO_TARGET_DIR:-target}" && pwd)
scripts/bindings.sh >/dev/null
GEN="$TARGET/bindings/swift"
[ -f "$TARGET/debug/liboffduty_ffi.so" ] || die "no $TARGET/debug/liboffduty_ffi.so after the build"
[ -x "$TARGET/debug/offduty-server" ] || die "no $TARGET/debug/offduty-server after the build"
# The package's Linux inputs, git-ignored like the XCFramework on macOS: the generated Swift
# into the OffdutyCore target, the C header beside the committed module map.
# Copied only when changed, so that an unchanged API compiles nothing again.
copy_if_changed() { cmp -s "$1" "$2" || cp "$1" "$2"; }
copy_if_changed "$GEN/OffdutyCore.swift" "$PKG_DIR/Sources/OffdutyCore/OffdutyCore.swift"
copy_if_changed "$GEN/OffdutyCoreFFI.h" "$LINUX_FFI/OffdutyCoreFFI.h"

# --- build and test in the chroot ------------------------------------------------------------
# The repository is mounted read-only: the chroot can never change or delete it. SwiftPM
# builds into the chroot's /build (kept between runs, so a second run compiles little).
bind /proc "$ROOT/proc"
bind /dev "$ROOT/dev"
bind "$REPO" "$ROOT/repo" ro
case "$TARGET/" in
  "$REPO"/*) IN_TARGET="/repo/${TARGET#"$REPO"/}" ;;
  *)
    bind "$TARGET" "$ROOT/cargo-target" ro
    IN_TARGET=/cargo-target
    ;;
esac
mkdir -p "$ROOT/build"

in_chroot() {
  chroot "$ROOT" /usr/bin/env -i HOME=/root PATH=/usr/bin:/bin LANG=C.UTF-8 \
    OFFDUTY_FFI_LIB_DIR="$IN_TARGET/debug" OFFDUTY_SERVER_BIN="$IN_TARGET/debug/offduty-server" \
    sh -c "cd /repo/$PKG_DIR && $1"
}
SWIFTPM=(--scratch-path /build/OffdutyCore)

step "swift build --build-tests (in the $SUITE chroot)"
in_chroot "swift build --build-tests ${SWIFTPM[*]}" || die "swift build failed"
step "swift test"
in_chroot "swift test --skip-build --disable-swift-testing ${SWIFTPM[*]} ${TEST_ARGS[*]}" || die "swift test failed"
echo "swift-test: ok in ${SECONDS}s (chroot $ROOT)"
