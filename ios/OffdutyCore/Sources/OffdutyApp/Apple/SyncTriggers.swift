// The phone's sync triggers on Apple platforms, each forwarded to AppModel (which hands the
// core an app event; the core decides whether to sync, decision 029): NWPathMonitor for the
// network coming back, BGAppRefreshTask for background refresh. Launch, foreground, push and the
// APNs token are forwarded by the app itself (ios/Offduty/OffdutyMain.swift).
// Apple only: compiled on a Mac.

import Foundation

#if canImport(Network)
import Network

/// NWPathMonitor behind `NetworkPathSource`.
public final class SystemNetworkPath: NetworkPathSource, @unchecked Sendable {
    private let monitor = NWPathMonitor()
    private let queue = DispatchQueue(label: "dev.offduty.network-path")

    public init() {}

    public func start(_ onChange: @escaping @Sendable (Bool) -> Void) {
        monitor.pathUpdateHandler = { path in onChange(path.status == .satisfied) }
        monitor.start(queue: queue)
    }

    public func stop() {
        monitor.cancel()
    }
}
#endif

#if canImport(BackgroundTasks) && os(iOS)
import BackgroundTasks

/// BGAppRefreshTask: registered at launch, scheduled when the app goes to the background; each
/// run is a `periodic` app event (the core syncs when actions wait or the cache is 15 min old).
public enum BackgroundRefresh {
    /// Also listed in Info.plist's BGTaskSchedulerPermittedIdentifiers.
    public static let identifier = "dev.offduty.officer.refresh"

    public static func register(_ model: AppModel) {
        BGTaskScheduler.shared.register(forTaskWithIdentifier: identifier, using: nil) { task in
            schedule()
            let work = Task {
                await model.backgroundRefresh()
                task.setTaskCompleted(success: true)
            }
            task.expirationHandler = { work.cancel() }
        }
    }

    public static func schedule() {
        let request = BGAppRefreshTaskRequest(identifier: identifier)
        request.earliestBeginDate = Date(timeIntervalSinceNow: 15 * 60)
        try? BGTaskScheduler.shared.submit(request)
    }
}
#endif
