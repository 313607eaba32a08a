// Where a route of the core (a link, a tapped notification, an inbox item) opens in the iOS app:
// which tab, and what is pushed on that tab's NavigationStack. The core decides the route
// (decision 029); this is only the app's layout of its screens.

import Foundation

import OffdutyCore

/// The tab bar: the sections, their order, their titles and which route opens in which are
/// the core's (`chrome()`, `tabForRoute`; Android shows the same); the symbols are iOS's own.
/// The core's frame, read once (its words do not change while the app runs).
public let appFrame: Chrome = chrome()

/// The views' labels (section headers, buttons, fields, accessibility labels), the core's
/// `labels()`: no view writes English of its own. Read once, like the frame.
public let appLabels: Labels = labels()

extension Tab {
    /// The sections in the order the core gives them.
    public static var ordered: [Tab] { appFrame.tabs.map(\.tab) }

    /// The section's title, from the core.
    public var title: String { appFrame.tabs.first { $0.tab == self }?.title ?? "" }

    /// Its SF Symbol.
    public var symbol: String {
        switch self {
        case .jobs: return "list.bullet.rectangle"
        case .myShifts: return "calendar"
        case .clock: return "clock.badge.checkmark"
        case .earnings: return "dollarsign.circle"
        case .settings: return "gearshape"
        }
    }
}

/// A screen pushed on a tab's stack.
public enum Destination: Hashable, Sendable {
    case job(id: String)
    case inbox
    case activity
}

/// The tab shown and each tab's stack; what the views bind to.
public struct Navigation: Equatable, Sendable {
    public var tab: Tab = .jobs
    public var paths: [Tab: [Destination]] = [:]
    /// The job the clock tab is on (nil: the shift the core picks).
    public var clockJob: String?

    public init() {}

    public func path(_ tab: Tab) -> [Destination] {
        paths[tab] ?? []
    }

    /// Shows `route`: its tab, with its stack reset to the route's screen.
    public mutating func show(_ route: Route) {
        // The core says which section a route opens in; this says what it pushes there.
        let tab = tabForRoute(route: route)
        switch route {
        case let .job(id):
            select(tab, [.job(id: id)])
        case .inbox:
            select(tab, [.inbox])
        case .activity:
            select(tab, [.activity])
        case let .clock(job):
            clockJob = job
            select(tab, [])
        case .board, .myShifts, .earnings, .settings:
            select(tab, [])
        }
    }

    private mutating func select(_ tab: Tab, _ path: [Destination]) {
        self.tab = tab
        paths[tab] = path
    }
}

/// A push as the core reads it: APNs' `userInfo` as JSON (the `aps` dictionary included; the
/// core reads `link`, else `kind` and `job_id`).
public enum PushPayload {
    public static func json(_ userInfo: [AnyHashable: Any]) -> String {
        var object: [String: Any] = [:]
        for (key, value) in userInfo {
            if let key = key as? String { object[key] = value }
        }
        guard JSONSerialization.isValidJSONObject(object),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

/// APNs' device token as the server expects it: lowercase hex.
public enum PushToken {
    public static func hex(_ token: Data) -> String {
        token.map { String(format: "%02x", $0) }.joined()
    }
}
