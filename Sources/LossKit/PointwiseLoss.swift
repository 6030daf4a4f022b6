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

    /// Two elements at once, lane by lane exactly ``element(_:_:)`` (IEEE operations round per
    /// lane, so vector arithmetic gives the same bits). The default calls ``element(_:_:)``
    /// twice; a loss whose element is plain arithmetic implements it with vector operations,
    /// which the engine's fused loop uses two elements at a time.
    func elements(_ x: SIMD2<Double>, _ y: SIMD2<Double>) -> ElementPair
}

/// The values and input derivatives of two elements (``PointwiseLoss/elements(_:_:)``).
public struct ElementPair: Sendable {
    public var value: SIMD2<Double>
    /// d value / d input, per lane.
    public var dInput: SIMD2<Double>

    @inlinable
    public init(value: SIMD2<Double>, dInput: SIMD2<Double>) {
        self.value = value
        self.dInput = dInput
    }
}

extension PointwiseLoss {
    @inlinable
    public func elements(_ x: SIMD2<Double>, _ y: SIMD2<Double>) -> ElementPair {
        let a = element(x[0], y[0]), b = element(x[1], y[1])
        return ElementPair(value: SIMD2(a.value, b.value), dInput: SIMD2(a.dInput, b.dInput))
    }
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
        // Sound: the caller guarantees every pointer covers range.upperBound elements.
        LaneSum.sum(range, pair: { i in
            let l = elements(SIMD2(input[i], input[i &+ 1]), SIMD2(target[i], target[i &+ 1]))
            let g = l.dInput * scale
            gradient[i] = g[0]
            gradient[i &+ 1] = g[1]
            return l.value
        }, single: { i in
            let l = element(input[i], target[i])
            gradient[i] = l.dInput * scale
            return l.value
        })
    }

    @inlinable
    public func chunkedValue(sum: Double, count: Int) -> Double {
        reduction == .mean ? sum / Double(count) : sum
    }
}
