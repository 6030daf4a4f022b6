// SPDX-License-Identifier: Apache-2.0

/// ATen's element-wise helpers, in its operation order, for the optimizers' updates.
enum TorchArithmetic {
    /// `torch.lerp(start, end, weight)` (ATen `lerp`): the form depends on the weight's size.
    ///
    ///     |w| < 0.5 -> start + w * (end - start) ;  else -> end - (end - start) * (1 - w)
    @inline(__always)
    static func lerp(_ start: Double, _ end: Double, _ weight: Double) -> Double {
        Swift.abs(weight) < 0.5 ? start + weight * (end - start) : end - (end - start) * (1 - weight)
    }

    /// `torch.maximum`: the larger value, NaN if either is NaN.
    @inline(__always)
    static func maximum(_ a: Double, _ b: Double) -> Double {
        if a.isNaN || b.isNaN { return .nan }
        return a > b ? a : b
    }
}
