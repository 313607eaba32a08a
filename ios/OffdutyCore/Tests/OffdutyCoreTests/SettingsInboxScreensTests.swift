// The settings and inbox screens, app events and routes, driven from Swift through the
// generated bindings against the real library and a real demo server: a quiet-hours edit
// waits, is refused by the server (a refusing proxy in front of it) with its reason, is
// discarded, then goes through; signing out with unsent actions asks first. A push token
// reaches the server, a push after the coordinator calls a shift off syncs and routes to the
// job, the inbox lists it unread, opening it marks it read; links become routes. The JVM does
// the same (tests/kotlin/SettingsScreenTest.kt, InboxScreenTest.kt).

import Foundation
import XCTest

import OffdutyCore

final class SettingsScreenTests: ScreensTestCase {
    func testAQuietHoursEditIsRefusedDiscardedAndSignOutAsksFirst() async throws {
        let proxy = try RefusingProxy(upstream: try server.baseURL, refusing: RefusingProxy.preferences)
        defer { proxy.stop() }
        proxy.refusing = true
        let phone = try await phone("officer163@columbus.demo", url: proxy.url)
        let platform = SignInPlatform(sessionVault: .keychain, keyVault: .secureEnclave, deviceLabel: "iPhone")
        let settings = phone.screens.settings(storage: phone.app.storageNotice(), platform: platform)
        let heard = CountingListener()
        settings.setListener(listener: heard)
        var s = settings.state()
        XCTAssertEqual(s.quietDays.map(\.day), [.mon, .tue, .wed, .thu, .fri, .sat, .sun])
        XCTAssertTrue(s.quietDays.allSatisfy { !$0.label.isEmpty && !$0.text.isEmpty })
        XCTAssertEqual(Set(s.channels.map(\.channel)), [.push, .sms, .email])
        XCTAssertEqual(s.prefs.kind, .synced)
        XCTAssertNil(s.storage, "a healthy database: no storage notice")
        XCTAssertTrue(s.secrets.contains("Secure Enclave"), s.secrets)
        XCTAssertEqual(s.signOut, .signedIn)
        XCTAssertNotNil(s.account)

        // Quiet hours on Saturday night: shown at once, waiting to be sent.
        settings.setQuietDay(day: .sat, start: "23:00", end: "07:00")
        s = settings.state()
        let saturday = try XCTUnwrap(s.quietDays.first { $0.day == .sat })
        XCTAssertTrue(saturday.quiet)
        XCTAssertEqual(saturday.start, "23:00")
        XCTAssertEqual(saturday.end, "07:00")
        XCTAssertEqual(s.prefs.kind, .pending)
        XCTAssertGreaterThanOrEqual(heard.count, 1)

        // Refused by the server: the reason, the field, the discard button.
        await settings.refresh()
        s = settings.state()
        XCTAssertEqual(s.prefs.kind, .refused)
        XCTAssertEqual(s.prefs.field, "quiet_hours[0]")
        XCTAssertTrue(s.prefs.text.contains(RefusingProxy.preferencesRefusal), s.prefs.text)
        XCTAssertNotNil(s.prefs.discardLabel)
        settings.discardEdit()
        s = settings.state()
        XCTAssertEqual(s.prefs.kind, .synced)
        XCTAssertEqual(s.quietDays.first { $0.day == .sat }?.quiet, false)

        // A bad time: refused on the phone.
        settings.setQuietDay(day: .mon, start: "7pm", end: "06:00")
        XCTAssertEqual(settings.state().notice?.kind, .refused)
        settings.dismissNotice()
        XCTAssertNil(settings.state().notice)

        // Accepted once the proxy lets it through.
        proxy.refusing = false
        settings.setQuietDay(day: .sun, start: "22:00", end: "06:00")
        settings.setChannel(channel: .sms, on: true)
        await settings.refresh()
        s = settings.state()
        XCTAssertEqual(s.prefs.kind, .synced)
        XCTAssertEqual(s.channels.first { $0.channel == .sms }?.on, true)
        XCTAssertEqual(s.quietDays.first { $0.day == .sun }?.quiet, true)

        // An action waits and the server is gone: signing out asks first, then goes.
        _ = try phone.app.claim(jobId: try eligibleFirstCome(phone.app).id)
        proxy.stop()
        await settings.signOut()
        s = settings.state()
        XCTAssertEqual(s.signOut, .confirmUnsent)
        XCTAssertEqual(s.unsent, 1)
        XCTAssertNotNil(s.signOutWarning)
        settings.keepSignedIn()
        XCTAssertEqual(settings.state().signOut, .signedIn)
        XCTAssertNotNil(try phone.app.session())
        await settings.signOut()
        await settings.confirmSignOut()
        XCTAssertEqual(settings.state().signOut, .signedOut)
        XCTAssertNil(try phone.app.session())
        settings.setListener(listener: nil)
    }
}

final class InboxScreenTests: ScreensTestCase {
    func testAPushLeadsThroughTheInboxToTheJob() async throws {
        let phone = try await phone("officer164@columbus.demo")
        let screens = phone.screens

        // An APNs device token is hex: anything else is refused before it is sent.
        let bad = await screens.appEvent(event: .pushToken(platform: .apns, token: "swift-apns-token"))
        XCTAssertFalse(bad.synced)
        XCTAssertEqual(bad.reason, .badPushToken)
        let apnsToken = String(repeating: "5a", count: 32)
        let token = await screens.appEvent(event: .pushToken(platform: .apns, token: apnsToken))
        XCTAssertTrue(token.synced)
        XCTAssertEqual(token.reason, .newPushToken)
        let again = await screens.appEvent(event: .pushToken(platform: .apns, token: apnsToken))
        XCTAssertFalse(again.synced)
        XCTAssertEqual(again.reason, .samePushToken)
        let foreground = await screens.appEvent(event: .foreground)
        XCTAssertEqual(foreground.reason, .fresh)

        // A shift, called off by the department; the push arrives.
        let job = try eligibleFirstCome(phone.app).id
        _ = try phone.app.claim(jobId: job)
        let claimed = try await phone.app.syncNow()
        XCTAssertEqual(claimed.decided.map(\.outcome), [.awarded])
        try await server.coordinator("POST", "/v1/jobs/\(job)/cancel")
        let inbox = screens.inbox()
        let heard = CountingListener()
        inbox.setListener(listener: heard)
        let payload = #"{"kind":"job_cancelled","job_id":"\#(job)","title":"x"}"#
        let pushed = await screens.appEvent(event: .pushReceived(payloadJson: payload))
        XCTAssertTrue(pushed.synced)
        XCTAssertEqual(pushed.reason, .pushArrived)
        XCTAssertEqual(pushed.route, .job(id: job))
        XCTAssertEqual(screens.onPush(payloadJson: payload), .job(id: job))
        XCTAssertGreaterThanOrEqual(heard.count, 1)

        var state = inbox.state()
        XCTAssertEqual(state.unread, 1)
        XCTAssertNotNil(state.markAllLabel)
        XCTAssertNil(state.empty)
        let item = try XCTUnwrap(state.items.first)
        XCTAssertEqual(item.kind, .jobCancelled)
        XCTAssertTrue(item.unread)
        XCTAssertFalse(item.title.isEmpty || item.body.isEmpty || item.when.isEmpty)
        XCTAssertEqual(item.route, .job(id: job))

        // Opening it: read; the route opens on a fresh cache (no sync needed); the job screen
        // there shows the shift called off.
        let route = inbox.open(id: item.id)
        XCTAssertEqual(route, .job(id: job))
        state = inbox.state()
        XCTAssertEqual(state.unread, 0)
        XCTAssertNil(state.markAllLabel)
        XCTAssertFalse(state.items.contains { $0.unread })
        let decision = await screens.open(route: route)
        XCTAssertFalse(decision.sync)
        XCTAssertEqual(decision.reason, .fresh)
        let detail = try XCTUnwrap(screens.job(jobId: job).state().detail)
        XCTAssertEqual(detail.status, .cancelled)
        XCTAssertNotNil(detail.closed)

        // Links.
        XCTAssertEqual(screens.routeForLink(url: "offduty://job/\(job)"), route)
        XCTAssertEqual(screens.routeForLink(url: "offduty://clock"), .clock(job: nil))
        XCTAssertEqual(screens.routeForLink(url: "https://example.com/nowhere"), .board)
        inbox.setListener(listener: nil)
    }
}
