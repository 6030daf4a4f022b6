// SPDX-License-Identifier: Apache-2.0

import LossKit

/// The fused pass of an element-wise loss (``PointwiseLoss``) and a built-in optimizer
/// (``ElementUpdate``): one pass over memory per step, with no gradient buffer. For each
/// element, the pending update k-1 is applied with the gradient recomputed from the element's
/// current value, then step k's loss and gradient are evaluated at the new value:
///
///     g  = dl(x_i, y_i)/dx * s           (the gradient of step k-1, recomputed: the same bits)
///     x_i = update(x_i, g)               (update k-1, written back)
///     l, g = l(x_i, y_i), dl/dx * s      (step k: summed into the chunk's loss and |g|^2)
///
/// The chunk's sums take the elements in ``LaneSum``'s order (8 lanes, from 64 elements).
///
/// So a wide job reads x and y and writes x once per step (24 bytes per element), as a
/// hand-written loop would, with the arithmetic of ``BufferedStep`` bit for bit.
struct FusedStep<L: PointwiseLoss, O: ElementUpdate>: ElementwiseStep {
    let loss: L
    let optimizer: O
    let scale: Double

    static var keepsGradient: Bool { false }

    @inline(__always)
    func pass(_ pending: O.Constants?, _ range: Range<Int>, _ buffers: ElementBuffers) -> (Double, Double) {
        if let constants = pending { updateAndEvaluate(constants, range, buffers) } else { evaluate(range, buffers) }
    }

    /// Evaluates step k on `range`.
    @inline(__always)
    private func evaluate(_ range: Range<Int>, _ buffers: ElementBuffers) -> (Double, Double) {
        let p = buffers.parameters, t = buffers.target
        // Sound: ElementBuffers' sizes, and a range within `count`.
        return LaneSum.sums(range, pair: { i in
            let l = loss.elements(SIMD2(p[i], p[i &+ 1]), SIMD2(t[i], t[i &+ 1]))
            let g = l.dInput * scale
            return (l.value, g * g)
        }, single: { i in
            let l = loss.element(p[i], t[i])
            let g = l.dInput * scale
            return (l.value, g * g)
        })
    }

    /// Applies update k-1 on `range`, then evaluates step k there.
    @inline(__always)
    private func updateAndEvaluate(_ constants: O.Constants, _ range: Range<Int>, _ buffers: ElementBuffers) -> (Double, Double) {
        let p = buffers.parameters, t = buffers.target, s = buffers.state, n = buffers.count
        // Sound: as in evaluate. Two elements at a time, in vector lanes (ElementPair).
        return LaneSum.sums(range, pair: { i in
            let y = SIMD2(t[i], t[i &+ 1])
            let before = SIMD2(p[i], p[i &+ 1])
            let x = optimizer.update(constants, parameters: before, gradients: loss.elements(before, y).dInput * scale,
                                     state: s, index: i, count: n)
            p[i] = x[0]
            p[i &+ 1] = x[1]
            let l = loss.elements(x, y)
            let g = l.dInput * scale
            return (l.value, g * g)
        }, single: { i in
            let y = t[i]
            let x = optimizer.update(constants, parameter: p[i], gradient: loss.element(p[i], y).dInput * scale,
                                     state: s, index: i, count: n)
            p[i] = x
            let l = loss.element(x, y)
            let g = l.dInput * scale
            return (l.value, g * g)
        })
    }

    @inline(__always)
    func update(_ constants: O.Constants, _ range: Range<Int>, _ buffers: ElementBuffers) {
        let p = buffers.parameters, t = buffers.target, s = buffers.state, n = buffers.count
        // Sound: as in evaluate.
        for i in range {
            p[i] = optimizer.update(constants, parameter: p[i], gradient: loss.element(p[i], t[i]).dInput * scale,
                                    state: s, index: i, count: n)
        }
    }

    /// Recomputes the gradient at the current parameters (rare: only when its sum of squares is
    /// not finite).
    @inline(never)
    func gradientIsFinite(_ buffers: ElementBuffers) -> Bool {
        // Sound: as in evaluate.
        for i in 0..<buffers.count where !(loss.element(buffers.parameters[i], buffers.target[i]).dInput * scale).isFinite {
            return false
        }
        return true
    }
}
