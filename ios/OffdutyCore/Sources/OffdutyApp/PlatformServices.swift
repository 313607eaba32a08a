// The platform services of the iOS app, each behind a protocol so the logic around it is tested
// on Linux with fakes: the signing key (Secure Enclave, or a Keychain software key where there is
// none), location (a one-shot CoreLocation fix and its permission), and the network path. The
// Apple implementations are in Apple/ (#if canImport: compiled on a Mac only).

import Foundation

import OffdutyCore

// MARK: - Signing key

/// Where the signing key lives.
public enum KeyStorage: Equatable, Sendable {
    /// A P-256 key in the Secure Enclave (a device).
    case secureEnclave
    /// A software P-256 key in the Keychain (the Simulator, which has no Enclave).
    case keychainSoftware
}

/// Makes the device's signer.
public protocol SigningKeySource {
    /// Whether this device has a Secure Enclave (false on the Simulator).
    var enclaveAvailable: Bool { get }
    func enclaveSigner() throws -> Signer
    func softwareSigner() throws -> Signer
}

/// The signer the app uses, and where its key is.
public struct DeviceKey {
    public let signer: Signer
    public let storage: KeyStorage

    /// The Secure Enclave when the device has one. A device with an Enclave that fails to make
    /// the key is an error, never a silent software key; only where there is no Enclave at all
    /// (the Simulator) is the key kept in software, and the app says so.
    public static func choose(_ source: SigningKeySource) throws -> DeviceKey {
        if source.enclaveAvailable {
            return DeviceKey(signer: try source.enclaveSigner(), storage: .secureEnclave)
        }
        return DeviceKey(signer: try source.softwareSigner(), storage: .keychainSoftware)
    }
}

/// What the app tells the screens about where secrets are kept (the core words it).
public struct DevicePlatform: Sendable {
    public let keyStorage: KeyStorage
    public let deviceLabel: String

    public init(keyStorage: KeyStorage, deviceLabel: String) {
        self.keyStorage = keyStorage
        self.deviceLabel = deviceLabel
    }

    /// For the sign-in and settings screens (their "secrets" line).
    public var signIn: SignInPlatform {
        SignInPlatform(
            sessionVault: .keychain,
            keyVault: keyStorage == .secureEnclave ? .secureEnclave : .keychainSoftware,
            deviceLabel: deviceLabel
        )
    }
}

// MARK: - Location

/// The app's location permission, as the platform reports it.
public enum LocationAuthorization: Equatable, Sendable {
    case notDetermined
    case denied
    /// Parental controls or a device profile forbid it.
    case restricted
    case whenInUse
    case always
    /// Location services are off for the whole phone.
    case servicesOff
}

/// One fix from the platform.
public struct PlatformFix: Equatable, Sendable {
    public let lat: Double
    public let lon: Double
    /// Horizontal accuracy, metres.
    public let accuracyM: Double
    public let timestamp: Date
    /// `CLLocation.sourceInformation.isSimulatedBySoftware` (iOS 15+).
    public let simulatedBySoftware: Bool

    public init(lat: Double, lon: Double, accuracyM: Double, timestamp: Date, simulatedBySoftware: Bool) {
        self.lat = lat
        self.lon = lon
        self.accuracyM = accuracyM
        self.timestamp = timestamp
        self.simulatedBySoftware = simulatedBySoftware
    }
}

/// Why the platform gave no fix.
public enum LocationFailure: Error, Equatable, Sendable {
    case denied
    case disabled
    case timedOut
}

/// CoreLocation, behind a protocol.
public protocol LocationProvider: AnyObject {
    func authorization() -> LocationAuthorization
    /// Asks for "when in use" and returns the officer's answer.
    func requestWhenInUse() async -> LocationAuthorization
    /// One fix, or `LocationFailure`.
    func oneShotFix(timeout: TimeInterval) async throws -> PlatformFix
}

/// What the clock screen's location step did.
public enum LocationStep: Equatable, Sendable {
    /// The screen did not ask for a fix.
    case notNeeded
    case fix(PlatformFix)
    case unavailable(LocationProblem)
}

/// Serves the clock screen's `needsLocation`: the permission flow, then one fix, handed to the
/// screen (a simulated one marked as a mock: the core decides what that means). No permission
/// or no fix is handed on too, and the screen says why and what to do.
public final class ClockLocation {
    public let provider: LocationProvider
    public let timeout: TimeInterval

    public init(provider: LocationProvider, timeout: TimeInterval = 15) {
        self.provider = provider
        self.timeout = timeout
    }

    @discardableResult
    public func serve(_ clock: ClockScreen) async -> LocationStep {
        guard clock.state().needsLocation else { return .notNeeded }
        let step = await locate()
        switch step {
        case let .fix(fix):
            clock.locationFix(fix: LocationFix(
                lat: fix.lat, lon: fix.lon, accuracyM: fix.accuracyM, fixTime: fix.timestamp,
                provider: "corelocation", isMock: fix.simulatedBySoftware
            ))
        case let .unavailable(problem):
            clock.locationUnavailable(problem: problem)
        case .notNeeded:
            break
        }
        return step
    }

    private func locate() async -> LocationStep {
        var authorization = provider.authorization()
        if authorization == .notDetermined {
            authorization = await provider.requestWhenInUse()
        }
        switch authorization {
        case .denied, .restricted, .notDetermined:
            return .unavailable(.denied)
        case .servicesOff:
            return .unavailable(.disabled)
        case .whenInUse, .always:
            break
        }
        do {
            return .fix(try await provider.oneShotFix(timeout: timeout))
        } catch LocationFailure.denied {
            return .unavailable(.denied)
        } catch LocationFailure.disabled {
            return .unavailable(.disabled)
        } catch {
            return .unavailable(.timedOut)
        }
    }
}

// MARK: - Network

/// NWPathMonitor, behind a protocol: reports whether the path is satisfied, on every change.
public protocol NetworkPathSource: AnyObject {
    func start(_ onChange: @escaping @Sendable (Bool) -> Void)
    func stop()
}

/// Turns path changes into "the network came back": only a satisfied path after an unsatisfied
/// one (the first report at start-up is not a return).
public final class NetworkWatcher: @unchecked Sendable {
    private let lock = NSLock()
    private var last: Bool?

    public init() {}

    /// Whether this change is the network coming back.
    public func pathChanged(satisfied: Bool) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        let back = satisfied && last == false
        last = satisfied
        return back
    }
}
