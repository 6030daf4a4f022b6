// SPDX-License-Identifier: Apache-2.0

import LossKit

/// A learning-rate scheduler with `torch.optim.lr_scheduler`'s recursive `get_lr` (not the
/// closed forms), so that the learning rates match PyTorch's step by step.
///
/// A scheduler is a value holding only its options; the engine keeps the learning rate and the
/// epoch (`last_epoch`, the number of `sched.step()` calls, equal to the number of updates).
/// Creating a PyTorch scheduler runs one initial step at `last_epoch = 0`
/// (``initialLearningRate(base:)``); every `sched.step()` after an `opt.step()` computes the
/// next rate from the current one (``learningRate(epoch:current:base:)``).
public protocol LRScheduler: Sendable {
    /// The registry entry: names and options with PyTorch's defaults (not `last_epoch`: the
    /// engine owns the epoch count).
    static var descriptor: ComponentDescriptor { get }

    /// Creates the scheduler from checked options; range checks throw `invalidOption`.
    init(options: ComponentOptions) throws(EngineError)

    /// The learning rate after construction (`get_lr` at `last_epoch` 0), from the optimizer's
    /// `lr` (`base`, torch's `initial_lr`): the rate of the first update.
    func initialLearningRate(base: Double) -> Double

    /// The learning rate after `sched.step()` number `epoch` (>= 1), from the current one.
    func learningRate(epoch: Int, current: Double, base: Double) -> Double
}

extension LRScheduler {
    public var descriptor: ComponentDescriptor { Self.descriptor }

    public func initialLearningRate(base: Double) -> Double { base }
}

// MARK: - Shared option specs

extension OptionSpec {
    /// `gamma`, the multiplicative decay factor.
    static func gamma(_ value: OptionValue) -> OptionSpec {
        OptionSpec("gamma", .number, default: value, "multiplicative factor of learning rate decay, > 0")
    }
}
