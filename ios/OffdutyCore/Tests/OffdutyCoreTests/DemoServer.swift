// A real offduty-server with the demo department, for the tests: started as a process on a
// fresh SQLite file (`serve --demo --listen 127.0.0.1:0`), its address read from the line it
// prints, stopped at the end. The binary is $OFFDUTY_SERVER_BIN (scripts/swift-test.sh sets it),
// else the workspace's target/debug/offduty-server. Also the coordinator's side of the API and
// the test fixture that moves a job in time (decision 012).

import Foundation
import XCTest

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

enum DemoServerError: Error, CustomStringConvertible {
    case failed(String)

    var description: String {
        switch self {
        case let .failed(detail): return detail
        }
    }
}

final class DemoServer: @unchecked Sendable {
    static let password = "offduty-demo-2026"

    let baseURL: String
    let databasePath: String
    private let process: Process
    private let directory: URL

    private init(baseURL: String, databasePath: String, process: Process, directory: URL) {
        self.baseURL = baseURL
        self.databasePath = databasePath
        self.process = process
        self.directory = directory
    }

    static func start() throws -> DemoServer {
        let binary = ProcessInfo.processInfo.environment["OFFDUTY_SERVER_BIN"]
            ?? URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent() // OffdutyCoreTests
            .deletingLastPathComponent() // Tests
            .deletingLastPathComponent() // OffdutyCore
            .deletingLastPathComponent() // ios
            .deletingLastPathComponent() // the repository
            .appendingPathComponent("target/debug/offduty-server").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw DemoServerError.failed("no server binary at \(binary): run cargo build --workspace")
        }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("offduty-swift-server-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let database = directory.appendingPathComponent("server.db").path
        let logPath = directory.appendingPathComponent("server.log").path
        guard FileManager.default.createFile(atPath: logPath, contents: nil) else {
            throw DemoServerError.failed("cannot create \(logPath)")
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "serve", "--demo", "--listen", "127.0.0.1:0", "--database-url", "sqlite://\(database)",
        ]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle(forWritingAtPath: logPath)
        try process.run()

        // The address, from the line it prints once it listens.
        let reader = stdout.fileHandleForReading
        var seen = ""
        var baseURL: String?
        let deadline = Date().addingTimeInterval(60)
        while baseURL == nil, Date() < deadline {
            let chunk = reader.availableData
            if chunk.isEmpty { break } // the server exited
            seen += String(decoding: chunk, as: UTF8.self)
            if let range = seen.range(of: #"listening on (http://\S+)"#, options: .regularExpression) {
                baseURL = String(seen[range].dropFirst("listening on ".count))
            }
        }
        guard let baseURL else {
            process.terminate()
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            throw DemoServerError.failed("the server did not start: \(seen)\n\(log.suffix(2000))")
        }
        // Keep reading what it prints, so that it never blocks on a full pipe.
        Thread.detachNewThread {
            while !reader.availableData.isEmpty {}
        }
        return DemoServer(baseURL: baseURL, databasePath: database, process: process, directory: directory)
    }

    /// Stops the server: SIGTERM, then SIGKILL if it has not exited within 3 s. (After the
    /// core's HTTP client has talked to it, its graceful shutdown was seen to take more than
    /// 10 s; its database is thrown away, so nothing is lost.)
    func stop() {
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(3)
            while process.isRunning, Date() < deadline {
                Thread.sleep(forTimeInterval: 0.05)
            }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: - The coordinator's side, over HTTP

    /// Calls the API; returns the status and the decoded JSON body (nil when empty).
    func call(_ method: String, _ path: String, token: String? = nil, json: Any? = nil) async throws -> (Int, Any?) {
        var request = URLRequest(url: URL(string: baseURL + path)!)
        request.httpMethod = method
        request.timeoutInterval = 30
        // No idle connection left open: the server's graceful stop would wait for it.
        request.setValue("close", forHTTPHeaderField: "Connection")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let json {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let body = data.isEmpty ? nil : try JSONSerialization.jsonObject(with: data)
        return (status, body)
    }

    func coordinatorToken() async throws -> String {
        let (status, body) = try await call(
            "POST", "/v1/auth/login",
            json: ["email": "coordinator@columbus.demo", "password": DemoServer.password]
        )
        guard status == 200, let token = (body as? [String: Any])?["access_token"] as? String else {
            throw DemoServerError.failed("coordinator login: \(status) \(String(describing: body))")
        }
        return token
    }

    /// The coordinator approves the pending timecard of `jobId`.
    func approveTimecard(of jobId: String) async throws {
        let token = try await coordinatorToken()
        let (status, body) = try await call("GET", "/v1/timecards?status=pending", token: token)
        let cards = body as? [[String: Any]] ?? []
        guard status == 200,
              let card = cards.first(where: { $0["job_id"] as? String == jobId }),
              let id = card["id"] as? String
        else {
            throw DemoServerError.failed("no pending timecard for \(jobId): \(status) \(String(describing: body))")
        }
        let (approved, answer) = try await call("POST", "/v1/timecards/\(id)/approve", token: token, json: [String: Any]())
        guard approved == 200 else {
            throw DemoServerError.failed("approve \(id): \(approved) \(String(describing: answer))")
        }
    }

    // MARK: - Moving a job in time (decision 012)

    /// Moves a job to have started `startsAgoMinutes` ago and last `hours`, the way a server
    /// change would: the job takes the department's next change sequence as its version and the
    /// change is logged, so phones pick it up on sync. Tests cannot wait hours for a shift.
    func moveJob(_ jobId: String, startsAgoMinutes: Int64, hours: Int64) throws {
        guard UUID(uuidString: jobId) != nil else { throw DemoServerError.failed("not a job id: \(jobId)") }
        let nowUs = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let start = nowUs - startsAgoMinutes * 60_000_000
        let end = start + hours * 3_600_000_000
        let department = "(SELECT department_id FROM jobs WHERE id = '\(jobId)')"
        let sql = """
        .timeout 10000
        .bail on
        BEGIN IMMEDIATE;
        UPDATE departments SET change_seq = change_seq + 1 WHERE id = \(department);
        UPDATE jobs SET starts_us = \(start), ends_us = \(end),
            version = (SELECT change_seq FROM departments WHERE id = \(department))
            WHERE id = '\(jobId)';
        INSERT INTO change_log (department_id, seq, entity, entity_id, audience)
            SELECT department_id, (SELECT change_seq FROM departments d WHERE d.id = jobs.department_id),
                   'job', id, NULL FROM jobs WHERE id = '\(jobId)';
        SELECT changes();
        COMMIT;
        """
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        sqlite.arguments = [databasePath]
        let input = Pipe()
        let output = Pipe()
        sqlite.standardInput = input
        sqlite.standardOutput = output
        sqlite.standardError = output
        try sqlite.run()
        input.fileHandleForWriting.write(Data(sql.utf8))
        try input.fileHandleForWriting.close()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        sqlite.waitUntilExit()
        guard sqlite.terminationStatus == 0,
              printed.trimmingCharacters(in: .whitespacesAndNewlines) == "1"
        else {
            throw DemoServerError.failed("moving job \(jobId) failed (\(sqlite.terminationStatus)): \(printed)")
        }
    }
}

// MARK: - One server for the screen tests

/// Stops the shared server when the test run ends.
private final class SharedServerStopper: NSObject, XCTestObservation {
    func testBundleDidFinish(_ testBundle: Bundle) {
        DemoServer.stopShared()
    }
}

extension DemoServer {
    private static let sharedLock = NSLock()
    private static var sharedServer: DemoServer?

    /// One demo department for every screen test class (started on first use, stopped when
    /// the run ends), as the Kotlin screen tests share one (tests/kotlin/ScreensDemo.kt). Each
    /// test signs in its own demo officers, so the tests do not see each other's claims.
    static func shared() throws -> DemoServer {
        sharedLock.lock()
        defer { sharedLock.unlock() }
        if let running = sharedServer { return running }
        let started = try DemoServer.start()
        sharedServer = started
        XCTestObservationCenter.shared.addTestObserver(SharedServerStopper())
        return started
    }

    fileprivate static func stopShared() {
        sharedLock.lock()
        defer { sharedLock.unlock() }
        sharedServer?.stop()
        sharedServer = nil
    }
}

// MARK: - More of the coordinator's side

extension DemoServer {
    /// The coordinator's call; fails the test unless the status is `expect`.
    @discardableResult
    func coordinator(_ method: String, _ path: String, json: Any? = nil, expect: Int = 200) async throws -> Any? {
        let token = try await coordinatorToken()
        let (status, body) = try await call(method, path, token: token, json: json)
        guard status == expect else {
            throw DemoServerError.failed("\(method) \(path): \(status) \(String(describing: body))")
        }
        return body
    }

    /// Posts a first-come job at the stadium with `slots` slots, `days` from now on the hour;
    /// returns its id.
    func postJob(days: Int, slots: Int) async throws -> String {
        let hour = (Date().timeIntervalSince1970 / 3600).rounded(.down) * 3600
        let start = Date(timeIntervalSince1970: hour + Double(days) * 24 * 3600)
        let iso = ISO8601DateFormatter()
        let body = try await coordinator("POST", "/v1/jobs", json: [
            "title": "Swift screens detail", "customer_name": "Ohio State Athletics",
            "site_name": "Ohio Stadium, Gate 10", "address": "411 Woody Hayes Dr, Columbus, OH 43210",
            "location": ["lat": 40.0017, "lon": -83.0197],
            "geofence": ["type": "circle", "center": ["lat": 40.0017, "lon": -83.0197], "radius_m": 300.0],
            "starts_at": iso.string(from: start), "ends_at": iso.string(from: start.addingTimeInterval(4 * 3600)),
            "slots": slots, "job_type": "traffic", "award_rule": ["type": "first_come"],
        ] as [String: Any], expect: 201)
        guard let id = (body as? [String: Any])?["id"] as? String else {
            throw DemoServerError.failed("no job id in \(String(describing: body))")
        }
        return id
    }

    /// The id of the timecard of `jobId`, as the coordinator sees it.
    func timecardId(of jobId: String) async throws -> String {
        let body = try await coordinator("GET", "/v1/timecards?from=2000-01-01T00:00:00Z")
        let cards = body as? [[String: Any]] ?? []
        guard let id = cards.first(where: { $0["job_id"] as? String == jobId })?["id"] as? String else {
            throw DemoServerError.failed("no timecard for \(jobId): \(String(describing: body))")
        }
        return id
    }
}
