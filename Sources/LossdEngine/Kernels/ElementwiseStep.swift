// SPDX-License-Identifier: Apache-2.0

import LossKit

/// The buffers of an element-wise job, as ``ElementwiseKernel`` lends them to its passes.
///
/// Valid only inside the kernel's buffer access: `parameters` and `target` hold `count`
/// elements, `gradient` `count` when the step keeps it (else one), and `state` the optimizer's
/// slots, `stateNames.count * count` elements (at least one).
struct ElementBuffers {
    let parameters: UnsafeMutablePointer<Double>
    let gradient: UnsafeMutablePointer<Double>
    let state: UnsafeMutablePointer<Double>
    let target: UnsafePointer<Double>
    let count: Int
}

/// What differs between the step loops of element-wise jobs: how a chunk of elements applies
/// the pending update and computes its loss and gradient. ``ElementwiseKernel`` owns the rest
/// (buffers, chunks, phases on several threads, stopping rules, checkpoints).
///
/// Per chunk and step k, a pass applies update k-1 if it is pending, then evaluates step k:
///
///     x_i  = update(x_i, g_i)     (update k-1, when pending)
///     l, g = l(x_i, y_i), dl/dx * s
///
/// and returns the chunk's loss sum and gradient sum of squares, each in ``LaneSum``'s order
/// (8 lanes, element i into lane (i - chunk start) mod 8; one accumulator under 64 elements). Every
/// element sees the same operations whichever thread runs its chunk and however the steps are
/// split into runs, so results are bit-identical across worker counts and resumes.
///
/// Conformers are small structs whose methods are `@inline(__always)`: the kernel is compiled
/// for each step type, with the loss's and optimizer's per-element code inlined.
protocol ElementwiseStep {
    associatedtype L: ChunkedLoss
    associatedtype O: Optimizer

    var loss: L { get }
    var optimizer: O { get }
    /// The factor applied to every per-element derivative (``ChunkedLoss/chunkScale(count:)``).
    var scale: Double { get }

    init(loss: L, optimizer: O, scale: Double)

    /// Whether a pass writes step k's gradient to ``ElementBuffers/gradient`` (which then
    /// holds `count` elements; else one).
    static var keepsGradient: Bool { get }

    /// Applies `pending` (update k-1) on `range` if given, then evaluates step k there:
    /// (loss sum, gradient sum of squares), each in ``LaneSum``'s order.
    func pass(_ pending: O.Constants?, _ range: Range<Int>, _ buffers: ElementBuffers) -> (Double, Double)

    /// Applies update k on `range` (its gradient being step k's), leaving it at a step boundary.
    func update(_ constants: O.Constants, _ range: Range<Int>, _ buffers: ElementBuffers)

    /// Whether every element of step k's gradient is finite (asked only when its sum of squares
    /// is not: the sum can overflow on its own).
    func gradientIsFinite(_ buffers: ElementBuffers) -> Bool
}

extension ElementwiseStep {
    /// Step k's end, once its chunk sums are in: judges the step, then takes update k's
    /// constants and advances. Returns the final status if the job ends, having had `finish`
    /// apply update k when it ends after that update; otherwise update k becomes `pending`.
    @inline(__always)
    func endStep(_ control: inout StepControl, _ pending: inout O.Constants?, total: Double, squares: Double,
                 _ buffers: ElementBuffers, finish: (O.Constants) -> Void) -> JobStatus? {
        let value = loss.chunkedValue(sum: total, count: buffers.count)
        if let stop = control.judge(loss: value, squares: squares, output: buffers.parameters, gradientIsFinite: { gradientIsFinite(buffers) }) {
            return stop
        }
        let constants = optimizer.constants(update: control.step, learningRate: control.learningRate,
                                             momentum: control.momentum, scalars: &control.optimizerScalars)
        if let stop = control.advance() {  // the job ends at a step boundary: update applied
            finish(constants)
            return stop
        }
        pending = constants
        return nil
    }
}
