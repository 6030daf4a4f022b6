// SPDX-License-Identifier: Apache-2.0

/// ATen's element-wise helpers, in its operation order, for the optimizers' updates.
enum TorchArithmetic {
    /// `torch.lerp(start, end, weight)` (ATen `lerp`): the form depends on the weight's size.
    ///
    ///     |w| < 0.5 -> start + w * (end - start) ;  else -> end - (end - start) * (1 - w)
    /// Lane by lane with ``ElementLanes`` (the weight is one for all).
    @inline(__always)
    static func lerp<V: ElementLanes>(_ start: V, _ end: V, _ weight: Double) -> V {
        Swift.abs(weight) < 0.5 ? start + V(broadcast: weight) * (end - start) : end - (end - start) * V(broadcast: 1 - weight)
    }

    /// `torch.maximum`: the larger value, NaN if either is NaN.
    @inline(__always)
    static func maximum(_ a: Double, _ b: Double) -> Double {
        if a.isNaN || b.isNaN { return .nan }
        return a > b ? a : b
    }
}
