// SPDX-License-Identifier: Apache-2.0

/// Python's built-in `min` and `max` of two values, as PyTorch's Python code (LBFGS's line
/// search) uses them on floats: the first value unless the second compares strictly smaller
/// (larger), so NaN and ties pick the same value.
enum Python {
    @inline(__always)
    static func min(_ a: Double, _ b: Double) -> Double { b < a ? b : a }

    @inline(__always)
    static func max(_ a: Double, _ b: Double) -> Double { b > a ? b : a }
}
