// SPDX-License-Identifier: Apache-2.0

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Time bounds in tests, stretched under instrumentation.
///
/// The plain `swift test` run checks every bound as written; the ThreadSanitizer run, which makes
/// code 5-15 times slower, sets `LOSSD_TEST_TIME_SCALE` so that it checks races, not speed.
public enum TestTiming {
    public static let scale: Double = {
        guard let text = ProcessInfo.processInfo.environment["LOSSD_TEST_TIME_SCALE"], let value = Double(text), value >= 1 else { return 1 }
        return value
    }()

    /// `duration` times ``scale``.
    public static func bound(_ duration: Duration) -> Duration { duration * scale }

    /// CPU time the calling thread has used: a bound on it catches runaway work (a quadratic
    /// scan) and not a machine busy with other processes. Measure synchronous code only: a task
    /// may resume on another thread after a suspension.
    public static func threadCPUTime() -> Duration {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return .seconds(time.tv_sec) + .nanoseconds(time.tv_nsec)
    }
}
