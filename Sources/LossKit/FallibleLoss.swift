// SPDX-License-Identifier: Apache-2.0

/// A loss whose evaluation can fail at run time: a plugin loss, whose code lossd does not control,
/// may report an error or produce non-finite values for finite inputs.
///
/// The engine and ``LossEvaluation`` call ``tryEvaluate(_:output:gradients:workspace:)`` and fail
/// only the job (or the evaluation) that hit the error. The inherited non-throwing
/// ``Loss/evaluate(_:output:gradients:workspace:)`` fills the output and the wanted gradients
/// with NaN on failure, so any other caller sees a diverged loss rather than stale values.
public protocol FallibleLoss: Loss {
    /// Computes the output and the requested gradients, or throws (same contract as
    /// ``Loss/evaluate(_:output:gradients:workspace:)`` otherwise).
    func tryEvaluate(_ arguments: LossArguments, output: inout [Double], gradients: inout LossGradients,
                     workspace: inout [Double]) throws(LossError)
}

extension FallibleLoss {
    public func evaluate(_ arguments: LossArguments, output: inout [Double], gradients: inout LossGradients, workspace: inout [Double]) {
        do throws(LossError) {
            try tryEvaluate(arguments, output: &output, gradients: &gradients, workspace: &workspace)
        } catch {
            for index in output.indices { output[index] = .nan }
            for argument in gradients.buffers.indices where gradients.wanted[argument] {
                for index in gradients.buffers[argument].indices { gradients.buffers[argument][index] = .nan }
            }
        }
    }
}
