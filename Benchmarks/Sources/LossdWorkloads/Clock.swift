// SPDX-License-Identifier: Apache-2.0

import Foundation

/// Monotonic time in seconds.
public enum Clock {
    public static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }
}
