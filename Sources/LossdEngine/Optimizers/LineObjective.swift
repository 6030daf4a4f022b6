// SPDX-License-Identifier: Apache-2.0

import LossKit

/// The loss along a line, as LBFGS's `_directional_evaluate` computes it: the parameters
/// `origin + t * direction` (`p.add_(d, alpha=t)` from the saved parameters), the loss and
/// gradient there, both negated when maximizing.
struct LineObjective<F: Objective> {
    var objective: F
    let origin: [Double]
    let direction: [Double]
    let maximize: Bool

    /// The loss and gradient at step length `t`.
    mutating func evaluate(at t: Double) throws(LossError) -> (loss: Double, gradient: [Double]) {
        var point = origin
        VectorMath.move(&point, by: t, along: direction)
        let value = try objective.evaluate(point)
        return maximize ? (-value.loss, value.gradient.map { -$0 }) : value
    }
}
