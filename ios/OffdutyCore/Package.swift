// swift-tools-version:5.9
// OffdutyCore: the officer core (Rust, through UniFFI) for the iOS app.
//
// Both generated inputs come from scripts/build-xcframework.sh (macOS only) and are not in git:
//   OffdutyCoreFFI.xcframework            the Rust static library for iOS, the iOS Simulator and
//                                         macOS, with its C header and module map;
//   Sources/OffdutyCore/OffdutyCore.swift the generated Swift bindings.
// Platform.swift (hand-written) holds the platform services the core needs: the Secure Enclave
// signer, the Keychain secret store and the device clocks.
import PackageDescription

let package = Package(
    name: "OffdutyCore",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "OffdutyCore", targets: ["OffdutyCore"]),
    ],
    targets: [
        .binaryTarget(
            name: "OffdutyCoreFFI",
            path: "OffdutyCoreFFI.xcframework"
        ),
        .target(
            name: "OffdutyCore",
            dependencies: ["OffdutyCoreFFI"],
            path: "Sources/OffdutyCore",
            linkerSettings: [
                // The static Rust library verifies TLS certificates with the system's trust
                // store (rustls-platform-verifier → Security.framework); a static archive does
                // not carry its framework dependencies, so they are named here.
                .linkedFramework("Security"),
                .linkedFramework("CoreFoundation"),
            ]
        ),
        .testTarget(
            name: "OffdutyCoreTests",
            dependencies: ["OffdutyCore"],
            path: "Tests/OffdutyCoreTests"
        ),
    ]
)
