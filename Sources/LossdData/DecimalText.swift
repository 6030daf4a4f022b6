// SPDX-License-Identifier: Apache-2.0

/// Reading a number from the bytes of a CSV cell.
enum DecimalText {
    /// The value of `bytes[range]` as Swift's `Double(_: String)` reads it (nil when it is not a
    /// number), without making a `String` for the common case.
    ///
    /// Fast path (Clinger's): a plain decimal `[+-]digits[.digits][(e|E)[+-]digits]` whose significant
    /// digits form an integer m <= 2^53 and whose decimal exponent e has |e| <= 22 is m x 10^e or
    /// m / 10^-e: both operands are exact doubles and one IEEE operation rounds correctly, so the
    /// result is the correctly rounded value, as `Double(_:)` gives. Everything else (more digits,
    /// larger exponents, hexadecimal, `nan`, `inf`) goes to `Double(_:)`.
    static func number(_ bytes: [UInt8], _ range: Range<Int>) -> Double? {
        fastPath(bytes, range) ?? Double(String(decoding: bytes[range], as: UTF8.self))
    }

    private static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }  // exact: 10^e = 2^e x 5^e, and 5^22 < 2^53
        return value
    }

    static func fastPath(_ bytes: [UInt8], _ range: Range<Int>) -> Double? {
        var index = range.lowerBound
        let end = range.upperBound
        var negative = false
        if index < end, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0, significantDigits = 0, exponent = 0
        var seenPoint = false
        while index < end {
            let byte = bytes[index]
            if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                digits += 1
                if mantissa != 0 || byte != UInt8(ascii: "0") { significantDigits += 1 }
                guard significantDigits <= 16 else { return nil }
                mantissa = mantissa * 10 + UInt64(byte - UInt8(ascii: "0"))
                if seenPoint { exponent -= 1 }
            } else if byte == UInt8(ascii: "."), !seenPoint {
                seenPoint = true
            } else {
                break
            }
            index += 1
        }
        guard digits > 0, mantissa <= 1 << 53 else { return nil }
        if index < end {
            guard bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") else { return nil }
            index += 1
            var negativeExponent = false
            if index < end, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                negativeExponent = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            var written = 0, exponentDigits = 0
            while index < end, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                written = written * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                exponentDigits += 1
                guard written <= 1000 else { return nil }
                index += 1
            }
            guard exponentDigits > 0, index == end else { return nil }
            exponent += negativeExponent ? -written : written
        }
        let value: Double
        if mantissa == 0 {
            value = 0
        } else if exponent >= 0, exponent <= 22 {
            value = Double(mantissa) * powersOfTen[exponent]
        } else if exponent < 0, exponent >= -22 {
            value = Double(mantissa) / powersOfTen[-exponent]
        } else {
            return nil
        }
        return negative ? -value : value
    }
}
