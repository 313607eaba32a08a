#!/usr/bin/env bash
# Writes docs/mobile-files.md: every Kotlin and Swift file in git (android/, ios/, tests/kotlin/)
# with its line count, split into what is compiled and tested on this machine and what only the
# Android SDK or a Mac builds. The generated bindings are not in git and not listed.
#
#   scripts/mobile-files.sh            # rewrite docs/mobile-files.md
#   scripts/mobile-files.sh --check    # fail when docs/mobile-files.md is out of date
#
# A file that matches no rule below fails the script: a new file must be placed on purpose.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=docs/mobile-files.md

# Prints "here|<how>" or "device|<what builds it>" for a path.
where() {
  case "$1" in
    android/core-ui/src/main/kotlin/*.kt) echo "here|kotlinc + JUnit on the JVM (scripts/kotlin-test.sh)" ;;
    android/core-ui/src/test/kotlin/*.kt) echo "here|run by scripts/kotlin-test.sh" ;;
    tests/kotlin/*.kt) echo "here|run by scripts/kotlin-test.sh" ;;
    android/app/src/main/kotlin/*.kt) echo "device|Android SDK (Gradle :app); here: scripts/view-literals.sh only" ;;
    android/*.kts) echo "device|Gradle (not run here: no Gradle 8, no Android plugin)" ;;
    ios/OffdutyCore/Sources/OffdutyApp/Apple/*.swift) echo "device|Xcode (behind #if canImport); here: parsed by scripts/swift-check.sh" ;;
    ios/OffdutyCore/Sources/OffdutyCore/Platform.swift) echo "device|Xcode (Security framework); here: parsed by scripts/swift-check.sh" ;;
    ios/OffdutyCore/Sources/OffdutyCore/SystemDeviceClock.swift) echo "here|swift build + test in the chroot (Linux branch; the Darwin branch is parsed only)" ;;
    ios/OffdutyCore/Sources/OffdutyApp/*.swift) echo "here|swift build + test in the chroot (scripts/swift-test.sh)" ;;
    ios/OffdutyCore/Tests/*.swift) echo "here|run by scripts/swift-test.sh" ;;
    ios/OffdutyCore/Package.swift) echo "here|evaluated by swift build (its Linux branch)" ;;
    ios/Offduty/*.swift) echo "device|Xcode (SwiftUI, UIKit); here: parsed by scripts/swift-check.sh, view-literals" ;;
    *) echo "unplaced|" ;;
  esac
}

mapfile -t files < <(git ls-files 'android/*.kt' 'android/*.kts' 'ios/*.swift' 'tests/kotlin/*.kt' | sort)
here_rows="" device_rows="" here_n=0 device_n=0 here_lines=0 device_lines=0 unplaced=()
for f in "${files[@]}"; do
  lines=$(wc -l <"$f")
  IFS='|' read -r kind how <<<"$(where "$f")"
  row="| \`$f\` | $lines | $how |"$'\n'
  case "$kind" in
    here) here_rows+="$row"; here_n=$((here_n + 1)); here_lines=$((here_lines + lines)) ;;
    device) device_rows+="$row"; device_n=$((device_n + 1)); device_lines=$((device_lines + lines)) ;;
    *) unplaced+=("$f") ;;
  esac
done
if [ ${#unplaced[@]} -gt 0 ]; then
  printf 'mobile-files: no rule places %s (add one to scripts/mobile-files.sh)\n' "${unplaced[@]}" >&2
  exit 1
fi

doc=$(cat <<EOF
# Kotlin and Swift files: what is built and tested here

Written by \`scripts/mobile-files.sh\` (run it after adding, removing or changing a Kotlin or
Swift file; \`--check\` fails when this page is stale). Lines are \`wc -l\`. The Kotlin and Swift
bindings UniFFI generates (\`target/bindings/\`, \`OffdutyCore.swift\`) are not in git and not
listed. "Here" is this Linux machine: no Android SDK, no Xcode (docs/architecture.md,
"The phone apps").

## Compiled and tested here — $here_n files, $here_lines lines

| file | lines | how |
|---|---:|---|
${here_rows%$'\n'}

## Only with the Android SDK / on a Mac — $device_n files, $device_lines lines

| file | lines | built by (and what is checked here) |
|---|---:|---|
${device_rows%$'\n'}
EOF
)

if [ "${1:-}" = "--check" ]; then
  if [ "$doc" != "$(cat "$OUT")" ]; then
    echo "mobile-files: $OUT is out of date; run scripts/mobile-files.sh" >&2
    exit 1
  fi
  echo "mobile-files: $OUT is up to date"
else
  printf '%s\n' "$doc" >"$OUT"
  echo "mobile-files: wrote $OUT ($here_n files here, $device_n only with the SDK or Xcode)"
fi
