#!/usr/bin/env bash
# Builds the officer core for Apple platforms and fills the SwiftPM package ios/OffdutyCore:
#   ios/OffdutyCore/OffdutyCoreFFI.xcframework           static libraries + C header + module map
#   ios/OffdutyCore/Sources/OffdutyCore/OffdutyCore.swift the generated Swift bindings
# Both are git-ignored. Then add ios/OffdutyCore to the Xcode project as a local package
# (File › Add Package Dependencies… › Add Local…), or run `swift test` in it.
#
# macOS only: it needs Xcode (xcodebuild, lipo, the iOS SDKs) and rustup. On Linux,
# scripts/swift-check.sh checks what can be checked there (syntax, not a build).
#
# Slices: iOS devices (aarch64-apple-ios), the iOS Simulator (aarch64-apple-ios-sim and
# x86_64-apple-ios, merged with lipo) and macOS on Apple silicon (aarch64-apple-darwin, for
# `swift test` on a Mac).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(uname -s)" != "Darwin" ]; then
  echo "build-xcframework.sh: the XCFramework is built on macOS with Xcode (found $(uname -s))." >&2
  echo "Here, scripts/swift-check.sh checks the generated Swift and C header (syntax only)." >&2
  exit 2
fi
for tool in xcodebuild lipo rustup cargo; do
  command -v "$tool" >/dev/null || { echo "build-xcframework.sh: $tool is required" >&2; exit 1; }
done

LIB=liboffduty_ffi.a
PKG=ios/OffdutyCore
XCFRAMEWORK="$PKG/OffdutyCoreFFI.xcframework"
STAGE=target/apple
TARGETS=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin)

# The package's minimum OS versions (Package.swift): objects built for older ones only warn,
# newer ones fail to link.
export IPHONEOS_DEPLOYMENT_TARGET=15.0
export MACOSX_DEPLOYMENT_TARGET=12.0

rustup target add "${TARGETS[@]}"

# 1. The static library for every slice (the `--lib` target only: no uniffi-bindgen for iOS).
# bindings/Cargo.toml lists cdylib and lib only, so that Linux test builds don't write a
# 600 MB archive nobody links; the staticlib is asked for here, where it is used.
for t in "${TARGETS[@]}"; do
  echo "== cargo rustc --release --lib --crate-type staticlib --target $t"
  cargo rustc --release --lib -p offduty-ffi --target "$t" --crate-type staticlib
done

# 2. The Swift bindings, C header and module map, by the host's uniffi-bindgen reading the
# host library (the interface is the same on every target).
cargo build --release -p offduty-ffi
HOST_LIB=target/release/liboffduty_ffi.dylib
rm -rf "$STAGE"
mkdir -p "$STAGE/generated" "$STAGE/headers" "$STAGE/ios-simulator"
target/release/uniffi-bindgen generate "$HOST_LIB" --language swift \
  --out-dir "$STAGE/generated" --no-format
# The XCFramework's Headers hold the C header and the module map, named module.modulemap so
# that Xcode and SwiftPM find the `OffdutyCoreFFI` module; the Swift file goes to the package.
cp "$STAGE/generated/OffdutyCoreFFI.h" "$STAGE/headers/"
cp "$STAGE/generated/OffdutyCoreFFI.modulemap" "$STAGE/headers/module.modulemap"

# 3. One simulator library with both architectures (an XCFramework takes one library per
# platform variant).
lipo -create \
  "target/aarch64-apple-ios-sim/release/$LIB" \
  "target/x86_64-apple-ios/release/$LIB" \
  -output "$STAGE/ios-simulator/$LIB"

# 4. The XCFramework.
rm -rf "$XCFRAMEWORK"
xcodebuild -create-xcframework \
  -library "target/aarch64-apple-ios/release/$LIB" -headers "$STAGE/headers" \
  -library "$STAGE/ios-simulator/$LIB" -headers "$STAGE/headers" \
  -library "target/aarch64-apple-darwin/release/$LIB" -headers "$STAGE/headers" \
  -output "$XCFRAMEWORK"

# 5. The generated Swift into the package's Swift target.
cp "$STAGE/generated/OffdutyCore.swift" "$PKG/Sources/OffdutyCore/OffdutyCore.swift"

echo "XCFramework: $XCFRAMEWORK"
echo "Swift:       $PKG/Sources/OffdutyCore/OffdutyCore.swift"
echo "Next: add $PKG to the Xcode project as a local package, or: (cd $PKG && swift test)"
