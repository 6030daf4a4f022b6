// SPDX-License-Identifier: Apache-2.0

import Foundation

/// RFC 3339 UTC timestamps with milliseconds (`2026-01-31T12:00:00.125Z`), as the state files
/// write them; times are seconds since 1970 in memory.
public enum Timestamp {
    public static func rfc3339(_ seconds: Double) -> String {
        formatter().string(from: Date(timeIntervalSince1970: seconds))
    }

    /// The seconds of an RFC 3339 text; NaN when there is none or it does not parse.
    public static func seconds(_ text: String?) -> Double {
        guard let text else { return .nan }
        return formatter().date(from: text)?.timeIntervalSince1970 ?? .nan
    }

    /// Wall-clock seconds since 1970 now (only for timestamps: durations use a monotonic clock).
    public static func now() -> Double { Date().timeIntervalSince1970 }

    private static func formatter() -> ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
