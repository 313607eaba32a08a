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
    /// The models of the screens pushed on a tab's stack, while they are on one.
    private var pushed: [Destination: AnyObject] = [:]
    private var clockModel: (job: String?, model: ClockModel)?
    private var signInModel: SignInModel?
    private let network = NetworkWatcher()
    private let makeLocation: (() -> LocationProvider)?
    private var location: ClockLocation?

    /// `location` makes the phone's location provider (CoreLocation in the app), once, when the
    /// clock first needs it.
    public init(
        app: OfficerApp,
        platform: DevicePlatform,
        delivery: StateDelivery = .mainQueue,
        location: (() -> LocationProvider)? = nil
    ) {
        self.app = app
        screens = OfficerScreens(app: app)
        self.platform = platform
        self.delivery = delivery
        makeLocation = location
        session = (try? app.session()) != nil
    }

    /// The clock's location step, made once for the app (nil without a location provider).
    public var clockLocation: ClockLocation? {
        lock.lock()
        defer { lock.unlock() }
        if location == nil, let makeLocation {
            location = ClockLocation(provider: makeLocation())
        }
        return location
    }

    // MARK: - What the views bind to

    public var navigation: Navigation {
        get { lock.lock(); defer { lock.unlock() }; return nav }
        set {
            willChange()
            lock.lock()
            nav = newValue
            prunePushed()
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
        // The form is done with once signed in; after a sign-out the next one starts afresh.
        signInModel = nil
        if !now {
            nav = Navigation()
            prunePushed()
            clockModel = nil
        }
        lock.unlock()
    }

    private func willChange() {
        #if canImport(Combine)
        objectWillChange.send()
        #endif
    }

    // MARK: - The screens' view models

    // A view's `body` runs on every redraw, and a destination's view is built again each time
    // its stack redraws: each call below returns the model made the first time (the Rust
    // screen object and its listener are made once), until the screen goes away.

    /// The sign-in form, told where this device keeps its secrets; the same one until an
    /// officer signs in.
    public func signIn() -> SignInModel {
        lock.lock()
        if let model = signInModel {
            lock.unlock()
            return model
        }
        lock.unlock()
        let screen = screens.signIn()
        screen.setPlatform(platform: platform.signIn)
        let model = SignInModel(screen, delivery: delivery)
        lock.lock()
        defer { lock.unlock() }
        if let other = signInModel { return other }
        signInModel = model
        return model
    }

    public var board: BoardModel { tabModel(.jobs) { BoardModel(self.screens.board(), delivery: self.delivery) } }
    public var shifts: ShiftsModel { tabModel(.myShifts) { ShiftsModel(self.screens.shifts(), delivery: self.delivery) } }
    public var earnings: EarningsModel { tabModel(.earnings) { EarningsModel(self.screens.earnings(), delivery: self.delivery) } }
    /// A new history screen (past shifts by month, the PDF), owned by the view that shows it.
    public func history() -> HistoryModel { HistoryModel(screens.history(), delivery: delivery) }
    public var settings: SettingsModel {
        tabModel(.settings) {
            SettingsModel(
                self.screens.settings(storage: self.app.storageNotice(), platform: self.platform.signIn),
                delivery: self.delivery
            )
        }
    }

    /// The clock tab, on the job of the last route that named one (else the shift the core
    /// picks): the same model until a route names another job.
    public func clock() -> ClockModel {
        let job = navigation.clockJob
        lock.lock()
        if let current = clockModel, current.job == job {
            lock.unlock()
            return current.model
        }
        lock.unlock()
        let model = ClockModel(screens.clock(jobId: job), delivery: delivery)
        lock.lock()
        defer { lock.unlock() }
        if let current = clockModel, current.job == job { return current.model }
        clockModel = (job, model)
        return model
    }

    /// A pushed screen's model: made the first time its view asks, kept while the destination
    /// is on a tab's stack, dropped when it is popped.
    public func job(_ id: String) -> JobModel {
        pushedModel(.job(id: id)) { JobModel(self.screens.job(jobId: id), delivery: self.delivery) }
    }

    public func inbox() -> InboxModel {
        pushedModel(.inbox) { InboxModel(self.screens.inbox(), delivery: self.delivery) }
    }

    public func activity() -> ActivityModel {
        pushedModel(.activity) { ActivityModel(self.screens.activity(), delivery: self.delivery) }
    }

    private func pushedModel<M: AnyObject>(_ destination: Destination, _ make: () -> M) -> M {
        lock.lock()
        if let model = pushed[destination] as? M {
            lock.unlock()
            return model
        }
        lock.unlock()
        let model = make()
        lock.lock()
        defer { lock.unlock() }
        if let other = pushed[destination] as? M { return other }
        pushed[destination] = model
        return model
    }

    /// Drops the models of destinations no longer on any stack (called with the lock held).
    private func prunePushed() {
        let onStacks = Set(nav.paths.values.joined())
        pushed = pushed.filter { onStacks.contains($0.key) }
    }

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
