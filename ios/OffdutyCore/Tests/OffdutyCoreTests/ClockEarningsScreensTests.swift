// The clock and earnings screens driven from Swift through the generated bindings, against the
// real library and a real demo server: waiting for a fix, no fix, the preview verdicts, the
// explicit confirmation of a rejected punch and the server's verdict, the clock-out; a worked
// shift waiting for approval, approved and paid by the coordinator, exported as CSV. Choices
// are made by the state's enums and codes. The JVM does the same
// (tests/kotlin/ClockScreenTest.kt, EarningsScreenTest.kt).

import Foundation
import XCTest

import OffdutyCore

final class ClockScreenTests: ScreensTestCase {
    func testAShiftIsClockedInAndOutFromRustState() async throws {
        let phone = try await phone("officer161@columbus.demo")
        let job = try await holdShiftNow(phone.app)
        let site = try phone.app.job(jobId: job, near: nil).location
        let clock = phone.screens.clock(jobId: nil)
        let heard = CountingListener()
        clock.setListener(listener: heard)

        // The screen picked the shift and asks the platform for a fix.
        var s = clock.state()
        XCTAssertEqual(s.phase, .waitingForFix)
        XCTAssertEqual(s.punch, .in)
        XCTAssertTrue(s.needsLocation)
        XCTAssertEqual(s.shift?.jobId, job)
        XCTAssertFalse(s.title.isEmpty || s.message.isEmpty)
        let map = try XCTUnwrap(s.map)
        switch map.fence {
        case let .circle(_, radiusM): XCTAssertGreaterThan(radiusM, 0)
        case let .polygon(vertices): XCTAssertGreaterThanOrEqual(vertices.count, 3)
        }
        XCTAssertNil(map.fix)
        XCTAssertNil(s.confirmLabel)

        // No fix: the screen says why and what to do; starting again asks again.
        clock.locationUnavailable(problem: .disabled)
        s = clock.state()
        XCTAssertEqual(s.phase, .locationUnavailable)
        XCTAssertFalse(s.needsLocation)
        XCTAssertNotNil(s.advice)
        clock.start()
        XCTAssertTrue(clock.state().needsLocation)

        // On site: verified; the map shows the fix and its accuracy.
        clock.locationFix(fix: try fixAt(site, phone.clock))
        s = clock.state()
        XCTAssertEqual(s.phase, .preview)
        XCTAssertEqual(s.verdict, .verified)
        XCTAssertTrue(s.reasons.isEmpty)
        XCTAssertEqual(s.map?.fix, site)
        XCTAssertEqual(s.map?.accuracyM, 8)
        XCTAssertNotNil(s.confirmLabel)

        // Two kilometres off: rejected, outside the fence by more than a kilometre.
        clock.locationFix(fix: try fixAt(GeoPoint(lat: site.lat + 0.018, lon: site.lon), phone.clock))
        s = clock.state()
        XCTAssertEqual(s.phase, .preview)
        XCTAssertEqual(s.verdict, .rejected)
        XCTAssertEqual(s.reasons.first?.code, "outside_fence")
        XCTAssertGreaterThan(try XCTUnwrap(s.distanceOutsideM), 1000)

        // A mocked fix on site: rejected; confirming asks first, then records it anyway.
        clock.locationFix(fix: try fixAt(site, phone.clock, mock: true))
        XCTAssertEqual(clock.state().reasons.first?.code, "mock_location")
        heard.forgetThreads()
        await clock.confirm()
        s = clock.state()
        XCTAssertEqual(s.phase, .confirmRejected, "a rejected punch is never recorded without a yes")
        XCTAssertNotNil(s.confirmLabel)
        XCTAssertNil(s.clockIn)
        await clock.confirm()
        s = clock.state()
        // Online, the sync that follows brings the server's verdict.
        XCTAssertEqual(s.phase, .decided)
        XCTAssertEqual(s.verdict, .rejected)
        XCTAssertEqual(s.clockIn?.kind, .in)
        XCTAssertEqual(s.clockIn?.serverVerdict, .rejected)
        XCTAssertTrue(s.reasons.contains { $0.code == "mock_location" })
        XCTAssertNotNil(s.startLabel)
        XCTAssertFalse(s.busy)
        XCTAssertEqual(heard.threads, ["offduty-core"], "the punch and its sync tell on the library's threads")
        XCTAssertGreaterThanOrEqual(heard.count, 4)

        // Clock-out, on site: verified by the phone and the server; the shift is finished.
        clock.start()
        s = clock.state()
        XCTAssertEqual(s.punch, .out)
        XCTAssertEqual(s.phase, .waitingForFix)
        clock.locationFix(fix: try fixAt(site, phone.clock))
        XCTAssertEqual(clock.state().verdict, .verified)
        await clock.confirm()
        s = clock.state()
        XCTAssertEqual(s.phase, .decided)
        XCTAssertEqual(s.clockOut?.serverVerdict, .verified)
        XCTAssertTrue(s.finished)
        clock.setListener(listener: nil)
    }
}

final class EarningsScreenTests: ScreensTestCase {
    func testAWorkedShiftIsApprovedPaidAndExported() async throws {
        let phone = try await phone("officer165@columbus.demo")
        let job = try await holdShiftNow(phone.app)
        let site = try phone.app.job(jobId: job, near: nil).location
        // In five minutes ago (the phone's clocks set back), out now.
        phone.clock.offsetMs = 5 * 60_000
        _ = try await phone.app.clockIn(jobId: job, fix: try fixAt(site, phone.clock), confirmRejected: false)
        phone.clock.offsetMs = 0
        _ = try await phone.app.clockOut(jobId: job, fix: try fixAt(site, phone.clock), confirmRejected: false)

        let earnings = phone.screens.earnings()
        let heard = CountingListener()
        earnings.setListener(listener: heard)
        await earnings.refresh()
        XCTAssertGreaterThanOrEqual(heard.count, 1)
        func row() throws -> EarningsRow {
            try XCTUnwrap(earnings.state().periods.flatMap(\.rows).first { $0.jobId == job })
        }
        XCTAssertEqual(try row().status, .pending)
        XCTAssertFalse(try row().statusLabel.isEmpty)
        XCTAssertGreaterThan(try XCTUnwrap(row().grossCents), 0)
        XCTAssertNil(try row().paid)
        // The shift began ten minutes ago: just after the department's midnight that was
        // yesterday, possibly the last day of the previous pay period.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "America/New_York")!
        if calendar.isDate(Date().addingTimeInterval(-900), inSameDayAs: Date()) {
            XCTAssertTrue(earnings.state().periods.first { $0.rows.contains { $0.jobId == job } }?.current ?? false,
                          "the shift is in the current pay period")
        }
        XCTAssertFalse(earnings.state().payPeriod.isEmpty)

        // The coordinator approves: the row says so after a refresh.
        let card = try await server.timecardId(of: job)
        try await server.coordinator("POST", "/v1/timecards/\(card)/approve", json: ["note": "Checked with the site supervisor."])
        await earnings.refresh()
        XCTAssertEqual(try row().status, .approved)
        XCTAssertNil(try row().paid)

        // Paid: the row, the payments and the year's totals show it.
        try await server.coordinator("POST", "/v1/timecards/\(card)/paid")
        await earnings.refresh()
        XCTAssertEqual(try row().status, .paid)
        XCTAssertNotNil(try row().paid)
        let s = earnings.state()
        XCTAssertFalse(s.payments.isEmpty)
        XCTAssertGreaterThanOrEqual(s.yearToDate.paidCents, try XCTUnwrap(row().grossCents))
        XCTAssertNil(s.empty)

        // The export: a CSV file the shell would share, one line per shift and a header.
        let export = try XCTUnwrap(earnings.export())
        XCTAssertEqual(export.mimeType, "text/csv")
        XCTAssertTrue(export.fileName.hasSuffix(".csv"), export.fileName)
        let lines = export.csv.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: "\n")
        XCTAssertEqual(lines.count, Int(export.shifts) + 1)
        XCTAssertNotNil(earnings.state().notice)
        earnings.setListener(listener: nil)
    }
}
