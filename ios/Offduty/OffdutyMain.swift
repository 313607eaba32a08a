// The iOS officer app's entry point: it builds the core with the platform services (the
// signing key in the Secure Enclave, or a Keychain software key on the Simulator; the session in
// the Keychain; the device's clocks), and forwards the phone's events to AppModel: launch,
// foreground, the network back (NWPathMonitor), background refresh (BGAppRefreshTask), pushes,
// the APNs token, a tapped notification and links. Every decision is the core's.
//
// Apple only (SwiftUI, UIKit): parsed by scripts/swift-check.sh here, compiled on a Mac.

#if canImport(SwiftUI) && canImport(UIKit)
import OffdutyApp
import OffdutyCore
import SwiftUI
import UIKit
import UserNotifications

@main
struct OffdutyMain: App {
    @UIApplicationDelegateAdaptor(AppDelegate.self) private var delegate
    @Environment(\.scenePhase) private var scenePhase

    var body: some Scene {
        WindowGroup {
            Group {
                if let model = delegate.model {
                    RootView(model: model)
                } else {
                    StartupFailureView(message: delegate.startupError ?? appLabels.startupFailed)
                }
            }
            .onOpenURL { url in
                guard let model = delegate.model else { return }
                Task { await model.openLink(url.absoluteString) }
            }
        }
        .onChange(of: scenePhase) { phase in
            guard let model = delegate.model else { return }
            switch phase {
            case .active: Task { await model.enteredForeground() }
            case .background: BackgroundRefresh.schedule()
            default: break
            }
        }
    }
}

final class AppDelegate: NSObject, UIApplicationDelegate, UNUserNotificationCenterDelegate {
    private(set) var model: AppModel?
    private(set) var startupError: String?
    private let network = SystemNetworkPath()

    func application(
        _ application: UIApplication,
        didFinishLaunchingWithOptions launchOptions: [UIApplication.LaunchOptionsKey: Any]? = nil
    ) -> Bool {
        do {
            model = try makeModel()
        } catch {
            startupError = "\(error)"
            return true
        }
        guard let model else { return true }
        BackgroundRefresh.register(model)
        network.start { satisfied in
            Task { await model.networkPathChanged(satisfied: satisfied) }
        }
        UNUserNotificationCenter.current().delegate = self
        UNUserNotificationCenter.current().requestAuthorization(options: [.alert, .badge, .sound]) { granted, _ in
            guard granted else { return }
            DispatchQueue.main.async { application.registerForRemoteNotifications() }
        }
        Task { await model.launched() }
        return true
    }

    private func makeModel() throws -> AppModel {
        let support = try FileManager.default.url(
            for: .applicationSupportDirectory, in: .userDomainMask, appropriateFor: nil, create: true
        )
        let key = try DeviceKey.choose(AppleKeySource())
        let server = Bundle.main.object(forInfoDictionaryKey: "OffdutyServerURL") as? String ?? "http://127.0.0.1:8080"
        let app = try OfficerApp(
            dbPath: support.appendingPathComponent("offduty.db").path,
            serverUrl: server,
            signer: key.signer,
            secrets: KeychainSecretStore(),
            clock: SystemDeviceClock()
        )
        return AppModel(
            app: app,
            platform: DevicePlatform(keyStorage: key.storage, deviceLabel: UIDevice.current.name),
            location: { CoreLocationProvider() }
        )
    }

    // MARK: - APNs

    func application(_ application: UIApplication, didRegisterForRemoteNotificationsWithDeviceToken deviceToken: Data) {
        guard let model else { return }
        Task { await model.pushToken(deviceToken) }
    }

    func application(
        _ application: UIApplication,
        didReceiveRemoteNotification userInfo: [AnyHashable: Any],
        fetchCompletionHandler completionHandler: @escaping (UIBackgroundFetchResult) -> Void
    ) {
        guard let model else { return completionHandler(.noData) }
        Task {
            let outcome = await model.pushReceived(userInfo)
            completionHandler(outcome.synced ? .newData : .noData)
        }
    }

    func userNotificationCenter(
        _ center: UNUserNotificationCenter,
        willPresent notification: UNNotification,
        withCompletionHandler completionHandler: @escaping (UNNotificationPresentationOptions) -> Void
    ) {
        if let model {
            let userInfo = notification.request.content.userInfo
            Task { await model.pushReceived(userInfo) }
        }
        completionHandler([.banner, .list, .sound])
    }

    func userNotificationCenter(
        _ center: UNUserNotificationCenter,
        didReceive response: UNNotificationResponse,
        withCompletionHandler completionHandler: @escaping () -> Void
    ) {
        guard let model else { return completionHandler() }
        let userInfo = response.notification.request.content.userInfo
        Task {
            await model.notificationTapped(userInfo)
            completionHandler()
        }
    }
}

/// Shown only when the database or the key cannot be opened at all.
struct StartupFailureView: View {
    let message: String

    var body: some View {
        VStack(spacing: 12) {
            Image(systemName: "exclamationmark.triangle")
                .font(.largeTitle)
                .accessibilityHidden(true)
            Text(message)
                .multilineTextAlignment(.center)
        }
        .padding()
    }
}
#endif
