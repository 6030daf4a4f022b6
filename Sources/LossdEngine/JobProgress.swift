// SPDX-License-Identifier: Apache-2.0

/// A job's numbers after its latest published step.
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

    public init(step: Int, loss: Double, gradientNorm: Double, learningRate: Double, bestLoss: Double) {
        self.step = step
        self.loss = loss
        self.gradientNorm = gradientNorm
        self.learningRate = learningRate
        self.bestLoss = bestLoss
    }
}
