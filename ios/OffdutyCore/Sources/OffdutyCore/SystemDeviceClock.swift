// The device's clocks for the offduty core: wall time, time since boot (sleep included) and a
// boot identifier. Apple platforms and Linux each read their own kernel's clocks; Linux is where
// the Swift tests run off a Mac (decision 026). Only forwarding: the core decides what a reading
// means.

import Foundation
#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#endif

/// The device's clocks: wall time from `Date()`, time since boot, and a boot identifier, so the
/// server can tell a changed wall clock from time that really passed.
public final class SystemDeviceClock: DeviceClock {
    public init() {}

    public func nowMs() throws -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }

    /// Milliseconds since boot, including sleep, as the core requires. Not
    /// `ProcessInfo.processInfo.systemUptime`: that clock stops while the device sleeps, and a
    /// phone sleeps through most of a shift. On Apple platforms `CLOCK_MONOTONIC_RAW` (the
    /// continuous time base) keeps counting; on Linux `CLOCK_BOOTTIME` does.
    public func monotonicMs() throws -> UInt64 {
        #if canImport(Darwin)
        return clock_gettime_nsec_np(CLOCK_MONOTONIC_RAW) / 1_000_000
        #else
        var now = timespec()
        guard clock_gettime(CLOCK_BOOTTIME, &now) == 0 else {
            throw PlatformError.Failed(detail: "clock_gettime(CLOCK_BOOTTIME) failed: errno \(errno)")
        }
        return UInt64(now.tv_sec) * 1000 + UInt64(now.tv_nsec) / 1_000_000
        #endif
    }

    /// Identifies this boot, so the server compares monotonic readings only within one boot.
    ///
    /// Apple platforms: `kern.bootsessionuuid` (a fresh UUID at every start), else the boot time
    /// from `sysctl kern.boottime`. The boot session comes first because the kernel moves
    /// `kern.boottime` whenever the wall clock is set — exactly when the server needs a steady
    /// boot id to notice that the clock was changed. Linux: the kernel's
    /// `/proc/sys/kernel/random/boot_id`, a fresh UUID at every boot.
    public func bootId() throws -> String {
        #if canImport(Darwin)
        if let session = sysctlString("kern.bootsessionuuid"), !session.isEmpty {
            return session
        }
        var mib: [Int32] = [CTL_KERN, KERN_BOOTTIME]
        var boot = timeval()
        var size = MemoryLayout<timeval>.stride
        guard sysctl(&mib, UInt32(mib.count), &boot, &size, nil, 0) == 0 else {
            // kern.boottime is always readable; this is not expected to happen.
            return "boot-unknown"
        }
        return "boottime-\(boot.tv_sec).\(boot.tv_usec)"
        #else
        let path = "/proc/sys/kernel/random/boot_id"
        guard let id = try? String(contentsOfFile: path, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines), !id.isEmpty
        else {
            throw PlatformError.Failed(detail: "cannot read \(path)")
        }
        return id
        #endif
    }

    #if canImport(Darwin)
    private func sysctlString(_ name: String) -> String? {
        var size = 0
        guard sysctlbyname(name, nil, &size, nil, 0) == 0, size > 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: size)
        guard sysctlbyname(name, &buffer, &size, nil, 0) == 0 else { return nil }
        return String(cString: buffer)
    }
    #endif
}
