// swift-tools-version:5.9
// OffdutyCore: the officer core (Rust, through UniFFI) for the iOS app.
//
// One package, two ways to get the Rust library (decision 026):
//   - Apple platforms: the binary target OffdutyCoreFFI.xcframework (static libraries for iOS,
//     the iOS Simulator and macOS, with its C header and module map), made by
//     scripts/build-xcframework.sh on macOS;
//   - Linux (tests only): the system library Linux/OffdutyCoreFFI, whose module map links
//     liboffduty_ffi.so from target/debug; scripts/swift-test.sh builds the library, copies the
//     generated C header beside the module map and runs `swift test` in a Debian chroot.
// Either script also copies the generated Swift bindings to Sources/OffdutyCore/OffdutyCore.swift.
// The generated files are not in git. Platform.swift (hand-written) holds the Apple platform
// services the core needs (Secure Enclave signer, Keychain secret store); SystemDeviceClock.swift
// the device's clocks, for Apple platforms and for Linux. The second library, OffdutyApp, is the
// iOS app's testable Swift (decision 031); the Xcode project in ios/ (project.yml) adds the views.
import PackageDescription

#if os(Linux)
/// Where liboffduty_ffi.so is: OFFDUTY_FFI_LIB_DIR (set by scripts/swift-test.sh), else the
/// workspace's target/debug.
let ffiLibDir = Context.environment["OFFDUTY_FFI_LIB_DIR"]
    ?? "\(Context.packageDirectory)/../../target/debug"

let ffiTargets: [Target] = [
    .systemLibrary(name: "OffdutyCoreFFI", path: "Linux/OffdutyCoreFFI"),
    // libcrypto (OpenSSL), for the tests' software P-256 signer: Linux has no CryptoKit.
    .systemLibrary(name: "CLibCrypto", path: "Linux/CLibCrypto"),
]
let coreLinkerSettings: [LinkerSetting] = [
    .unsafeFlags(["-L\(ffiLibDir)", "-Xlinker", "-rpath", "-Xlinker", ffiLibDir]),
]
let testDependencies: [Target.Dependency] = ["OffdutyCore", "OffdutyApp", "CLibCrypto"]
#else
let ffiTargets: [Target] = [
    .binaryTarget(name: "OffdutyCoreFFI", path: "OffdutyCoreFFI.xcframework"),
]
let coreLinkerSettings: [LinkerSetting] = [
    // The static Rust library verifies TLS certificates with the system's trust store
    // (rustls-platform-verifier → Security.framework); a static archive does not carry its
    // framework dependencies, so they are named here.
    .linkedFramework("Security"),
    .linkedFramework("CoreFoundation"),
]
let testDependencies: [Target.Dependency] = ["OffdutyCore", "OffdutyApp"]
#endif

let package = Package(
    name: "OffdutyCore",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "OffdutyCore", targets: ["OffdutyCore"]),
        // The iOS app's own Swift (decision 031): view models over the screens, routing, sync
        // triggers and the platform-service seams; its Apple adapters sit behind #if canImport.
        .library(name: "OffdutyApp", targets: ["OffdutyApp"]),
    ],
    targets: ffiTargets + [
        .target(
            name: "OffdutyCore",
            dependencies: ["OffdutyCoreFFI"],
            path: "Sources/OffdutyCore",
            linkerSettings: coreLinkerSettings
        ),
        .target(
            name: "OffdutyApp",
            dependencies: ["OffdutyCore"],
            path: "Sources/OffdutyApp"
        ),
        .testTarget(
            name: "OffdutyCoreTests",
            dependencies: testDependencies,
            path: "Tests/OffdutyCoreTests"
        ),
    ]
)
