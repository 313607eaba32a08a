// The sign-in, board and job screens driven from Swift through the generated bindings, against
// the real library and a real demo server: Swift draws only what Rust decides (rows, labels,
// badges as enums, the actions offered with their confirmations, notices) and hears of every
// change through a `ScreenListener`. Jobs are chosen by the state's enums, never by English.
// The JVM does the same (tests/kotlin/SignInScreenTest.kt, JobScreenTest.kt, OfficerAppTest.kt).

import Foundation
import XCTest

import OffdutyCore

final class SignInScreenTests: ScreensTestCase {
    func testFieldErrorsAreTypedAndTheServerMustBeReachable() async throws {
        let form = OfficerScreens(app: try newApp()).signIn()
        form.setEmail(email: "officer132@columbus.demo")
        form.setPassword(password: DemoServer.password)

        form.setServer(server: "  ")
        await form.submit()
        var errors = form.state().errors
        XCTAssertEqual(errors.map(\.field), [.server])
        XCTAssertEqual(errors.map(\.code), [.required])
        XCTAssertFalse(errors[0].text.isEmpty)

        // Plain http to anything but this machine is refused before anything is sent.
        form.setServer(server: "http://detail.columbus.example")
        await form.submit()
        errors = form.state().errors
        XCTAssertEqual(errors.map(\.field), [.server])
        XCTAssertEqual(errors.map(\.code), [.badFormat])

        form.setServer(server: try server.baseURL)
        form.setEmail(email: "")
        await form.submit()
        errors = form.state().errors
        XCTAssertEqual(errors.map(\.field), [.email])
        XCTAssertEqual(errors.map(\.code), [.required])
        XCTAssertNil(form.state().signedIn)

        form.openLink(link: "mailto:someone@columbus.demo")
        XCTAssertEqual(form.state().errors.map(\.field), [.server])
    }

    func testTheDepartmentLinkFillsTheFormAndTheOfficerSignsIn() async throws {
        let baseURL = try server.baseURL
        // The app was built for another department's server; the link names this one.
        let app = try newApp(serverUrl: "https://detail.dublin.example")
        let form = OfficerScreens(app: app).signIn()
        let heard = CountingListener()
        form.setListener(listener: heard)
        XCTAssertEqual(form.state().server, "https://detail.dublin.example")
        XCTAssertNil(form.state().secrets)

        form.setPlatform(platform: SignInPlatform(sessionVault: .keychain, keyVault: .secureEnclave, deviceLabel: "Swift phone"))
        let secrets = try XCTUnwrap(form.state().secrets)
        XCTAssertTrue(secrets.contains("Keychain") && secrets.contains("Secure Enclave"), secrets)

        let email = "officer131@columbus.demo"
        form.openLink(link: "offduty://sign-in?server=\(urlEncoded(baseURL))&email=\(urlEncoded(email))")
        var s = form.state()
        XCTAssertTrue(s.errors.isEmpty)
        XCTAssertEqual(s.server, baseURL)
        XCTAssertEqual(s.email, email)
        XCTAssertFalse(s.canSubmit, "no password yet")

        // A wrong password: the server's sentence on the form, the password field emptied.
        form.setPassword(password: "not the password")
        XCTAssertTrue(form.state().passwordEntered)
        XCTAssertTrue(form.state().canSubmit)
        await form.submit()
        s = form.state()
        XCTAssertEqual(s.formError, "wrong e-mail or password")
        XCTAssertFalse(s.passwordEntered)
        XCTAssertNil(s.signedIn)
        XCTAssertEqual(app.serverUrl(), baseURL)

        form.setPassword(password: DemoServer.password)
        await form.submit()
        s = form.state()
        let signedIn = try XCTUnwrap(s.signedIn)
        XCTAssertEqual(signedIn.email, email)
        XCTAssertEqual(signedIn.server, baseURL)
        XCTAssertFalse(signedIn.displayName.isEmpty)
        XCTAssertEqual(s.sync.kind, .synced)
        XCTAssertNil(s.formError)
        XCTAssertFalse(s.busy)
        XCTAssertGreaterThanOrEqual(heard.count, 3, "told while signing in")
        XCTAssertEqual(try app.session()?.email, email)
        try await app.logout(force: true)
    }
}

final class BoardScreenTests: ScreensTestCase {
    func testTheBoardIsDrawnFromRustStateAndHearsOfEverySync() async throws {
        let app = try newApp()
        let screens = OfficerScreens(app: app)
        let board = screens.board()
        let before = board.state()
        XCTAssertEqual(before.sync.kind, .never)
        XCTAssertTrue(before.rows.isEmpty)
        XCTAssertNotNil(before.empty, "an empty board says why")

        _ = try await app.login(email: "officer105@columbus.demo", password: DemoServer.password, deviceLabel: "Swift")
        let heard = CountingListener()
        board.setListener(listener: heard)
        await board.refresh()
        XCTAssertGreaterThanOrEqual(heard.count, 2, "told when the sync started and ended")
        XCTAssertEqual(heard.threads, ["offduty-core"], "told on the library's threads")
        var s = board.state()
        XCTAssertEqual(s.sync.kind, .synced)
        XCTAssertNotNil(s.sync.lastSync)
        XCTAssertEqual(s.sync.pending, 0)
        XCTAssertFalse(s.refreshing)
        XCTAssertNil(s.empty)
        XCTAssertEqual(s.sort, .soonest)
        XCTAssertGreaterThanOrEqual(s.rows.count, 10, "the demo board has jobs")
        XCTAssertEqual(s.rows.map(\.startsAt), s.rows.map(\.startsAt).sorted(), "soonest first")
        XCTAssertFalse(s.jobTypes.isEmpty)
        for row in s.rows {
            XCTAssertFalse(row.title.isEmpty || row.when.isEmpty || row.pay.isEmpty || row.slots.isEmpty)
            XCTAssertFalse(row.awardLabel.isEmpty || row.eligibilityText.isEmpty)
        }

        // The officer claims one: the row shows it waiting, then theirs once synced.
        let row = try claimable(board)
        XCTAssertTrue(row.pay.hasSuffix("/h"), row.pay)
        _ = try app.claim(jobId: row.jobId)
        func mine() throws -> BoardRow {
            try XCTUnwrap(board.state().rows.first { $0.jobId == row.jobId })
        }
        XCTAssertEqual(try mine().standing, .pending)
        XCTAssertEqual(board.state().sync.pending, 1)
        let told = heard.count
        try await screens.sync()
        XCTAssertGreaterThan(heard.count, told, "a sync from the root tells the board")
        XCTAssertEqual(try mine().standing, .holding)
        XCTAssertFalse(try mine().standingText.isEmpty)
        XCTAssertEqual(board.state().sync.pending, 0)

        // Filters: only what pays $50/h or more and the officer may work.
        board.setFilters(filters: BoardFilters(
            nearMe: false, radiusKm: 25, from: nil, to: nil, minHourlyCents: 5_000, jobTypes: [], onlyEligible: true
        ))
        s = board.state()
        XCTAssertEqual(s.filters.minHourlyCents, 5_000)
        XCTAssertTrue(s.filters.onlyEligible)
        XCTAssertTrue(s.rows.allSatisfy { $0.eligibility == .eligible })
        XCTAssertTrue(s.filterSummary.contains("$50.00/h"), s.filterSummary)

        // Nearest first once the phone knows where it is.
        board.setSort(sort: .nearest)
        board.setLocation(lat: 40.0017, lon: -83.0197)
        s = board.state()
        XCTAssertEqual(s.sort, .nearest)
        XCTAssertTrue(s.rows.allSatisfy { $0.distance != nil }, "every row shows its distance")
        board.setListener(listener: nil)
    }
}

final class JobScreenTests: ScreensTestCase {
    func testTheJobScreenOffersItsActionsAndAClaimChangesTheStanding() async throws {
        let phone = try await phone("officer133@columbus.demo")
        let board = phone.screens.board()
        board.setFilters(filters: Self.workable)
        let row = try claimable(board)
        let job = phone.screens.job(jobId: row.jobId)
        let heard = CountingListener()
        job.setListener(listener: heard)

        var s = job.state()
        XCTAssertNil(s.missing)
        XCTAssertEqual(s.jobId, row.jobId)
        let detail = try XCTUnwrap(s.detail)
        XCTAssertEqual(detail.title, row.title)
        XCTAssertEqual(detail.when, row.when)
        XCTAssertEqual(detail.award, .firstCome)
        XCTAssertEqual(detail.eligibility, .eligible)
        XCTAssertEqual(detail.standing, StandingKind.none)
        XCTAssertEqual(detail.signup, .open)
        XCTAssertTrue(detail.reasons.isEmpty)
        XCTAssertFalse(detail.awardDecides.isEmpty)
        switch detail.fence {
        case let .circle(_, radiusM): XCTAssertGreaterThan(radiusM, 0)
        case let .polygon(vertices): XCTAssertGreaterThanOrEqual(vertices.count, 3)
        }
        XCTAssertEqual(s.actions.map(\.kind), [.claim])
        XCTAssertTrue(s.actions[0].enabled)
        XCTAssertNil(s.actions[0].disabledReason)
        let claimConfirm = try XCTUnwrap(s.actions[0].confirm, "a claim is confirmed first")
        XCTAssertFalse(claimConfirm.message.isEmpty || claimConfirm.confirmLabel.isEmpty)

        // The officer confirms: claimed, synced, the shift theirs; the buttons change.
        await job.perform(kind: .claim, reason: nil)
        s = job.state()
        XCTAssertEqual(s.notice?.kind, .success)
        XCTAssertEqual(s.detail?.standing, .holding)
        XCTAssertFalse(s.busy)
        // Near the start, "Running late" and "Won't make it" join them (tested below).
        XCTAssertEqual(
            s.actions.map(\.kind).filter { $0 != .runningLate && $0 != .wontMakeIt },
            [.cancel, .transfer, .offer])
        let cancel = s.actions[0]
        let terms = try phone.app.cancelTerms(jobId: row.jobId)
        XCTAssertEqual(cancel.confirm?.message, terms.text, "the window, said before confirming")
        XCTAssertEqual(cancel.enabled, terms.window != .callCoordinator)
        XCTAssertNotNil(cancel.confirm?.reasonLabel, "a cancel asks for an optional reason")
        XCTAssertGreaterThanOrEqual(heard.count, 3, "told of the claim and its sync")
        job.dismissNotice()
        XCTAssertNil(job.state().notice)

        // Hand-on: the colleague search opens; the board is the other way.
        await job.perform(kind: .transfer, reason: nil)
        var panel = try XCTUnwrap(job.state().transfer)
        XCTAssertEqual(panel.jobId, row.jobId)
        XCTAssertNotNil(panel.hint)
        XCTAssertEqual(panel.offer?.kind, .offer)
        await job.searchOfficers(query: "an")
        panel = try XCTUnwrap(job.state().transfer)
        XCTAssertFalse(panel.searching)
        XCTAssertFalse(panel.offline)
        XCTAssertFalse(panel.results.isEmpty)
        let me = try XCTUnwrap(phone.app.session()).officerId
        XCTAssertFalse(panel.results.contains { $0.officerId == me }, "not oneself")
        XCTAssertTrue(panel.results.allSatisfy { $0.confirm.message.contains($0.displayName) })
        job.closeTransfer()
        XCTAssertNil(job.state().transfer)
        job.setListener(listener: nil)
    }

    func testNearTheStartTheOfficerCanSayRunningLateOrWontMakeIt() async throws {
        let phone = try await phone("officer134@columbus.demo")
        let board = phone.screens.board()
        board.setFilters(filters: Self.workable)
        let row = try claimable(board)
        let job = phone.screens.job(jobId: row.jobId)
        await job.perform(kind: .claim, reason: nil)
        XCTAssertEqual(job.state().detail?.standing, .holding)
        XCTAssertTrue(job.state().lateChoices.isEmpty, "days ahead: not yet")

        // The shift now starts in 40 minutes.
        try server.moveJob(row.jobId, startsAgoMinutes: -40, hours: 4)
        await job.refresh()
        var s = job.state()
        XCTAssertEqual(s.actions.map(\.kind), [.cancel, .transfer, .runningLate, .wontMakeIt, .offer])
        XCTAssertEqual(s.lateChoices.map(\.minutes), [5, 10, 15, 30, 60])
        XCTAssertFalse(s.lateTitle.isEmpty)

        await job.reportLate(minutes: 15)
        s = job.state()
        XCTAssertEqual(s.notice?.kind, .success)
        XCTAssertTrue(s.notice?.text.hasPrefix("Running late") ?? false, s.notice?.text ?? "")
        XCTAssertEqual(s.detail?.standing, .holding, "still the officer's shift")

        let giveUp = try XCTUnwrap(s.actions.first { $0.kind == .wontMakeIt })
        let terms = try XCTUnwrap(giveUp.confirm).message
        XCTAssertTrue(terms.contains("late cancellation"), terms)
        await job.perform(kind: .wontMakeIt, reason: "flat tyre")
        s = job.state()
        XCTAssertEqual(s.notice?.kind, .success)
        XCTAssertEqual(s.detail?.standing, .left)
        XCTAssertTrue(s.lateChoices.isEmpty)
    }

    func testAJobThatIsNotOnThePhoneSaysSo() async throws {
        let job = OfficerScreens(app: try newApp()).job(jobId: "not-a-job")
        let s = job.state()
        XCTAssertNil(s.detail)
        XCTAssertNotNil(s.missing)
        XCTAssertTrue(s.actions.isEmpty)
        await job.perform(kind: .claim, reason: nil)
        XCTAssertEqual(job.state().notice?.kind, .refused)
    }
}
