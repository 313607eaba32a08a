// A whole officer's day through the iOS app's Swift layer (OffdutyApp), against the real
// library and a demo server behind a proxy that can drop the network: launch, sign in on the
// form, the board, a claim from the job screen, a clock-in made offline (queued on the phone),
// the network back (NWPathMonitor's report) syncing it, the clock-out, the coordinator's
// approval seen on the earnings tab, the APNs token, a tapped notification opening the
// earnings, a background refresh, and signing out from settings. Each step goes through what the
// SwiftUI views call: a view model's state and its screen's intents, and the AppModel's events.

import Foundation
import XCTest

import OffdutyApp
import OffdutyCore

final class AppJourneyTests: ScreensTestCase {
    func testAnOfficersDayThroughTheAppLayer() async throws {
        let server = try self.server
        let proxy = try RefusingProxy(upstream: server.baseURL, refusing: RefusingProxy.actions)
        defer { proxy.stop() }
        let phoneClock = ShiftedClock()
        let key = try DeviceKey.choose(FakeKeySource(enclave: false)) // the Simulator
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("offduty-app-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let core = try OfficerApp(
            dbPath: dir.appendingPathComponent("phone.db").path, serverUrl: proxy.url,
            signer: key.signer, secrets: MemorySecrets(), clock: phoneClock
        )
        let app = AppModel(app: core, platform: DevicePlatform(keyStorage: key.storage, deviceLabel: "Swift app test"),
                           delivery: .immediate)

        // Launch: nobody signed in, so nothing syncs; the sign-in form shows.
        var outcome = await app.launched()
        XCTAssertEqual(outcome.reason, .notSignedIn)
        XCTAssertFalse(app.signedIn)

        let form = app.signIn()
        XCTAssertEqual(form.state.server, proxy.url)
        form.screen.setEmail(email: "officer175@columbus.demo")
        form.screen.setPassword(password: DemoServer.password)
        XCTAssertTrue(form.state.canSubmit)
        await form.screen.submit()
        try eventually("signed in") { form.state.signedIn != nil }
        app.sessionChanged()
        XCTAssertTrue(app.signedIn)
        outcome = await app.enteredForeground()
        XCTAssertEqual(outcome.reason, .fresh, "the sign-in just synced")

        // The board; the officer opens a claimable job and claims it (its confirmation first).
        let board = app.board
        XCTAssertTrue(board === app.board, "one model per tab")
        board.screen.setFilters(filters: Self.workable)
        let row = try claimable(board.screen)
        let job = app.job(row.jobId)
        let claim = try XCTUnwrap(job.state.actions.first { $0.kind == .claim })
        XCTAssertNotNil(claim.confirm)
        await job.screen.perform(kind: .claim, reason: nil)
        try eventually("the claim awarded") { job.state.detail?.standing == .holding }
        try eventually("the board row too") {
            board.state.rows.first { $0.jobId == row.jobId }?.standing == .holding
        }

        // The shift starts; pull to refresh on My shifts brings it.
        try server.moveJob(row.jobId, startsAgoMinutes: 10, hours: 4)
        let shifts = app.shifts
        await shifts.screen.refresh()
        try eventually("my shift listed") {
            shifts.state.sections.flatMap(\.rows).contains { $0.jobId == row.jobId }
        }
        let site = try core.job(jobId: row.jobId, near: nil).location

        // The network goes. Clock in on site: queued on the phone, the sync line says offline.
        proxy.offline = true
        _ = await app.networkPathChanged(satisfied: true) // NWPathMonitor's first report
        let dropped = await app.networkPathChanged(satisfied: false)
        XCTAssertNil(dropped, "losing the network is not an event")
        app.navigation.show(.clock(job: row.jobId))
        let clock = app.clock()
        XCTAssertEqual(clock.state.shift?.jobId, row.jobId)
        let location = FakeLocation(.whenInUse)
        location.result = .success(try FakeLocation.fix(site, phoneClock))
        await ClockLocation(provider: location).serve(clock.screen)
        try eventually("verified on the phone") { clock.state.verdict == .verified }
        await clock.screen.confirm()
        try eventually("queued offline") { clock.state.phase == .queued }
        XCTAssertEqual(clock.state.clockIn?.kind, .in)
        XCTAssertNil(clock.state.clockIn?.serverVerdict)
        XCTAssertEqual(clock.state.sync.pending, 1)
        XCTAssertEqual(clock.state.sync.kind, .offline)

        // The network comes back: the core syncs the punch; the server verifies it.
        proxy.offline = false
        let reported = await app.networkPathChanged(satisfied: true)
        let back = try XCTUnwrap(reported, "a network back is an event")
        XCTAssertTrue(back.synced)
        XCTAssertTrue([SyncReason.pendingActions, .wasOffline].contains(back.reason), "\(back.reason)")
        try eventually("the server's verdict") { clock.state.clockIn?.serverVerdict == .verified }
        XCTAssertEqual(clock.state.sync.pending, 0)
        XCTAssertEqual(clock.state.phase, .decided)

        // Clock out, online.
        clock.screen.start()
        location.result = .success(try FakeLocation.fix(site, phoneClock))
        await ClockLocation(provider: location).serve(clock.screen)
        try eventually("out: verified on the phone") { clock.state.punch == .out && clock.state.verdict == .verified }
        await clock.screen.confirm()
        try eventually("finished") { clock.state.finished && clock.state.clockOut?.serverVerdict == .verified }

        // APNs gives the app its token: sent to the server with a sync.
        outcome = await app.pushToken(Data((0 ..< 32).map { UInt8($0) }))
        XCTAssertTrue(outcome.synced)
        XCTAssertEqual(outcome.reason, .newPushToken)

        // The coordinator approves the timecard; the earnings tab, refreshed, shows it.
        try await server.approveTimecard(of: row.jobId)
        let earnings = app.earnings
        await earnings.screen.refresh()
        try eventually("approved on the earnings tab") {
            earnings.state.periods.flatMap(\.rows).first { $0.jobId == row.jobId }?.status == .approved
        }

        // A notification tapped: the earnings tab opens.
        let route = await app.notificationTapped(["aps": ["alert": "Timecard approved"], "link": "offduty://earnings"])
        XCTAssertEqual(route, .earnings)
        XCTAssertEqual(app.navigation.tab, .earnings)

        // BGAppRefreshTask: fresh, nothing to do.
        outcome = await app.backgroundRefresh()
        XCTAssertFalse(outcome.synced)
        XCTAssertEqual(outcome.reason, .fresh)

        // Settings says where the key is; signing out returns to the form.
        let settings = app.settings
        XCTAssertTrue(settings.state.secrets.contains("software key"), settings.state.secrets)
        await settings.screen.signOut()
        try eventually("signed out") { settings.state.signOut == .signedOut }
        app.sessionChanged()
        XCTAssertFalse(app.signedIn)
        XCTAssertEqual(app.navigation, Navigation())
    }
}
