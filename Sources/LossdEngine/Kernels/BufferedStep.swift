// SPDX-License-Identifier: Apache-2.0

import LossKit

/// The pass of a ``ChunkedLoss`` with any optimizer: the loss writes step k's gradient to the
/// job's gradient buffer (``ChunkedLoss/evaluateChunk(_:input:target:gradient:scale:)``), and
/// the pending update reads it back through the optimizer's own
/// ``Optimizer/apply(_:range:parameters:gradients:state:count:)``.
///
/// The pass for a chunked loss that is not a ``PointwiseLoss``, or an optimizer without
/// ``ElementUpdate`` (a plugin's); ``FusedStep`` fuses the others into one pass per step.
struct BufferedStep<L: ChunkedLoss, O: Optimizer>: ElementwiseStep {
    let loss: L
    let optimizer: O
    let scale: Double

    static var keepsGradient: Bool { true }

    @inline(__always)
    func pass(_ pending: O.Constants?, _ range: Range<Int>, _ buffers: ElementBuffers) -> (Double, Double) {
        if let constants = pending { update(constants, range, buffers) }
        let g = buffers.gradient
        let total = loss.evaluateChunk(range, input: buffers.parameters, target: buffers.target, gradient: g, scale: scale)
        // Sound: the gradient buffer holds `count` elements (keepsGradient).
        let squares = LaneSum.sum(range, pair: { i in
            let pair = SIMD2(g[i], g[i &+ 1])
            return pair * pair
        }, single: { i in g[i] * g[i] })
        return (total, squares)
    }

    @inline(__always)
    func update(_ constants: O.Constants, _ range: Range<Int>, _ buffers: ElementBuffers) {
        optimizer.apply(constants, range: range, parameters: buffers.parameters, gradients: buffers.gradient,
                        state: buffers.state, count: buffers.count)
    }

    func gradientIsFinite(_ buffers: ElementBuffers) -> Bool {
        StepControl.allFinite(buffers.gradient, buffers.count)
    }
}
