// Smoke tests of the Swift surface, without a server: the Rust core loads, opens a database,
// answers, and its errors arrive as Swift errors. Run on Linux by scripts/swift-test.sh and on
// macOS by `swift test` in ios/OffdutyCore after scripts/build-xcframework.sh. The officer's
// journey against a real server is OfficerJourneyTests.

import Foundation
import XCTest

import OffdutyCore

/// Never asked to sign in these tests (no one signs in).
final class UnusedSigner: Signer {
    func publicKey() throws -> String {
        throw PlatformError.Failed(detail: "no key in the smoke tests")
    }

    func sign(message: Data) throws -> Data {
        throw PlatformError.Failed(detail: "no key in the smoke tests")
    }
}

final class SmokeTests: XCTestCase {
    /// A new app on a database in a fresh temporary directory (removed after the test).
    private func newApp() throws -> OfficerApp {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("offduty-smoke-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock {
            try? FileManager.default.removeItem(at: dir)
        }
        return try OfficerApp(
            dbPath: dir.appendingPathComponent("phone.db").path,
            serverUrl: "http://127.0.0.1:9",
            signer: UnusedSigner(),
            secrets: MemorySecrets(),
            clock: SystemDeviceClock()
        )
    }

    func testANewAppHasNoSession() throws {
        let app = try newApp()
        XCTAssertNil(try app.session())
        XCTAssertFalse(app.storageNotice().rebuilt)
        XCTAssertTrue(try app.pendingActions().isEmpty)
    }

    func testABadIdIsAnInvalidArgument() throws {
        let app = try newApp()
        XCTAssertThrowsError(try app.claim(jobId: "not-an-id")) { error in
            guard case let ApiError.Invalid(field, code, detail) = error else {
                return XCTFail("expected ApiError.Invalid, got \(error)")
            }
            XCTAssertEqual(field, "job_id")
            XCTAssertEqual(code, .badFormat)
            XCTAssertEqual(detail, "\"not-an-id\" is not an id")
        }
    }

    func testTheSystemClockReadsSensibleValues() throws {
        let clock = SystemDeviceClock()
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        XCTAssertLessThan(abs(try clock.nowMs() - now), 5_000)
        XCTAssertGreaterThan(try clock.monotonicMs(), 0)
        XCTAssertFalse(try clock.bootId().isEmpty)
        XCTAssertEqual(try clock.bootId(), try clock.bootId())
    }
}
