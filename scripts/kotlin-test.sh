#!/usr/bin/env bash
# Compiles the generated Kotlin bindings, tests/kotlin and the Android app's plain-Kotlin layer
# (android/core-ui: main and test; decision 032) with kotlinc (npm package
# kotlin-compiler), and runs them on the JVM with JNA against the real Rust library and a real
# offduty-server process. Installs what it needs (Debian: libjna-java, junit4; npm:
# kotlin-compiler into .tools/, git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."

# The Android app's Kotlin (views, notifications) writes no words of its own: every label comes
# from the core. Checked first: it needs nothing built.
mapfile -t android_app < <(find android/app -name '*.kt' | sort)
scripts/view-literals.sh "${android_app[@]}"
KOTLIN_VERSION=2.4.20
TOOLS=.tools
K="$TOOLS/package"

need_apt=()
[ -f /usr/share/java/jna.jar ] || need_apt+=(libjna-java)
[ -f /usr/share/java/junit4.jar ] || need_apt+=(junit4)
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi
if [ ! -x "$K/bin/kotlinc" ]; then
  mkdir -p "$TOOLS"
  (cd "$TOOLS" && npm pack "kotlin-compiler@$KOTLIN_VERSION" >/dev/null && tar xzf "kotlin-compiler-$KOTLIN_VERSION.tgz")
fi
command -v java >/dev/null || { echo "java (17+) is required" >&2; exit 1; }

# The whole workspace, as scripts/test.sh and scripts/bindings.sh build it: one feature set,
# one build.
cargo build --workspace --locked
scripts/bindings.sh >/dev/null

CP=/usr/share/java/jna.jar:/usr/share/java/junit4.jar:/usr/share/java/hamcrest.jar
CP="$CP:$(ls "$K"/lib/kotlinx-coroutines-core-jvm*.jar | head -1)"
rm -rf target/kotlin-classes
"$K/bin/kotlinc" target/bindings/kotlin tests/kotlin android/core-ui/src/main/kotlin android/core-ui/src/test/kotlin -cp "$CP" -d target/kotlin-classes -nowarn 2>&1 \
  | grep -v "^warning: unable to find kotlin-stdlib.jar" || true
[ -d target/kotlin-classes/dev/offduty/tests ] && [ -d target/kotlin-classes/dev/offduty/ui ] || { echo "kotlinc failed" >&2; exit 1; }

OFFDUTY_SERVER_BIN="$PWD/target/debug/offduty-server" \
  java -Djna.library.path=target/debug -cp "target/kotlin-classes:$CP:$K/lib/kotlin-stdlib.jar" \
  org.junit.runner.JUnitCore dev.offduty.tests.OfficerAppTest \
  dev.offduty.tests.ClockScreenTest dev.offduty.tests.EarningsScreenTest dev.offduty.tests.SettingsScreenTest dev.offduty.tests.InboxScreenTest \
  dev.offduty.tests.SignInScreenTest dev.offduty.tests.JobScreenTest dev.offduty.tests.MyShiftsScreenTest dev.offduty.tests.ActivityScreenTest \
  dev.offduty.ui.AndroidShellTest
