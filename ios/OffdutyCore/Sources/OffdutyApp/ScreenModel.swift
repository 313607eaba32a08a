// The view model of every screen: it holds the Rust screen object, is its `ScreenListener`, and
// on `changed()` reads `state()` again and publishes it (decision 027). It keeps no screen state
// of its own and decides nothing: views draw `state` and call the intents on `screen`.
//
// On Apple platforms the model is an `ObservableObject` (iOS 15+; `@Observable` would need
// iOS 17, and `import Observation` does not link with Swift 6.0.3 on Linux, decision 026);
// on Linux, where the tests run, `observe(_:)` is how a change is seen.

import Foundation

import OffdutyCore

#if canImport(Combine)
import Combine
#endif

/// A Rust screen object: its state, and the listener it tells of a change.
public protocol ScreenObject: AnyObject {
    associatedtype State
    func state() -> State
    func setListener(listener: ScreenListener?)
}

extension SignInScreen: ScreenObject {}
extension BoardScreen: ScreenObject {}
extension JobScreen: ScreenObject {}
extension ShiftsScreen: ScreenObject {}
extension ClockScreen: ScreenObject {}
extension EarningsScreen: ScreenObject {}
extension HistoryScreen: ScreenObject {}
extension SettingsScreen: ScreenObject {}
extension ActivityScreen: ScreenObject {}
extension InboxScreen: ScreenObject {}

/// Where a new state is handed over: the main queue in the app (SwiftUI reads it there), the
/// thread that computed it in tests.
public struct StateDelivery: Sendable {
    public let deliver: @Sendable (@escaping @Sendable () -> Void) -> Void

    public init(_ deliver: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void) {
        self.deliver = deliver
    }

    public static let mainQueue = StateDelivery { work in DispatchQueue.main.async(execute: work) }
    public static let immediate = StateDelivery { work in work() }
}

/// One screen's view model.
public final class ScreenModel<Screen: ScreenObject>: @unchecked Sendable {
    /// The Rust screen: the views call its intents.
    public let screen: Screen
    private let delivery: StateDelivery
    private let lock = NSLock()
    private var current: Screen.State
    /// The number of the newest state read, and of the one published: a state read earlier on
    /// another thread and delivered later is dropped, never drawn over a newer one.
    private var read: UInt64 = 0
    private var published: UInt64 = 0
    private var observers: [UUID: (Screen.State) -> Void] = [:]

    public init(_ screen: Screen, delivery: StateDelivery = .mainQueue) {
        self.screen = screen
        self.delivery = delivery
        current = screen.state()
        screen.setListener(listener: Relay(self))
    }

    deinit {
        screen.setListener(listener: nil)
    }

    /// The state to draw (the newest published).
    public var state: Screen.State {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    /// How many states were published since the model was made.
    public var updates: UInt64 {
        lock.lock()
        defer { lock.unlock() }
        return published
    }

    /// Calls `observer` with every state published from now on; keep the token to stop.
    @discardableResult
    public func observe(_ observer: @escaping (Screen.State) -> Void) -> ObservationToken {
        let id = UUID()
        lock.lock()
        observers[id] = observer
        lock.unlock()
        return ObservationToken { [weak self] in
            guard let self else { return }
            self.lock.lock()
            self.observers[id] = nil
            self.lock.unlock()
        }
    }

    /// Reads the state again now (a view appearing; the listener does the rest).
    public func reload() {
        screenChanged()
    }

    /// The listener's `changed()`, on a library thread: read there, publish through the delivery.
    fileprivate func screenChanged() {
        lock.lock()
        read += 1
        let number = read
        lock.unlock()
        let state = screen.state()
        let box = UncheckedBox(state)
        delivery.deliver { [weak self] in
            self?.publish(box.value, number)
        }
    }

    private func publish(_ state: Screen.State, _ number: UInt64) {
        lock.lock()
        guard number > published else {
            lock.unlock()
            return
        }
        lock.unlock()
        #if canImport(Combine)
        objectWillChange.send()
        #endif
        lock.lock()
        published = number
        current = state
        let toTell = Array(observers.values)
        lock.unlock()
        for observer in toTell {
            observer(state)
        }
    }
}

#if canImport(Combine)
extension ScreenModel: ObservableObject {}
#endif

/// Stops an observation when cancelled or dropped.
public final class ObservationToken {
    private let cancelAction: () -> Void
    private var cancelled = false

    init(_ cancel: @escaping () -> Void) {
        cancelAction = cancel
    }

    public func cancel() {
        guard !cancelled else { return }
        cancelled = true
        cancelAction()
    }

    deinit {
        cancel()
    }
}

/// The screen's listener: it holds the model weakly, so a dropped view model is freed and its
/// `deinit` removes the listener from the screen.
private final class Relay<Screen: ScreenObject>: ScreenListener, @unchecked Sendable {
    weak var model: ScreenModel<Screen>?

    init(_ model: ScreenModel<Screen>) {
        self.model = model
    }

    func changed() throws {
        model?.screenChanged()
    }
}

/// Carries a state record (immutable, made of values) across the delivery's thread hop.
private struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

public typealias SignInModel = ScreenModel<SignInScreen>
public typealias BoardModel = ScreenModel<BoardScreen>
public typealias JobModel = ScreenModel<JobScreen>
public typealias ShiftsModel = ScreenModel<ShiftsScreen>
public typealias ClockModel = ScreenModel<ClockScreen>
public typealias EarningsModel = ScreenModel<EarningsScreen>
public typealias HistoryModel = ScreenModel<HistoryScreen>
public typealias SettingsModel = ScreenModel<SettingsScreen>
public typealias ActivityModel = ScreenModel<ActivityScreen>
public typealias InboxModel = ScreenModel<InboxScreen>
