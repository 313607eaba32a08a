// The app as a whole: the core and its screens, a view model per tab, the navigation, and the
// phone's events forwarded to the core, which decides whether to sync (decision 029): launch,
// foreground, the network back, a background refresh, a push, the APNs token, a tapped
// notification and a link. Nothing here decides what a screen shows.

import Foundation

import OffdutyCore

#if canImport(Combine)
import Combine
#endif

public final class AppModel: @unchecked Sendable {
    public let app: OfficerApp
    public let screens: OfficerScreens
    public let platform: DevicePlatform
    public let delivery: StateDelivery
    private let lock = NSLock()
    private var nav = Navigation()
    private var session: Bool
    private var models: [Tab: AnyObject] = [:]
    private let network = NetworkWatcher()

    public init(app: OfficerApp, platform: DevicePlatform, delivery: StateDelivery = .mainQueue) {
        self.app = app
        screens = OfficerScreens(app: app)
        self.platform = platform
        self.delivery = delivery
        session = (try? app.session()) != nil
    }

    // MARK: - What the views bind to

    public var navigation: Navigation {
        get { lock.lock(); defer { lock.unlock() }; return nav }
        set {
            willChange()
            lock.lock()
            nav = newValue
            lock.unlock()
        }
    }

    /// Whether an officer is signed in (the tabs) or not (the sign-in form).
    public var signedIn: Bool {
        lock.lock()
        defer { lock.unlock() }
        return session
    }

    /// Reads the session again: after the sign-in form signed in, or settings signed out.
    public func sessionChanged() {
        let now = (try? app.session()) != nil
        willChange()
        lock.lock()
        session = now
        if !now {
            nav = Navigation()
        }
        lock.unlock()
    }

    private func willChange() {
        #if canImport(Combine)
        objectWillChange.send()
        #endif
    }

    // MARK: - The screens' view models

    /// A new sign-in form, told where this device keeps its secrets.
    public func signIn() -> SignInModel {
        let screen = screens.signIn()
        screen.setPlatform(platform: platform.signIn)
        return SignInModel(screen, delivery: delivery)
    }

    public var board: BoardModel { tabModel(.jobs) { BoardModel(self.screens.board(), delivery: self.delivery) } }
    public var shifts: ShiftsModel { tabModel(.myShifts) { ShiftsModel(self.screens.shifts(), delivery: self.delivery) } }
    public var earnings: EarningsModel { tabModel(.earnings) { EarningsModel(self.screens.earnings(), delivery: self.delivery) } }
    public var settings: SettingsModel {
        tabModel(.settings) {
            SettingsModel(self.screens.settings(
                storage: self.app.storageNotice(),
                secretStore: self.platform.secretStoreText,
                keyStore: self.platform.keyStoreText
            ), delivery: self.delivery)
        }
    }

    /// The clock tab, on the job of the last route that named one (else the shift the core picks).
    public func clock() -> ClockModel {
        ClockModel(screens.clock(jobId: navigation.clockJob), delivery: delivery)
    }

    /// A pushed screen's model (made when the view appears, dropped when it goes).
    public func job(_ id: String) -> JobModel { JobModel(screens.job(jobId: id), delivery: delivery) }
    public func inbox() -> InboxModel { InboxModel(screens.inbox(), delivery: delivery) }
    public func activity() -> ActivityModel { ActivityModel(screens.activity(), delivery: delivery) }

    /// A tab's model lives as long as the app: one per tab, made on first use.
    private func tabModel<M: AnyObject>(_ tab: Tab, _ make: () -> M) -> M {
        lock.lock()
        if let model = models[tab] as? M {
            lock.unlock()
            return model
        }
        lock.unlock()
        let model = make()
        lock.lock()
        defer { lock.unlock() }
        if let other = models[tab] as? M { return other }
        models[tab] = model
        return model
    }

    // MARK: - Sync triggers: the phone's events, handed to the core

    /// The app started: as a foreground, the core syncs if it never did or is stale.
    @discardableResult
    public func launched() async -> EventOutcome {
        await screens.appEvent(event: .foreground)
    }

    @discardableResult
    public func enteredForeground() async -> EventOutcome {
        await screens.appEvent(event: .foreground)
    }

    /// NWPathMonitor's report; only a return of the network is an event.
    @discardableResult
    public func networkPathChanged(satisfied: Bool) async -> EventOutcome? {
        guard network.pathChanged(satisfied: satisfied) else { return nil }
        return await screens.appEvent(event: .networkBack)
    }

    /// BGAppRefreshTask woke the app.
    @discardableResult
    public func backgroundRefresh() async -> EventOutcome {
        await screens.appEvent(event: .periodic)
    }

    /// A push arrived (in the foreground, or a background notification).
    @discardableResult
    public func pushReceived(_ userInfo: [AnyHashable: Any]) async -> EventOutcome {
        await screens.appEvent(event: .pushReceived(payloadJson: PushPayload.json(userInfo)))
    }

    /// APNs issued the device token: the core sends it to the server with the next sync.
    @discardableResult
    public func pushToken(_ token: Data) async -> EventOutcome {
        await screens.appEvent(event: .pushToken(platform: .apns, token: PushToken.hex(token)))
    }

    /// The officer tapped a notification: the core says where it leads and makes the cache
    /// fresh enough; then the app shows it.
    @discardableResult
    public func notificationTapped(_ userInfo: [AnyHashable: Any]) async -> Route {
        await show(screens.onPush(payloadJson: PushPayload.json(userInfo)))
    }

    /// A link (`offduty://…`, `https://<server>/app/…`) opened the app.
    @discardableResult
    public func openLink(_ url: String) async -> Route {
        await show(screens.routeForLink(url: url))
    }

    /// Opens `route` once the core made its data fresh enough (decision 029).
    @discardableResult
    public func show(_ route: Route) async -> Route {
        if signedIn {
            _ = await screens.open(route: route)
        }
        var next = navigation
        next.show(route)
        let settled = next
        delivery.deliver { [self] in navigation = settled }
        return route
    }
}

#if canImport(Combine)
extension AppModel: ObservableObject {}
#endif
