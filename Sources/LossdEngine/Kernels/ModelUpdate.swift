// SPDX-License-Identifier: Apache-2.0

import LossKit

/// The optimizer's part of a model job's step (``ModelKernel``): update k from step k's loss and
/// gradient, and the optimizer's state for checkpoints. ``ElementwiseModelUpdate`` applies an
/// element-wise ``Optimizer``; ``WholeVectorModelUpdate`` runs a ``WholeVectorOptimizer``, which
/// may evaluate the step's batch again (`evaluate`).
protocol ModelUpdate {
    /// The per-element state, slot after slot ([] when there is none).
    var optimizerState: [Double] { get }
    /// A whole-vector optimizer's memory (nil for element-wise optimizers).
    var optimizerMemory: [JobCheckpoint.Slot]? { get }
    /// Whether a checkpoint's optimizer memory fits.
    func acceptsMemory(_ entries: [JobCheckpoint.Slot]?) -> Bool
    /// Restores the state from a checkpoint of the same job.
    mutating func restore(_ snapshot: KernelSnapshot)
    /// Applies update `update` at `learningRate` (with a scheduler's cycled `momentum`, and
    /// advancing the optimizer's scalar state `scalars`), from `loss` and `gradient` evaluated at
    /// `parameters` on the step's batch; `evaluate` evaluates that batch at other parameters
    /// (the loss, and the gradient written to its second argument).
    mutating func apply(update: Int, learningRate: Double, momentum: Double?, scalars: inout [Double], loss: Double,
                        gradient: [Double], parameters: inout [Double],
                        evaluate: ([Double], inout [Double]) throws(LossError) -> Double) throws(LossError)
}

/// An element-wise ``Optimizer`` over the flat parameter vector, its slots kept here. One
/// parameter group over the flat vector in `state_dict` order equals torch's per-tensor updates,
/// because every such update is element-wise.
struct ElementwiseModelUpdate<O: Optimizer>: ModelUpdate {
    let optimizer: O
    private var slots: [Double]

    init(_ optimizer: O, count: Int) {
        self.optimizer = optimizer
        slots = optimizer.initialStateBuffer(count: count)
    }

    var optimizerState: [Double] { optimizer.stateNames.isEmpty ? [] : slots }
    var optimizerMemory: [JobCheckpoint.Slot]? { nil }
    func acceptsMemory(_ entries: [JobCheckpoint.Slot]?) -> Bool { entries == nil }

    mutating func restore(_ snapshot: KernelSnapshot) {
        if !optimizer.stateNames.isEmpty { slots = snapshot.optimizerState }
    }

    @inline(__always)
    mutating func apply(update: Int, learningRate: Double, momentum: Double?, scalars: inout [Double], loss: Double,
                        gradient: [Double], parameters: inout [Double],
                        evaluate: ([Double], inout [Double]) throws(LossError) -> Double) throws(LossError) {
        let n = parameters.count, optimizer = self.optimizer
        let constants = optimizer.constants(update: update, learningRate: learningRate, momentum: momentum, scalars: &scalars)
        gradient.withUnsafeBufferPointer { g in
            parameters.withUnsafeMutableBufferPointer { p in
                slots.withUnsafeMutableBufferPointer { s in
                    // Sound: the gradient, the parameters and each optimizer slot hold n elements.
                    optimizer.apply(constants, range: 0..<n, parameters: p.baseAddress!, gradients: g.baseAddress!,
                                    state: s.baseAddress!, count: n)
                }
            }
        }
    }
}
