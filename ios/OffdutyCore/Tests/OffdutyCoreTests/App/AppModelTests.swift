// The iOS app's view models and its location seam against the real library and the demo server:
// a model publishes the screen's new state when Rust says it changed (never an older one over a
// newer), is freed when the view drops it; the clock's location step walks the permission flow
// with a fake CoreLocation, and a denied permission, location services off, a timeout and a
// simulated fix each end where the core says (the clock screen's phase, message and advice).

import Foundation
import XCTest

import OffdutyApp
import OffdutyCore

final class ScreenModelTests: ScreensTestCase {
    func testAModelPublishesWhatRustSaysAndIsFreedWhenDropped() async throws {
        let phone = try await phone("officer171@columbus.demo")
        let board = BoardModel(phone.screens.board(), delivery: .immediate)
        let seen = Locked<[BoardState]>([])
        let token = board.observe { state in seen.mutate { $0.append(state) } }
        XCTAssertEqual(board.updates, 0)

        await board.screen.refresh()
        try eventually("the refresh published") { board.state.sync.kind == .synced && !board.state.rows.isEmpty }
        XCTAssertGreaterThanOrEqual(board.updates, 2, "the sync's start and end")
        XCTAssertEqual(seen.value.last, board.state)
        XCTAssertEqual(board.state, board.screen.state(), "the model holds what Rust says, nothing else")

        // An intent on the screen: the model hears of it.
        let before = board.updates
        board.screen.setSort(sort: .bestPay)
        try eventually("the sort published") { board.state.sort == .bestPay }
        XCTAssertGreaterThan(board.updates, before)
        token.cancel()
        let observed = seen.value.count
        board.screen.setSort(sort: .soonest)
        try eventually("the sort published") { board.state.sort == .soonest }
        XCTAssertEqual(seen.value.count, observed, "a cancelled observation hears nothing")

        // Dropped by its view: freed (the screen's listener holds it weakly).
        weak var dropped: JobModel?
        do {
            let job = JobModel(phone.screens.job(jobId: board.state.rows[0].jobId), delivery: .immediate)
            dropped = job
            XCTAssertNotNil(job.state.detail)
        }
        XCTAssertNil(dropped)
    }

    func testAnOlderStateDeliveredLateIsNotDrawnOverANewerOne() async throws {
        let phone = try await phone("officer172@columbus.demo")
        let held = Locked<[@Sendable () -> Void]>([])
        let late = StateDelivery { work in held.mutate { $0.append(work) } }
        let board = BoardModel(phone.screens.board(), delivery: late)
        board.screen.setSort(sort: .bestPay) // told: state 1 (best pay)
        try eventually("told of the sort") { held.value.count >= 1 }
        let first = held.value.count
        board.screen.setSort(sort: .soonest) // told: state 2 (soonest)
        try eventually("told again") { held.value.count > first }
        // Delivered newest first: the older one arrives last and is dropped.
        for work in held.value.reversed() { work() }
        XCTAssertEqual(board.state.sort, .soonest)
        XCTAssertEqual(board.updates, UInt64(held.value.count))
    }
}

final class ClockLocationTests: ScreensTestCase {
    func testThePermissionFlowAndEveryWayAFixCanFail() async throws {
        let phone = try await phone("officer173@columbus.demo")
        let job = try await holdShiftNow(phone.app)
        let site = try phone.app.job(jobId: job, near: nil).location
        let app = AppModel(app: phone.app, platform: DevicePlatform(keyStorage: .secureEnclave, deviceLabel: "t"),
                           delivery: .immediate)
        let clock = app.clock()
        XCTAssertEqual(clock.state.phase, .waitingForFix)

        // Never asked: the app asks; the officer says no. The screen says why and what to do.
        let location = FakeLocation(.notDetermined)
        location.answer = .denied
        let steps = ClockLocation(provider: location)
        var step = await steps.serve(clock.screen)
        XCTAssertEqual(step, .unavailable(.denied))
        XCTAssertEqual(location.requests, 1)
        XCTAssertEqual(location.fixes, 0)
        try eventually("the model shows it") { clock.state.phase == .locationUnavailable }
        let denied = clock.state
        XCTAssertFalse(denied.needsLocation)
        XCTAssertFalse(denied.message.isEmpty)
        let deniedAdvice = try XCTUnwrap(denied.advice)
        XCTAssertNil(denied.confirmLabel, "nothing to confirm without a fix")
        step = await steps.serve(clock.screen)
        XCTAssertEqual(step, .notNeeded, "the screen asks no more until started again")

        // Location services off for the whole phone: other advice.
        clock.screen.start()
        location.status = .servicesOff
        step = await steps.serve(clock.screen)
        XCTAssertEqual(step, .unavailable(.disabled))
        try eventually("the model shows it") { clock.state.phase == .locationUnavailable }
        XCTAssertNotEqual(clock.state.advice, deniedAdvice)

        // Allowed, but no fix in time.
        clock.screen.start()
        location.status = .whenInUse
        location.result = .failure(.timedOut)
        step = await steps.serve(clock.screen)
        XCTAssertEqual(step, .unavailable(.timedOut))
        XCTAssertEqual(clock.screen.state().phase, .locationUnavailable)

        // A simulated fix on site: the core marks it a mock, and rejects it.
        clock.screen.start()
        location.result = .success(try FakeLocation.fix(site, phone.clock, simulated: true))
        step = await steps.serve(clock.screen)
        guard case .fix = step else { return XCTFail("no fix: \(step)") }
        try eventually("the preview") { clock.state.phase == .preview }
        XCTAssertEqual(clock.state.verdict, .rejected)
        XCTAssertEqual(clock.state.reasons.first?.code, "mock_location")

        // A real fix on site: verified, on the map with its accuracy; asked once in all.
        clock.screen.start()
        location.result = .success(try FakeLocation.fix(site, phone.clock))
        await steps.serve(clock.screen)
        try eventually("the preview") { clock.state.verdict == .verified }
        XCTAssertEqual(clock.state.map?.fix, site)
        XCTAssertEqual(clock.state.map?.accuracyM, 8)
        XCTAssertNotNil(clock.state.confirmLabel)
        XCTAssertEqual(location.requests, 1)
    }
}

/// A value shared with the library's threads.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) {
        stored = value
    }

    var value: Value {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }

    func mutate(_ change: (inout Value) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        change(&stored)
    }
}
