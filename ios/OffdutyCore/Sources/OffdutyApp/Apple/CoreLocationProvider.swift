// CoreLocation behind `LocationProvider`: the "when in use" permission and one fix, with its
// accuracy and whether the OS says software simulated it (`sourceInformation`, iOS 15+). The
// clock screen decides what a fix, a refusal or a timeout means (ClockLocation hands them on).
// Apple only: compiled on a Mac.

#if canImport(CoreLocation)
import CoreLocation
import Foundation

public final class CoreLocationProvider: NSObject, LocationProvider, CLLocationManagerDelegate, @unchecked Sendable {
    private let manager = CLLocationManager()
    private var authorizationWaiters: [CheckedContinuation<LocationAuthorization, Never>] = []
    private var fixWaiter: CheckedContinuation<PlatformFix, Error>?
    /// Which request the waiter belongs to: an earlier request's timeout never ends a later one.
    private var request = 0

    public override init() {
        super.init()
        manager.delegate = self
        manager.desiredAccuracy = kCLLocationAccuracyBest
    }

    public func authorization() -> LocationAuthorization {
        guard CLLocationManager.locationServicesEnabled() else { return .servicesOff }
        switch manager.authorizationStatus {
        case .notDetermined: return .notDetermined
        case .denied: return .denied
        case .restricted: return .restricted
        case .authorizedAlways: return .always
        case .authorizedWhenInUse: return .whenInUse
        @unknown default: return .denied
        }
    }

    @MainActor
    public func requestWhenInUse() async -> LocationAuthorization {
        await withCheckedContinuation { continuation in
            authorizationWaiters.append(continuation)
            manager.requestWhenInUseAuthorization()
        }
    }

    @MainActor
    public func oneShotFix(timeout: TimeInterval) async throws -> PlatformFix {
        try await withCheckedThrowingContinuation { continuation in
            fixWaiter?.resume(throwing: LocationFailure.timedOut)
            fixWaiter = continuation
            request += 1
            let this = request
            manager.requestLocation()
            DispatchQueue.main.asyncAfter(deadline: .now() + timeout) { [weak self] in
                guard let self, self.request == this else { return }
                self.finish(.failure(LocationFailure.timedOut))
            }
        }
    }

    private func finish(_ result: Result<PlatformFix, Error>) {
        guard let waiter = fixWaiter else { return }
        fixWaiter = nil
        waiter.resume(with: result)
    }

    public func locationManagerDidChangeAuthorization(_ manager: CLLocationManager) {
        let now = authorization()
        guard now != .notDetermined else { return }
        let waiters = authorizationWaiters
        authorizationWaiters = []
        for waiter in waiters {
            waiter.resume(returning: now)
        }
    }

    public func locationManager(_ manager: CLLocationManager, didUpdateLocations locations: [CLLocation]) {
        guard let location = locations.last else { return }
        finish(.success(PlatformFix(
            lat: location.coordinate.latitude,
            lon: location.coordinate.longitude,
            accuracyM: location.horizontalAccuracy,
            timestamp: location.timestamp,
            simulatedBySoftware: location.sourceInformation?.isSimulatedBySoftware ?? false
        )))
    }

    public func locationManager(_ manager: CLLocationManager, didFailWithError error: Error) {
        switch (error as? CLError)?.code {
        case .denied?: finish(.failure(LocationFailure.denied))
        case .locationUnknown?: return // CoreLocation keeps trying until the timeout
        default: finish(.failure(LocationFailure.timedOut))
        }
    }
}
#endif
