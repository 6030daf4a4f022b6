// SPDX-License-Identifier: Apache-2.0

public import LossKit

/// An optimizer whose update is not element-wise: it reads the whole parameter vector (norms,
/// dot products) and may evaluate the loss again inside one step (LBFGS's line search).
///
/// Beside ``Optimizer``'s element-wise contract, a step here is driven by a closure, as
/// `opt.step(closure)` is in PyTorch:
///
///     L_k, g_k = the job's loss and gradient at the parameters (the kernel, before the step)
///     judge step k on L_k and g_k                                (StepControl: may stop here)
///     step(update: k, L_k, g_k, parameters, memory, objective)   (the optimizer; it may call
///                                                                 objective.evaluate as often
///                                                                 as it needs)
///
/// So the loss a step reports is its first evaluation, as `opt.step(closure)` returns it.
///
/// Implementation requirements:
/// - A `struct` holding only hyperparameters. Everything a step changes besides the parameters
///   is its ``Memory``, which the job owns and a checkpoint saves as named vectors
///   (``JobCheckpoint/optimizerMemory``): resuming from any step boundary is bit-identical.
/// - Arithmetic follows the PyTorch source operation by operation in float64. Whole-vector
///   reductions (dot products, norms, sums) add in index order; PyTorch's BLAS `dot` and its
///   vectorised reductions add in another order, so results agree to rounding (not bit for bit).
/// - The step runs on one thread: a wide job's chunks do not apply (see ``WholeVectorKernel``).
public protocol WholeVectorOptimizer: TrainingOptimizer {
    /// Everything the optimizer keeps from step to step.
    associatedtype Memory: Sendable

    /// The memory before the first step, for parameters made of tensors of `shapes` (one shape
    /// for a free-tensor job; a model's parameter tensors in `state_dict` order, concatenated).
    func initialMemory(shapes: [[Int]]) -> Memory

    /// The memory as named vectors, for a checkpoint (torch's state names where it has them).
    func savedMemory(_ memory: Memory) -> [JobCheckpoint.Slot]

    /// The memory read back from ``savedMemory(_:)``; nil when the entries do not fit `shapes`.
    func restoredMemory(_ entries: [JobCheckpoint.Slot], shapes: [[Int]]) -> Memory?

    /// Update number `update` (1 for the first) at learning rate `learningRate`, from the loss
    /// `loss` and its gradient `gradient` already evaluated at `parameters`.
    ///
    /// - Throws: the objective's error, if an evaluation fails (a plugin loss); `parameters`
    ///   and `memory` are then unspecified (the job fails).
    func step<F: Objective>(update: Int, learningRate: Double, loss: Double, gradient: [Double],
                            parameters: inout [Double], memory: inout Memory, objective: inout F) throws(LossError)
}

extension WholeVectorOptimizer {
    /// No per-element slots: the whole state is the memory.
    public var stateNames: [String] { [] }
}

/// A job's loss as a function of its flat parameter vector: what a ``WholeVectorOptimizer``
/// evaluates inside a step (PyTorch's closure: zero_grad, forward, loss, backward).
public protocol Objective {
    /// The loss and its gradient at `parameters` (the job's element count).
    mutating func evaluate(_ parameters: [Double]) throws(LossError) -> (loss: Double, gradient: [Double])
}

/// Whole-vector reductions, in index order, shared by the whole-vector optimizers.
enum VectorMath {
    /// `a.dot(b)`: the sum of a_i * b_i in index order.
    @inline(__always)
    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for i in a.indices { sum += a[i] * b[i] }
        return sum
    }

    /// `a.abs().max()`, NaN if any element is NaN (as torch's max).
    @inline(__always)
    static func maxMagnitude(_ a: [Double]) -> Double {
        var result = -Double.infinity
        for value in a {
            let magnitude = Swift.abs(value)
            if magnitude.isNaN { return .nan }
            if magnitude > result { result = magnitude }
        }
        return result
    }

    /// `a.abs().sum()` in index order.
    @inline(__always)
    static func magnitudeSum(_ a: [Double]) -> Double {
        var sum = 0.0
        for value in a { sum += Swift.abs(value) }
        return sum
    }

    /// `a.norm(2)`: the square root of the sum of squares in index order.
    @inline(__always)
    static func norm(_ a: ArraySlice<Double>) -> Double {
        var sum = 0.0
        for value in a { sum += value * value }
        return sum.squareRoot()
    }

    /// `x.add_(d, alpha=t)`: x_i + t * d_i (PyTorch's CPU kernel may fuse the product and the
    /// sum; lossd rounds them separately, as every optimizer here).
    @inline(__always)
    static func move(_ x: inout [Double], by t: Double, along d: [Double]) {
        for i in x.indices { x[i] = x[i] + t * d[i] }
    }
}
