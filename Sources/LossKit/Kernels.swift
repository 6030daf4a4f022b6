// SPDX-License-Identifier: Apache-2.0

public import RealModule

/// Numerically stable building blocks, named so the losses read like their formulas.
public enum Kernels {
    /// log(sum_c exp(x[base + c*stride])) for c in 0..<count, computed as ATen's log_softmax does:
    ///
    ///     m = max_c x_c ;  lse = m + log(sum_c exp(x_c - m))
    @inlinable
    public static func logSumExp(_ x: UnsafeBufferPointer<Double>, base: Int, count: Int, stride: Int) -> Double {
        var maximum = -Double.infinity
        for c in 0..<count { maximum = Swift.max(maximum, x[base + c * stride]) }
        if !maximum.isFinite { return maximum }
        var total = 0.0
        for c in 0..<count { total += Double.exp(x[base + c * stride] - maximum) }
        return maximum + Double.log(total)
    }

    /// log(sigmoid(x)) = -log(1 + exp(-x)), stable for large |x| (ATen's `log_sigmoid`):
    ///
    ///     log_sigmoid(x) = min(x, 0) - log1p(exp(-|x|))
    @inlinable
    public static func logSigmoid(_ x: Double) -> Double {
        Swift.min(x, 0) - Double.log(onePlus: Double.exp(-Swift.abs(x)))
    }

    /// 1 / (1 + Double.exp(-x)).
    @inlinable
    public static func sigmoid(_ x: Double) -> Double {
        1 / (1 + Double.exp(-x))
    }

    /// PyTorch's `sign`/`sgn` for reals: -1, 0 or 1 (0 at 0, the subgradient autograd picks).
    @inlinable
    public static func sign(_ x: Double) -> Double {
        x > 0 ? 1 : (x < 0 ? -1 : 0)
    }
}

