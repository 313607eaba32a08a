// An officer's day through the Swift bindings, against the real Rust library and a real
// offduty-server (the demo department on SQLite): sign in with a Swift signer, the board, a
// first-come claim decided by the server, a signed clock-in and clock-out the server verifies,
// the coordinator's approval and the earnings — and the core's errors as Swift errors. The JVM
// suite (tests/kotlin/OfficerAppTest.kt) drives the same API from Kotlin.

import Foundation
import XCTest

import OffdutyCore

final class OfficerJourneyTests: XCTestCase {
    static let stadium = GeoPoint(lat: 40.0017, lon: -83.0197)
    static var server: DemoServer?

    private var server: DemoServer {
        get throws {
            if let running = Self.server { return running }
            let started = try DemoServer.start()
            Self.server = started
            return started
        }
    }

    override class func tearDown() {
        server?.stop()
        server = nil
        super.tearDown()
    }

    /// A new phone: a fresh database (removed after the test) on the demo server.
    private func newApp(signer: Signer? = nil, clock: ShiftedClock = ShiftedClock()) throws -> OfficerApp {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("offduty-phone-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return try OfficerApp(
            dbPath: dir.appendingPathComponent("phone.db").path,
            serverUrl: try server.baseURL,
            signer: try signer ?? SoftwareP256Signer(),
            secrets: MemorySecrets(),
            clock: clock
        )
    }

    /// The board from three days on (demo jobs start then), nearest the stadium or soonest.
    private func board(_ app: OfficerApp, onlyEligible: Bool = true, sort: BoardSort = .soonest) throws -> [JobCard] {
        try app.jobs(filter: BoardFilter(
            near: Self.stadium, maxDistanceM: nil,
            from: Date().addingTimeInterval(3 * 24 * 3600), to: nil,
            minHourlyCents: nil, jobTypes: [], onlyEligible: onlyEligible, includeClosed: false,
            sort: sort, limit: nil
        ))
    }

    /// The next first-come job with a free slot this officer may claim. Chosen by the core's
    /// enums and its eligibility (demo officers have on-duty shifts at any time of day), never
    /// by English sentences.
    private func nextFirstCome(_ app: OfficerApp) throws -> JobCard {
        let card = try board(app).first { (job: JobCard) -> Bool in
            let open = job.signupOpen && job.slotsFilled < job.slots
            return open && job.awardRuleKind == .firstCome && job.standing.kind == .none
        }
        return try XCTUnwrap(card, "no claimable first-come job on the demo board")
    }

    func testAWrongPasswordAndABadIdAreSwiftErrors() async throws {
        let app = try newApp()
        do {
            _ = try await app.login(email: "officer001@columbus.demo", password: "not the password", deviceLabel: "Swift")
            XCTFail("a login with a wrong password succeeded")
        } catch let ApiError.Unauthorized(detail) {
            XCTAssertTrue(detail.contains("wrong e-mail or password"), detail)
        }
        XCTAssertNil(try app.session())
        XCTAssertThrowsError(try app.claim(jobId: "not-an-id")) { error in
            guard case let ApiError.Invalid(field, code, _) = error else {
                return XCTFail("expected ApiError.Invalid, got \(error)")
            }
            XCTAssertEqual(field, "job_id")
            XCTAssertEqual(code, .badFormat)
        }
        // A signed-out phone cannot sync: the session has ended, say so.
        do {
            _ = try await app.syncNow()
            XCTFail("a sync without a session succeeded")
        } catch ApiError.Unauthorized {}
    }

    func testAnOfficersDayThroughTheSwiftBindings() async throws {
        let signer = try SoftwareP256Signer()
        let clock = ShiftedClock()
        let app = try newApp(signer: signer, clock: clock)
        let observer = RecordingObserver()
        app.setObserver(observer: observer)
        XCTAssertEqual(app.serverUrl(), try server.baseURL)

        // Sign in: registers the Swift signer's public key, pulls the board.
        let session = try await app.login(
            email: "officer002@columbus.demo", password: DemoServer.password, deviceLabel: "Swift test phone"
        )
        XCTAssertEqual(session.email, "officer002@columbus.demo")
        XCTAssertNotNil(session.deviceId)
        XCTAssertEqual(try app.session(), session)
        XCTAssertTrue(observer.phases.contains(.done), "the observer saw the sync end: \(observer.phases)")
        XCTAssertEqual(observer.threads, ["offduty-core"], "callbacks come on the library's threads")
        XCTAssertNotNil(try app.lastSync())

        // The board, nearest the stadium first.
        let jobs = try board(app, onlyEligible: false, sort: .nearest)
        XCTAssertGreaterThanOrEqual(jobs.count, 10, "the demo board has jobs")
        let distances = jobs.compactMap(\.distanceM)
        XCTAssertEqual(distances.count, jobs.count)
        XCTAssertEqual(distances, distances.sorted())
        let detail = try app.job(jobId: jobs[0].id, near: Self.stadium)
        XCTAssertEqual(detail.title, jobs[0].title)
        XCTAssertFalse(detail.awardRule.isEmpty)

        // Claim a first-come job: queued at once, decided by the server on sync.
        let mine = try nextFirstCome(app)
        let queued = try app.claim(jobId: mine.id)
        XCTAssertEqual(queued.kind, .claim)
        XCTAssertEqual(queued.jobId, mine.id)
        XCTAssertEqual(try app.pendingActions().map(\.idempotencyKey), [queued.idempotencyKey])
        let waiting = try app.job(jobId: mine.id, near: nil).standing
        XCTAssertEqual(waiting.kind, .pending)
        XCTAssertEqual(waiting.pending, .claim)
        let claimed = try await app.syncNow()
        XCTAssertEqual(claimed.decided.map(\.outcome), [.awarded])
        XCTAssertNil(claimed.offline)
        let holding = try app.job(jobId: mine.id, near: nil).standing
        XCTAssertEqual(holding.kind, .holding)
        XCTAssertTrue(holding.holdsSlot)
        XCTAssertTrue(try app.myShifts(includePast: false).contains { $0.id == mine.id })
        XCTAssertTrue(try app.pendingActions().isEmpty)
        XCTAssertThrowsError(try app.claim(jobId: mine.id)) { error in
            guard case let ApiError.Rejected(code, reason, _) = error else {
                return XCTFail("expected ApiError.Rejected, got \(error)")
            }
            XCTAssertEqual(code, .alreadyClaimed)
            XCTAssertFalse(reason.isEmpty)
        }

        // The shift is moved to have begun four hours ago (decision 012); the punches are made
        // "then", offline, by setting the device clocks back.
        try server.moveJob(mine.id, startsAgoMinutes: 245, hours: 4)
        _ = try await app.syncNow()
        let card = try app.job(jobId: mine.id, near: nil)
        let site = GeoPoint(lat: card.location.lat, lon: card.location.lon)
        clock.offsetMs = 240 * 60_000

        // The core, not the app, decides that a punch far from the site needs the officer's yes.
        let far = GeoPoint(lat: site.lat + 0.05, lon: site.lon)
        let preview = try app.previewPunch(jobId: mine.id, kind: .in, fix: try fixAt(far, clock))
        XCTAssertEqual(preview.verdict, .rejected)
        do {
            _ = try await app.clockIn(jobId: mine.id, fix: try fixAt(far, clock), confirmRejected: false)
            XCTFail("a rejected clock-in was recorded without confirmation")
        } catch let ApiError.NeedsConfirmation(what, question) {
            XCTAssertEqual(what, .rejectedPunch)
            XCTAssertTrue(question.hasPrefix(preview.summary), question)
        }

        // A key store that fails is an error the officer sees, not a crash; nothing is queued.
        signer.failing = true
        do {
            _ = try await app.clockIn(jobId: mine.id, fix: try fixAt(site, clock), confirmRejected: false)
            XCTFail("a clock-in with a failing signer succeeded")
        } catch let ApiError.Internal(failure) {
            XCTAssertTrue(failure.contains("the key store is locked"), failure)
        }
        XCTAssertTrue(try app.pendingActions().isEmpty, "nothing was queued")
        signer.failing = false

        // Clock in at the site (signed by the Swift signer, checked by the core), out two
        // minutes ago; the server verifies both signatures and the clocks.
        let signaturesBefore = signer.signatures
        let punchIn = try await app.clockIn(jobId: mine.id, fix: try fixAt(site, clock), confirmRejected: false)
        XCTAssertEqual(punchIn.preview.verdict, .verified, punchIn.preview.summary)
        XCTAssertFalse(punchIn.eventId.isEmpty)
        clock.offsetMs = 2 * 60_000
        _ = try await app.clockOut(jobId: mine.id, fix: try fixAt(site, clock, accuracy: 6), confirmRejected: false)
        clock.offsetMs = 0
        XCTAssertEqual(signer.signatures, signaturesBefore + 2)
        let punched = try await app.syncNow().decided
        XCTAssertEqual(punched.map(\.outcome), [.punched, .punched], punched.map(\.text).joined(separator: "; "))
        XCTAssertEqual(punched.map(\.verdict), [.verified, .verified], punched.map(\.text).joined(separator: "; "))

        // The coordinator approves; the officer sees the money.
        try await server.approveTimecard(of: mine.id)
        _ = try await app.syncNow()
        let earnings = try app.earnings()
        let pay = try XCTUnwrap(earnings.shifts.first { $0.jobId == mine.id })
        XCTAssertEqual(pay.status, .approved)
        XCTAssertEqual(pay.billableMinutes, 240)
        let gross = try XCTUnwrap(pay.gross)
        XCTAssertEqual(gross.cents, pay.rate.cents * 4 * Int64(pay.multiplierBp) / 10_000)
        XCTAssertGreaterThanOrEqual(earnings.yearToDate.unpaid.cents, gross.cents)
        XCTAssertTrue(try app.earningsCsv().contains(card.title))

        // Signing out with nothing unsent.
        XCTAssertTrue(try app.pendingActions().isEmpty)
        try await app.logout(force: false)
        XCTAssertNil(try app.session())
    }
}
