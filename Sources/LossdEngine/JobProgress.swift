// SPDX-License-Identifier: Apache-2.0

/// A job's numbers after its latest published step (and, for a model job, its latest epoch).
public struct JobProgress: Sendable, Hashable {
    /// Steps taken: the last step evaluated (0 before the first).
    public var step: Int
    /// That step's loss, evaluated before its update (NaN before the first step).
    public var loss: Double
    /// The L2 norm of that step's gradient.
    public var gradientNorm: Double
    /// The learning rate the next update uses (after the scheduler's step; torch's `get_last_lr()`).
    public var learningRate: Double
    /// The best loss under the `min_delta` rule (+inf before the first step).
    public var bestLoss: Double
    /// A model job's latest finished epoch (nil before its first, and for free-tensor jobs).
    /// For model jobs ``bestLoss`` is the best epoch loss the stopping rules watch.
    public var epoch: EpochRecord?

    public init(step: Int, loss: Double, gradientNorm: Double, learningRate: Double, bestLoss: Double, epoch: EpochRecord? = nil) {
        self.step = step
        self.loss = loss
        self.gradientNorm = gradientNorm
        self.learningRate = learningRate
        self.bestLoss = bestLoss
        self.epoch = epoch
    }
}
