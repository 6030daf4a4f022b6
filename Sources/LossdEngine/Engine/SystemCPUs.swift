// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The number of CPUs this process may run on.
public enum SystemCPUs {
    /// CPUs in the process's affinity mask (`sched_getaffinity`, which taskset and cgroup cpusets
    /// restrict), else the online CPUs (`sysconf(_SC_NPROCESSORS_ONLN)`); at least 1.
    public static var available: Int {
        if let count = affinityCount(), count > 0 { return count }
        return Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    private static func affinityCount() -> Int? {
        #if os(Linux)
        // Glibc's Swift module hides sched_getaffinity (it needs _GNU_SOURCE); look it up by name.
        typealias GetAffinity = @convention(c) (pid_t, Int, UnsafeMutableRawPointer?) -> Int32
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "sched_getaffinity") else { return nil }
        let getAffinity = unsafeBitCast(symbol, to: GetAffinity.self)
        var mask = [UInt64](repeating: 0, count: 64)  // room for 4096 CPUs
        let result = mask.withUnsafeMutableBytes { getAffinity(0, $0.count, $0.baseAddress) }
        guard result == 0 else { return nil }
        return mask.reduce(0) { $0 + $1.nonzeroBitCount }
        #else
        return nil
        #endif
    }
}

/// Helpers for the engine's own threads.
enum WorkerThread {
    /// Gives the CPU to another thread (spin-waits back off with it).
    static func yield() {
        #if canImport(Glibc)
        sched_yield()
        #else
        Thread.sleep(forTimeInterval: 0)
        #endif
    }

    /// Monotonic nanoseconds.
    static func now() -> UInt64 {
        #if canImport(Glibc)
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
        #else
        return DispatchTime.now().uptimeNanoseconds
        #endif
    }

    /// Whole nanoseconds of `duration` (negative durations count as zero).
    static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(Swift.max(0, seconds)) &* 1_000_000_000 &+ UInt64(Swift.max(0, attoseconds) / 1_000_000_000)
    }
}
