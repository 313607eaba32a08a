// My shifts and the activity screen driven from Swift through the generated bindings, against
// the real library and a real demo server: sections and rows as Rust decides them, an offer, a
// hand-on to a colleague found by name, a cancel with the window said before confirming; an
// action a server refuses (a refusing proxy in front of it) shown wedged, retried, another
// discarded. The JVM does the same (tests/kotlin/MyShiftsScreenTest.kt, ActivityScreenTest.kt).

import Foundation
import XCTest

import OffdutyCore

final class MyShiftsScreenTests: ScreensTestCase {
    private func row(_ shifts: ShiftsScreen, _ job: String) -> (ShiftSectionKind, ShiftRow)? {
        for section in shifts.state().sections {
            if let row = section.rows.first(where: { $0.jobId == job }) { return (section.kind, row) }
        }
        return nil
    }

    func testAShiftIsOfferedHandedToAColleagueAndCancelled() async throws {
        let job = try await server.postJob(days: 12, slots: 2)
        // Two officers the core says may work it (demo officers have on-duty shifts).
        var phones: [TestPhone] = []
        for n in 171 ... 199 where phones.count < 2 {
            let phone = try await phone("officer\(n)@columbus.demo")
            if try phone.app.job(jobId: job, near: nil).eligible { phones.append(phone) }
        }
        XCTAssertEqual(phones.count, 2, "two demo officers may work the job")
        let (mine, theirs) = (phones[0], phones[1])

        let shifts = mine.screens.shifts()
        let heard = CountingListener()
        shifts.setListener(listener: heard)
        XCTAssertNil(row(shifts, job))
        await mine.screens.job(jobId: job).perform(kind: .claim, reason: nil)

        var (section, r) = try XCTUnwrap(row(shifts, job))
        XCTAssertEqual(section, .upcoming)
        XCTAssertEqual(r.standing, .holding)
        XCTAssertNil(r.pending)
        XCTAssertEqual(r.actions.map(\.kind), [.cancel, .transfer, .offer])
        XCTAssertGreaterThanOrEqual(heard.count, 2, "told of the claim made on the job screen")
        XCTAssertNil(shifts.state().empty)

        // Offered on the board: still the officer's, the offer button gone.
        await shifts.perform(jobId: job, kind: .offer, reason: nil)
        XCTAssertEqual(shifts.state().notice?.kind, .success)
        r = try XCTUnwrap(row(shifts, job)).1
        XCTAssertEqual(r.standing, .offered)
        XCTAssertEqual(r.actions.map(\.kind), [.cancel, .transfer])

        // Handed to the colleague, found by name.
        let colleague = try XCTUnwrap(theirs.app.session())
        await shifts.perform(jobId: job, kind: .transfer, reason: nil)
        await shifts.searchOfficers(query: colleague.displayName)
        let match = try XCTUnwrap(shifts.state().transfer?.results.first { $0.officerId == colleague.officerId })
        XCTAssertTrue(match.confirm.message.contains(colleague.displayName))
        await shifts.transferTo(officerId: match.officerId)
        var s = shifts.state()
        XCTAssertEqual(s.notice?.kind, .success, s.notice?.text ?? "")
        XCTAssertNil(s.transfer)
        XCTAssertNil(row(shifts, job), "no longer the officer's")

        // The colleague holds it, and gives it up: the window is said before confirming.
        let theirShifts = theirs.screens.shifts()
        await theirShifts.refresh()
        (section, r) = try XCTUnwrap(row(theirShifts, job))
        XCTAssertEqual(section, .upcoming)
        XCTAssertEqual(r.standing, .holding)
        let cancel = try XCTUnwrap(r.actions.first { $0.kind == .cancel })
        let terms = try theirs.app.cancelTerms(jobId: job)
        XCTAssertEqual(cancel.confirm?.message, terms.text)
        XCTAssertEqual(terms.window, .free, "twelve days ahead: free to cancel")
        XCTAssertTrue(cancel.enabled)
        await theirShifts.perform(jobId: job, kind: .cancel, reason: "Swift test: called in for court")
        s = theirShifts.state()
        XCTAssertEqual(s.notice?.kind, .success, s.notice?.text ?? "")
        XCTAssertNil(row(theirShifts, job), "the cancelled shift is gone from the list")
        XCTAssertEqual(try theirs.app.job(jobId: job, near: nil).standing.kind, .left)
        shifts.setListener(listener: nil)
    }
}

final class ActivityScreenTests: ScreensTestCase {
    func testAWedgedActionIsRetriedAndAnotherDiscarded() async throws {
        let proxy = try RefusingProxy(upstream: try server.baseURL, refusing: RefusingProxy.actions)
        defer { proxy.stop() }
        let phone = try await phone("officer141@columbus.demo", url: proxy.url)
        let screens = phone.screens
        let activity = screens.activity()
        let heard = CountingListener()
        activity.setListener(listener: heard)
        XCTAssertNotNil(activity.state().empty, "nothing waits")
        let board = screens.board()
        board.setFilters(filters: Self.workable)
        let first = try claimable(board)

        // The server refuses the claim: the queue gives up on it, and the screen says why.
        proxy.refusing = true
        await screens.job(jobId: first.jobId).perform(kind: .claim, reason: nil)
        var s = activity.state()
        XCTAssertTrue(s.pending.isEmpty)
        XCTAssertEqual(s.wedged.count, 1)
        let wedged = try XCTUnwrap(s.wedged.first)
        XCTAssertEqual(wedged.kind, .claim)
        XCTAssertEqual(wedged.jobId, first.jobId)
        XCTAssertEqual(wedged.jobTitle, first.title)
        XCTAssertTrue(wedged.wedgedReason?.contains(RefusingProxy.actionRefusal) ?? false, wedged.wedgedReason ?? "")
        XCTAssertNotNil(wedged.retryLabel)
        XCTAssertNotNil(wedged.discardLabel)
        XCTAssertTrue(wedged.discardConfirm?.message.contains(first.title) ?? false)
        XCTAssertEqual(s.sync.wedged, 1)
        XCTAssertNil(s.empty)
        XCTAssertGreaterThanOrEqual(heard.count, 2, "told of the claim and the sync")

        // Retried once the server reads it: sent, the shift the officer's.
        proxy.refusing = false
        await activity.retry(key: wedged.key)
        s = activity.state()
        XCTAssertEqual(s.notice?.kind, .success, s.notice?.text ?? "")
        XCTAssertNotNil(s.empty)
        XCTAssertEqual(screens.job(jobId: first.jobId).state().detail?.standing, .holding)

        // Another refused claim, discarded after the confirmation.
        let second = try claimable(board)
        proxy.refusing = true
        let job = screens.job(jobId: second.jobId)
        await job.perform(kind: .claim, reason: nil)
        XCTAssertEqual(job.state().notice?.kind, .failure)
        XCTAssertEqual(job.state().detail?.standing, .wedged)
        XCTAssertNotNil(job.state().detail?.wedged)
        let key = try XCTUnwrap(activity.state().wedged.first).key
        activity.discard(key: key)
        s = activity.state()
        XCTAssertEqual(s.notice?.kind, .success, s.notice?.text ?? "")
        XCTAssertNotNil(s.empty)
        XCTAssertTrue(s.wedged.isEmpty)
        XCTAssertEqual(job.state().detail?.standing, StandingKind.none)
        XCTAssertNil(job.state().detail?.refused)
        activity.setListener(listener: nil)
        try await phone.app.logout(force: true)
    }
}
