// What the screen tests share: the demo department (one real offduty-server for the whole run,
// DemoServer.shared), phones signed in as demo officers, the choice of a job by the core's enums
// (never by English sentences), a shift held that starts now, and location fixes. The Kotlin
// screen tests do the same on the JVM (tests/kotlin/ScreenTestSupport.kt, ScreensDemo.kt).

import Foundation
import XCTest

import OffdutyCore

/// A phone: the app, its screens and its clocks.
struct TestPhone {
    let app: OfficerApp
    let screens: OfficerScreens
    let clock: ShiftedClock
}

class ScreensTestCase: XCTestCase {
    /// The filters a shell sets to show every job the officer may work.
    static let workable = BoardFilters(
        nearMe: false, radiusKm: 25, from: nil, to: nil, minHourlyCents: nil, jobTypes: [], onlyEligible: true
    )

    var server: DemoServer {
        get throws { try DemoServer.shared() }
    }

    /// A new phone (its own database, removed after the test), not signed in.
    func newApp(serverUrl: String? = nil, clock: ShiftedClock = ShiftedClock()) throws -> OfficerApp {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("offduty-screens-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return try OfficerApp(
            dbPath: dir.appendingPathComponent("phone.db").path,
            serverUrl: try serverUrl ?? server.baseURL,
            signer: try SoftwareP256Signer(),
            secrets: MemorySecrets(),
            clock: clock
        )
    }

    /// A new phone signed in as `email`, reaching the server at `url` (a proxy) or directly.
    func phone(_ email: String, url: String? = nil) async throws -> TestPhone {
        let clock = ShiftedClock()
        let app = try newApp(serverUrl: url, clock: clock)
        _ = try await app.login(email: email, password: DemoServer.password, deviceLabel: "Swift screens test")
        return TestPhone(app: app, screens: OfficerScreens(app: app), clock: clock)
    }

    /// The first row of the board the officer may claim now: first come, a free slot, not
    /// theirs, eligible. Holding a shift changes it (overlaps, caps): ask again after a claim.
    func claimable(_ board: BoardScreen) throws -> BoardRow {
        let row = board.state().rows.first {
            $0.award == .firstCome && !$0.full && $0.standing == .none && $0.eligibility == .eligible
        }
        return try XCTUnwrap(row, "no claimable first-come row on the board")
    }

    /// A first-come job with a free slot the core says this officer may work, a day away or
    /// more.
    func eligibleFirstCome(_ app: OfficerApp) throws -> JobCard {
        let card = try app.jobs(filter: BoardFilter(
            near: nil, maxDistanceM: nil, from: Date().addingTimeInterval(24 * 3600), to: nil,
            minHourlyCents: nil, jobTypes: [], onlyEligible: true, includeClosed: false,
            sort: .soonest, limit: nil
        )).first {
            $0.awardRuleKind == .firstCome && $0.signupOpen && $0.slotsFilled < $0.slots && $0.standing.kind == .none
        }
        return try XCTUnwrap(card, "no eligible first-come job on the demo board")
    }

    /// Claims an eligible job, has it awarded, and moves it to have started ten minutes ago
    /// (decision 012); returns its id.
    func holdShiftNow(_ app: OfficerApp) async throws -> String {
        let id = try eligibleFirstCome(app).id
        _ = try app.claim(jobId: id)
        let claimed = try await app.syncNow()
        XCTAssertEqual(claimed.decided.map(\.outcome), [.awarded])
        try server.moveJob(id, startsAgoMinutes: 10, hours: 4)
        _ = try await app.syncNow()
        return id
    }
}

/// A location fix at `point`, taken now by `clock`.
func fixAt(_ point: GeoPoint, _ clock: ShiftedClock, accuracy: Double = 8, mock: Bool = false) throws -> LocationFix {
    LocationFix(
        lat: point.lat, lon: point.lon, accuracyM: accuracy,
        fixTime: Date(timeIntervalSince1970: Double(try clock.nowMs()) / 1000),
        provider: "gps", isMock: mock
    )
}

/// A link's query value.
func urlEncoded(_ value: String) -> String {
    value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value
}
