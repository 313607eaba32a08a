#!/usr/bin/env bash
# Builds the core library and generates its Kotlin and Swift bindings into target/ (never
# committed).
#   PROFILE=release scripts/bindings.sh   for optimized builds
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE="${PROFILE:-debug}"
flag=""; [ "$PROFILE" = "release" ] && flag="--release"

# The whole workspace (the library and uniffi-bindgen), as the test scripts build it: building a
# subset would resolve other features and compile the dependencies a second time.
cargo build --workspace --locked $flag
LIB="target/$PROFILE/liboffduty_ffi.so"
[ -f "$LIB" ] || LIB="target/$PROFILE/liboffduty_ffi.dylib"
BINDGEN="target/$PROFILE/uniffi-bindgen"

rm -rf target/bindings/kotlin target/bindings/swift
"$BINDGEN" generate "$LIB" --language kotlin --out-dir target/bindings/kotlin --no-format
"$BINDGEN" generate "$LIB" --language swift --out-dir target/bindings/swift --no-format
echo "Kotlin: target/bindings/kotlin   Swift: target/bindings/swift   library: $LIB"
