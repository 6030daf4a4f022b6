// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdState
import Testing

/// The hand-written RFC 3339 writer and reader agree with Foundation's `ISO8601DateFormatter`.
@Suite struct TimestampTests {
    static func reference() -> ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }

    /// Spread over 1970 to 2100, with leap days, ends of years and whole seconds among them.
    static let instants: [Double] = [0, 0.001, 0.999, 951_782_400, 951_868_799.5, 1_709_164_800.125, 1_767_225_599.999,
                                     4_102_444_799.25, 1_796_300_000] + (0..<200).map { index in
        Double((UInt64(index) &* 0x9E37_79B9_7F4A_7C15) % 4_102_444_800_000) / 1000
    }

    @Test(arguments: instants)
    func writesWhatFoundationWrites(seconds: Double) {
        #expect(Timestamp.rfc3339(seconds) == Self.reference().string(from: Date(timeIntervalSince1970: seconds)))
    }

    @Test(arguments: instants)
    func readsBackToTheMillisecond(seconds: Double) {
        let millis = (seconds * 1000).rounded() / 1000
        #expect(abs(Timestamp.seconds(Timestamp.rfc3339(seconds)) - millis) < 1e-6)
    }

    @Test(arguments: [
        ("2026-01-31T12:00:00Z", 1_769_860_800.0), ("2026-01-31T13:30:00+01:30", 1_769_860_800.0),
        ("2026-01-31T10:00:00.5-02:00", 1_769_860_800.5), ("1970-01-01T00:00:00.000Z", 0.0),
    ])
    func readsOffsetsAndFractions(text: String, seconds: Double) {
        #expect(Timestamp.seconds(text) == seconds)
    }

    @Test(arguments: ["", "2026-01-31", "2026-13-01T00:00:00Z", "2026-01-31T12:00:00", "2026-01-31T12:00:00.Z",
                      "2026-01-31T12:00:00Zjunk", "20260131T120000Z"])
    func refusesWhatIsNotATimestamp(text: String) {
        #expect(Timestamp.seconds(text).isNaN)
    }
}
