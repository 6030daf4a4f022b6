// SPDX-License-Identifier: Apache-2.0

import LossKit

/// An optimizer with `torch.optim`'s exact update rule (float64, single-tensor path).
///
/// Implementation requirements:
/// - A `struct` holding only hyperparameters: every mutable value lives with the job, so that a
///   checkpoint captures it. Per-element state (momentum buffers, moment estimates) is a set of
///   named slots of one value per parameter. The update count is the engine's (torch's
///   `state["step"]`); any other scalar state (NAdam's `mu_product`, ASGD's `eta` and `mu`) is
///   named by ``scalarNames`` and also lives with the job, advanced once per step by
///   ``constants(update:learningRate:scalars:)`` (never per chunk or element); the momentum a
///   scheduler cycles (``MomentumCyclable``) is held by the scheduler's progress.
/// - The update is element-wise: element i of the parameters changes from element i of the
///   parameters, the gradient and the slots only. The engine relies on it to update chunks of a
///   wide job on several threads with results independent of the thread count.
/// - Arithmetic follows `_single_tensor_<name>` in `torch/optim/<name>.py` operation by operation.
///   PyTorch's CPU kernels fuse `a + b * c` (add with alpha, addcmul, lerp) into one FMA; lossd
///   rounds the product and the sum separately (at most 1 ulp apart per operation).
public protocol Optimizer: TrainingOptimizer {
    /// The registry entry: names and options with PyTorch's defaults.
    static var descriptor: ComponentDescriptor { get }

    /// Creates the optimizer from checked options; range checks (lr > 0, 0 <= betas < 1) throw
    /// `invalidOption` naming the option.
    init(options: ComponentOptions) throws(EngineError)

    /// The `lr` option: the learning rate before any scheduler (`param_group["initial_lr"]`).
    var learningRate: Double { get }

    /// The per-element state slots, named as in `optimizer.state[p]` (`exp_avg`, ...).
    var stateNames: [String] { get }

    /// The value every element of slot `slot` starts with (zero except Adagrad's `sum`).
    func initialState(slot: Int) -> Double

    /// The scalars one update needs, computed once per step (bias corrections, decayed lr).
    associatedtype Constants: Sendable

    /// The constants of update number `update` (1 for the first, torch's `state["step"]` after
    /// its increment) at learning rate `learningRate` (`param_group["lr"]`).
    func constants(update: Int, learningRate: Double) -> Constants

    /// The constants of update number `update` with, when a scheduler cycles it (non-nil),
    /// momentum or beta1 `momentum` in effect (see ``MomentumCyclable``). The default ignores
    /// `momentum`: the engine passes one only to a ``MomentumCyclable`` optimizer.
    func constants(update: Int, learningRate: Double, momentum: Double?) -> Constants

    /// The constants of update number `update`, advancing the scalar state `scalars` (in
    /// ``scalarNames`` order) by that update; the default, for optimizers without scalar
    /// state, is ``constants(update:learningRate:)``.
    func constants(update: Int, learningRate: Double, scalars: inout [Double]) -> Constants

    /// The form the engine calls, once per step: the momentum a scheduler cycles (or nil) and
    /// the scalar state. The default uses ``constants(update:learningRate:momentum:)`` for an
    /// optimizer without scalar state, else ``constants(update:learningRate:scalars:)``; an
    /// optimizer with both scalar state and a cycled momentum (NAdam) implements this form itself.
    func constants(update: Int, learningRate: Double, momentum: Double?, scalars: inout [Double]) -> Constants

    /// Applies one update to the elements in `range`.
    ///
    /// Slot `s` of element `i` is `state[s * count + i]`.
    /// - Precondition: `parameters` and `gradients` hold `count` elements, `state` holds
    ///   `stateNames.count * count`, and `range` lies within `0..<count`.
    func apply(_ constants: Constants, range: Range<Int>, parameters: UnsafeMutablePointer<Double>,
               gradients: UnsafePointer<Double>, state: UnsafeMutablePointer<Double>, count: Int)
}

extension Optimizer {
    public var descriptor: ComponentDescriptor { Self.descriptor }

    public func initialState(slot: Int) -> Double { 0 }

    public func constants(update: Int, learningRate: Double, momentum: Double?) -> Constants {
        constants(update: update, learningRate: learningRate)
    }

    @inline(__always)
    public func constants(update: Int, learningRate: Double, scalars: inout [Double]) -> Constants {
        constants(update: update, learningRate: learningRate)
    }

    @inline(__always)
    public func constants(update: Int, learningRate: Double, momentum: Double?, scalars: inout [Double]) -> Constants {
        scalars.isEmpty ? constants(update: update, learningRate: learningRate, momentum: momentum)
            : constants(update: update, learningRate: learningRate, scalars: &scalars)
    }
}

// MARK: - Shared option specs

extension OptionSpec {
    /// `lr` with the optimizer's PyTorch default.
    static func lr(_ value: Double) -> OptionSpec {
        OptionSpec("lr", .number, default: .number(value), "learning rate, >= 0")
    }

    /// `weight_decay` (L2 penalty added to the gradient, or decoupled for AdamW).
    static func weightDecay(_ value: Double) -> OptionSpec {
        OptionSpec("weight_decay", .number, default: .number(value), "weight decay, >= 0")
    }

    /// `eps` added to the denominator.
    static func eps(_ value: Double) -> OptionSpec {
        OptionSpec("eps", .number, default: .number(value), "term added to the denominator, >= 0")
    }

    /// `maximize`: ascend instead of descend.
    static let maximize = OptionSpec("maximize", .bool, default: .bool(false), "maximize the loss instead of minimizing it")
}

extension ComponentOptions {
    /// Reads `name` and checks it is > 0.
    func positive(_ name: String) throws(EngineError) -> Double {
        let value = number(name)
        try check(value > 0, name, "must be > 0, got \(value)")
        return value
    }

    /// Reads `name` and checks it is >= 0.
    func nonNegative(_ name: String) throws(EngineError) -> Double {
        let value = number(name)
        try check(value >= 0, name, "must be >= 0, got \(value)")
        return value
    }
}
