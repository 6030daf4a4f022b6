// SPDX-License-Identifier: Apache-2.0

import Foundation

/// RFC 3339 UTC timestamps to the nearest millisecond (`2026-01-31T12:00:00.125Z`), as the state files
/// write them; times are seconds since 1970 in memory.
///
/// Written and read by hand (`gmtime_r`, `timegm`) rather than through `ISO8601DateFormatter`:
/// `status.json` carries two timestamps per job and is rewritten every report interval, and a
/// formatter costs an ICU setup per use (at 100,000 jobs that was most of the daemon's time).
public enum Timestamp {
    public static func rfc3339(_ seconds: Double) -> String {
        guard seconds.isFinite, abs(seconds) < 1e15 else { return "1970-01-01T00:00:00.000Z" }
        let milliseconds = Int64((seconds * 1000).rounded())
        var whole = time_t(milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000)
        let millis = Int(milliseconds - Int64(whole) * 1000)
        var parts = tm()
        guard gmtime_r(&whole, &parts) != nil else { return "1970-01-01T00:00:00.000Z" }
        return pad(Int(parts.tm_year) + 1900, 4) + "-" + pad(Int(parts.tm_mon) + 1, 2) + "-" + pad(Int(parts.tm_mday), 2)
            + "T" + pad(Int(parts.tm_hour), 2) + ":" + pad(Int(parts.tm_min), 2) + ":" + pad(Int(parts.tm_sec), 2)
            + "." + pad(millis, 3) + "Z"
    }

    /// The seconds of an RFC 3339 text (`YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`); NaN when
    /// there is none or it does not parse.
    public static func seconds(_ text: String?) -> Double {
        guard let text else { return .nan }
        var scanner = Fields(Array(text.utf8))
        guard let year = scanner.number(4), scanner.skip("-"), let month = scanner.number(2), scanner.skip("-"),
              let day = scanner.number(2), scanner.skip("T") || scanner.skip("t") || scanner.skip(" "),
              let hour = scanner.number(2), scanner.skip(":"), let minute = scanner.number(2), scanner.skip(":"),
              let second = scanner.number(2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return .nan }
        var fraction = 0.0
        if scanner.skip(".") {
            var scale = 0.1
            var digits = 0
            while let digit = scanner.digit() {
                fraction += Double(digit) * scale
                scale /= 10
                digits += 1
            }
            guard digits > 0 else { return .nan }
        }
        var offset = 0
        if scanner.skip("Z") || scanner.skip("z") {
            offset = 0
        } else if let sign = scanner.sign(), let hours = scanner.number(2), scanner.skip(":"), let minutes = scanner.number(2) {
            offset = sign * (hours * 3600 + minutes * 60)
        } else {
            return .nan
        }
        guard scanner.atEnd else { return .nan }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        return Double(timegm(&parts) - time_t(offset)) + fraction
    }

    /// Wall-clock seconds since 1970 now (only for timestamps: durations use a monotonic clock).
    public static func now() -> Double { Date().timeIntervalSince1970 }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    /// A cursor over the bytes of a timestamp.
    private struct Fields {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index == bytes.count }

        mutating func skip(_ character: Character) -> Bool {
            guard index < bytes.count, let ascii = character.asciiValue, bytes[index] == ascii else { return false }
            index += 1
            return true
        }

        mutating func digit() -> Int? {
            guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { return nil }
            defer { index += 1 }
            return Int(bytes[index] - UInt8(ascii: "0"))
        }

        mutating func number(_ width: Int) -> Int? {
            var value = 0
            for _ in 0..<width {
                guard let digit = digit() else { return nil }
                value = value * 10 + digit
            }
            return value
        }

        mutating func sign() -> Int? {
            if skip("+") { return 1 }
            if skip("-") { return -1 }
            return nil
        }
    }
}
