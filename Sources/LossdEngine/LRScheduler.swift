// SPDX-License-Identifier: Apache-2.0

import LossKit

/// A learning-rate scheduler with `torch.optim.lr_scheduler`'s `step()` and recursive `get_lr`
/// (not the closed forms), so that the learning rates match PyTorch's step by step.
///
/// A scheduler is a value holding only its options; everything that changes lives in a
/// ``SchedulerProgress`` the engine keeps (and checkpoints): the epoch (`last_epoch`, the number
/// of `sched.step()` calls, equal to the number of updates), the learning rate
/// (`param_group["lr"]`), the momentum a `cycle_momentum` scheduler sets, and the scheduler's
/// own numbers (``SchedulerState``: ReduceLROnPlateau's `best`, warm restarts' `T_i`, a
/// composite's children's epochs and states, ...).
///
/// Creating a PyTorch scheduler runs one initial step at `last_epoch = 0` (``start(_:)``);
/// every `sched.step()` after an `opt.step()` is ``step(_:)``, with the epoch already counted.
///
/// Most schedulers only compute the next rate from the current one: they conform to
/// ``RecursiveLRScheduler``, which supplies `start` and `step`.
public protocol LRScheduler: Sendable {
    /// The registry entry: names and options with PyTorch's defaults (not `last_epoch`: the
    /// engine owns the epoch count; not `verbose`, nor Python callables such as `scale_fn`).
    static var descriptor: ComponentDescriptor { get }

    /// Creates the scheduler from checked options; range checks throw `invalidOption`.
    init(options: ComponentOptions) throws(EngineError)

    /// The names of the scheduler's own numbers in ``SchedulerState/values`` (torch's
    /// `state_dict` keys), [] for none.
    var stateNames: [String] { get }

    /// Whether the scheduler sets the optimizer's momentum (or beta1) every step
    /// (`cycle_momentum`); the optimizer must then conform to ``MomentumCyclable``.
    var cyclesMomentum: Bool { get }

    /// Whether `step` reads ``SchedulerProgress/metric`` (ReduceLROnPlateau): for a model job
    /// with validation data the engine then steps it once per epoch on the validation loss.
    var readsMetric: Bool { get }

    /// The scheduler's construction: `progress.learningRate` and `progress.base` hold the
    /// optimizer's `lr` (`initial_lr`), `epoch` is 0; sets the first update's rate, the state
    /// and (``cyclesMomentum``) the momentum.
    func start(_ progress: inout SchedulerProgress)

    /// `sched.step()` number `progress.epoch` (>= 1), after update number `progress.epoch`.
    /// Returns a failure message when PyTorch raises (OneCycleLR stepped past total_steps).
    func step(_ progress: inout SchedulerProgress) -> String?

    /// `_update_lr(0)`, what SequentialLR does at a milestone to the scheduler taking over:
    /// `last_epoch` 0 and the closed form if the scheduler has one, else `get_lr` on its state.
    /// The default is ``start(_:)`` (right for a scheduler whose state is still as its
    /// construction left it, the only way SequentialLR reaches it).
    func restart(_ progress: inout SchedulerProgress)
}

extension LRScheduler {
    public var descriptor: ComponentDescriptor { Self.descriptor }
    public var stateNames: [String] { [] }
    public var cyclesMomentum: Bool { false }
    public var readsMetric: Bool { false }
    public func restart(_ progress: inout SchedulerProgress) { start(&progress) }
}

/// A scheduler whose `get_lr` computes the next rate from the current one, the epoch and the
/// base rate only (no state of its own): StepLR, LinearLR, ...
public protocol RecursiveLRScheduler: LRScheduler {
    /// The learning rate after construction (`get_lr` at `last_epoch` 0) from the current
    /// rate `current` (the optimizer's `lr` for a scheduler on its own).
    func initialLearningRate(base current: Double) -> Double

    /// The learning rate after `sched.step()` number `epoch` (>= 1), from the current one.
    func learningRate(epoch: Int, current: Double, base: Double) -> Double

    /// `_get_closed_form_lr` at `last_epoch` 0 from `initial_lr` (`base`): what SequentialLR's
    /// milestone (`_update_lr(0)`) sets.
    func restartLearningRate(base: Double) -> Double
}

extension RecursiveLRScheduler {
    public func initialLearningRate(base current: Double) -> Double { current }

    public func restartLearningRate(base: Double) -> Double { initialLearningRate(base: base) }

    public func start(_ progress: inout SchedulerProgress) {
        progress.learningRate = initialLearningRate(base: progress.learningRate)
    }

    public func step(_ progress: inout SchedulerProgress) -> String? {
        progress.learningRate = learningRate(epoch: progress.epoch, current: progress.learningRate, base: progress.base)
        return nil
    }

    public func restart(_ progress: inout SchedulerProgress) {
        progress.learningRate = restartLearningRate(base: progress.base)
    }
}

/// A scheduler's own numbers, named by ``LRScheduler/stateNames`` (a composite keeps its
/// children's epochs and states there).
public struct SchedulerState: Sendable, Hashable {
    public var values: [Double]

    public init(values: [Double] = []) {
        self.values = values
    }
}

/// What a scheduler reads and changes, kept by the engine between steps.
public struct SchedulerProgress: Sendable, Hashable {
    /// `last_epoch`: the number of `sched.step()` calls.
    public var epoch: Int
    /// `param_group["lr"]`: the rate of the next update.
    public var learningRate: Double
    /// `param_group["initial_lr"]`: the optimizer's `lr` (OneCycleLR sets its own).
    public var base: Double
    /// The momentum (or beta1) of the next update, when the scheduler cycles it; NaN otherwise.
    public var momentum: Double
    /// The loss the step is driven by (ReduceLROnPlateau's `metrics`).
    public var metric: Double
    public var state: SchedulerState

    public init(epoch: Int = 0, learningRate: Double, base: Double, momentum: Double = .nan,
                metric: Double = .nan, state: SchedulerState = SchedulerState()) {
        self.epoch = epoch
        self.learningRate = learningRate
        self.base = base
        self.momentum = momentum
        self.metric = metric
        self.state = state
    }
}

// MARK: - Shared option specs

extension OptionSpec {
    /// `gamma`, the multiplicative decay factor.
    static func gamma(_ value: OptionValue) -> OptionSpec {
        OptionSpec("gamma", .number, default: value, "multiplicative factor of learning rate decay, > 0")
    }

    /// `total_iters` with the scheduler's PyTorch default.
    static func totalIters(_ value: Int, _ summary: String) -> OptionSpec {
        OptionSpec("total_iters", .integer, default: .integer(value), summary)
    }
}

extension ComponentOptions {
    /// An integer option whose PyTorch default is None: nil when not given.
    func optionalInteger(_ name: String) -> Int? {
        values[name] == nil ? nil : integer(name)
    }
}
