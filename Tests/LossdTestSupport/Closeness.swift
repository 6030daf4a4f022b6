// SPDX-License-Identifier: Apache-2.0

/// The one tolerance rule every numeric comparison in the tests uses.
///
/// `actual` matches `expected` when both are NaN, both are the same infinity, or
///
///     |actual - expected| <= rtol * |expected|  or  |actual - expected| <= atol
///
/// with `atol = rtol * 1e-3 * max(1, max_i |expected_i|)`: an element that is zero up to rounding
/// inside a tensor of larger values (a gradient that cancels) compares on the tensor's scale.
/// Symmetric enough for tests, not transitive: never use it for `Equatable`.
public enum Closeness {
    /// The first mismatching element, or `nil` when every element matches.
    public static func firstMismatch(actual: [Double], expected: [Double], rtol: Double) -> String? {
        guard actual.count == expected.count else { return "\(actual.count) elements, expected \(expected.count)" }
        let scale = expected.reduce(1.0) { $1.isFinite ? max($0, abs($1)) : $0 }
        let atol = rtol * 1e-3 * scale
        for (i, (a, e)) in zip(actual, expected).enumerated() {
            if a.isNaN && e.isNaN { continue }
            if a.isInfinite || e.isInfinite {
                if a == e { continue }
                return "element \(i): \(a), expected \(e)"
            }
            let error = abs(a - e)
            if error <= rtol * abs(e) || error <= atol { continue }
            return "element \(i): \(a), expected \(e) (relative error \(error / max(abs(e), .leastNormalMagnitude)))"
        }
        return nil
    }
}
