// Fakes for the iOS app's platform seams (OffdutyApp): the Secure Enclave and Keychain key
// sources and CoreLocation. The app layer's tests share the screen tests' demo server, phones and
// signer (ScreensTestSupport.swift, DemoServer.swift, SoftwareSigner.swift).

import Foundation
import XCTest

import OffdutyApp
import OffdutyCore

/// A device with or without a Secure Enclave; both keys are software keys here, told apart by
/// which one the app asked for.
final class FakeKeySource: SigningKeySource {
    let enclaveAvailable: Bool
    var enclaveFails = false
    private(set) var asked: [KeyStorage] = []

    init(enclave: Bool) {
        enclaveAvailable = enclave
    }

    func enclaveSigner() throws -> Signer {
        asked.append(.secureEnclave)
        if enclaveFails { throw PlatformError.Failed(detail: "the Secure Enclave refused the key") }
        return try SoftwareP256Signer()
    }

    func softwareSigner() throws -> Signer {
        asked.append(.keychainSoftware)
        return try SoftwareP256Signer()
    }
}

/// CoreLocation as a test sets it: the permission, the officer's answer, the fix or the failure.
final class FakeLocation: LocationProvider, @unchecked Sendable {
    var status: LocationAuthorization
    var answer: LocationAuthorization = .whenInUse
    var result: Result<PlatformFix, LocationFailure> = .failure(.timedOut)
    private(set) var requests = 0
    private(set) var fixes = 0

    init(_ status: LocationAuthorization) {
        self.status = status
    }

    func authorization() -> LocationAuthorization { status }

    func requestWhenInUse() async -> LocationAuthorization {
        requests += 1
        status = answer
        return answer
    }

    func oneShotFix(timeout: TimeInterval) async throws -> PlatformFix {
        fixes += 1
        return try result.get()
    }

    /// A fix at `point`, now by `clock`.
    static func fix(_ point: GeoPoint, _ clock: ShiftedClock, simulated: Bool = false) throws -> PlatformFix {
        PlatformFix(
            lat: point.lat, lon: point.lon, accuracyM: 8,
            timestamp: Date(timeIntervalSince1970: Double(try clock.nowMs()) / 1000),
            simulatedBySoftware: simulated
        )
    }
}

/// Waits (up to `seconds`) until `condition` holds; listeners are told on the library's threads.
func eventually(_ what: String, seconds: Double = 10, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(seconds)
    while try !condition() {
        guard Date() < deadline else {
            XCTFail("timed out waiting for: \(what)")
            return
        }
        Thread.sleep(forTimeInterval: 0.02)
    }
}
