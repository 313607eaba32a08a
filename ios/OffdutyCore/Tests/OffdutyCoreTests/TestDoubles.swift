// Platform services for the tests, in plain Swift: secrets in memory, clocks that can be set
// back (a punch made earlier, offline), and an observer that records what the core reports and
// on which thread.

import Foundation

import OffdutyCore

#if canImport(Darwin)
import Darwin
#endif

/// Secrets in memory (the app uses KeychainSecretStore).
final class MemorySecrets: SecretStore, @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: String] = [:]

    func get(name: String) throws -> String? {
        lock.lock()
        defer { lock.unlock() }
        return values[name]
    }

    func set(name: String, value: String) throws {
        lock.lock()
        defer { lock.unlock() }
        values[name] = value
    }

    func delete(name: String) throws {
        lock.lock()
        defer { lock.unlock() }
        values[name] = nil
    }
}

/// The device's clocks, set back by `offsetMs` together: wall time and time since boot move as
/// they would for a punch really made that long ago.
final class ShiftedClock: DeviceClock, @unchecked Sendable {
    private let lock = NSLock()
    private var offset: Int64 = 0
    /// Far above any offset: the monotonic reading never wraps.
    private let bootBase: UInt64 = 100_000_000_000

    var offsetMs: Int64 {
        get { lock.lock(); defer { lock.unlock() }; return offset }
        set { lock.lock(); defer { lock.unlock() }; offset = newValue }
    }

    func nowMs() throws -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded()) - offsetMs
    }

    func monotonicMs() throws -> UInt64 {
        let uptime = DispatchTime.now().uptimeNanoseconds / 1_000_000
        return UInt64(Int64(bootBase + uptime) - offsetMs)
    }

    func bootId() throws -> String {
        "swift-test-boot"
    }
}

/// Records the sync progress and changes the core reports, and the threads it reports them on.
final class RecordingObserver: SyncObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var seenPhases: [SyncPhase] = []
    private var seenThreads: Set<String> = []
    private var seenChanges: [SyncChange] = []

    var phases: [SyncPhase] { lock.lock(); defer { lock.unlock() }; return seenPhases }
    var threads: Set<String> { lock.lock(); defer { lock.unlock() }; return seenThreads }
    var changes: [SyncChange] { lock.lock(); defer { lock.unlock() }; return seenChanges }

    func onProgress(progress: SyncProgress) throws {
        let thread = currentThreadName()
        lock.lock()
        defer { lock.unlock() }
        seenPhases.append(progress.phase)
        seenThreads.insert(thread)
    }

    func onChange(change: SyncChange) throws {
        lock.lock()
        defer { lock.unlock() }
        seenChanges.append(change)
    }
}

/// The name the OS knows the calling thread by (the library's runtime names its threads
/// `offduty-core`).
func currentThreadName() -> String {
    #if canImport(Darwin)
    var name = [CChar](repeating: 0, count: 64)
    pthread_getname_np(pthread_self(), &name, name.count)
    return String(cString: name)
    #else
    let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
    return comm.trimmingCharacters(in: .whitespacesAndNewlines)
    #endif
}

/// Counts how often a screen said it changed, and remembers the threads it was told on.
final class CountingListener: ScreenListener, @unchecked Sendable {
    private let lock = NSLock()
    private var calls = 0
    private var seenThreads: Set<String> = []

    var count: Int { lock.lock(); defer { lock.unlock() }; return calls }
    var threads: Set<String> { lock.lock(); defer { lock.unlock() }; return seenThreads }

    func changed() throws {
        let thread = currentThreadName()
        lock.lock()
        defer { lock.unlock() }
        calls += 1
        seenThreads.insert(thread)
    }

    func forgetThreads() {
        lock.lock()
        defer { lock.unlock() }
        seenThreads = []
    }
}
