// SPDX-License-Identifier: Apache-2.0

/// An element-wise loss of `input` and a same-shaped `target`, given by its per-element term.
///
/// Conforming supplies `reduction` and ``element(_:_:)``; it gets ``ChunkedLoss`` for free, with
/// the same arithmetic as the ``Pointwise`` driver (`evaluate` should call
/// `Pointwise.evaluate(arguments, reduction, output:, gradients:, element)`):
///
///     l_i = element(x_i, y_i).value ;  g_i = element(x_i, y_i).dInput * s ,  s = 1/N (mean) or 1
public protocol PointwiseLoss: ChunkedLoss {
    /// How the per-element values are reduced.
    var reduction: Reduction { get }

    /// One element's value and partial derivatives (inlinable so callers specialise on it).
    func element(_ x: Double, _ y: Double) -> ElementLoss
}

// MARK: - ChunkedLoss

extension PointwiseLoss {
    @inlinable
    public func supportsChunks(_ arguments: LossArguments) -> Bool {
        arguments.has(0) && arguments.has(1) && arguments[0].count == arguments[1].count
    }

    @inlinable
    public func chunkScale(count: Int) -> Double {
        reduction == .mean ? 1 / Double(count) : 1
    }

    @inlinable
    public func evaluateChunk(_ range: Range<Int>, input: UnsafePointer<Double>, target: UnsafePointer<Double>,
                              gradient: UnsafeMutablePointer<Double>, scale: Double) -> Double {
        var total = 0.0
        // Sound: the caller guarantees every pointer covers range.upperBound elements.
        for i in range {
            let l = element(input[i], target[i])
            total += l.value
            gradient[i] = l.dInput * scale
        }
        return total
    }

    @inlinable
    public func chunkedValue(sum: Double, count: Int) -> Double {
        reduction == .mean ? sum / Double(count) : sum
    }
}
