// SPDX-License-Identifier: Apache-2.0

/// The `weight` argument that `torch.nn.functional.l1_loss`, `mse_loss` and `huber_loss` take
/// (the `torch.nn` classes do not): one factor per element, a tensor of exactly the input's shape.
///
/// PyTorch 2.15 computes it in Python around the unweighted per-element loss l_i, with w the weight:
///
///     none -> [w_i l_i] ;  sum -> sum_i w_i l_i
///     mean -> (sum_i w_i l_i) / (sum_i w_i)    l1_loss, mse_loss
///             (sum_i w_i l_i) / N              huber_loss (`weighted_loss.mean()`)
///
/// and autograd differentiates those operations: with a = 1 / sum_i w_i (`DivBackward`, l1 and
/// mse mean), 1 / N (`MeanBackward`, huber mean) or 1 (sum, none), each element's upstream
/// gradient is a * w_i (`MulBackward`), then times the element's own derivative:
///
///     dL/dx_i = (a * w_i) * dl_i/dx_i ,  dL/dy_i = (a * w_i) * dl_i/dy_i
///
/// Quirks kept: negative and zero weights are allowed; a weight summing to 0 gives a mean of
/// +-inf or NaN (0/0) and gradients of inf or NaN, as in PyTorch; a weight written with integer
/// literals (a Long tensor) is promoted. A weight of another shape is refused (PyTorch's
/// `ValueError: Weights and input must have the same size.`: no broadcasting). lossd keeps
/// option tensors finite, so a NaN or infinite weight is refused where PyTorch would return NaN.
public enum ElementWeight {
    /// What a weighted `mean` divides the weighted sum by.
    public enum MeanDivisor: Sendable {
        /// sum_i w_i (`l1_loss`, `mse_loss`).
        case weightSum
        /// The element count N (`huber_loss`).
        case count
    }

    /// The option, spelled and defaulted as PyTorch's keyword argument, for a loss whose weighted
    /// mean divides by `divisor`. Added after job hashes were published: an unweighted job's
    /// complete options leave it out (``OptionSpec/omittedAtDefault``).
    public static func option(mean divisor: MeanDivisor) -> OptionSpec {
        let mean = divisor == .weightSum ? "sum(w*l)/sum(w)" : "sum(w*l)/N"
        var spec = OptionSpec("weight", .optionalTensor, default: .null,
                              "one factor w per element, the input's shape (torch.nn.functional only); mean is \(mean); None: unweighted")
        spec.omittedAtDefault = true
        return spec
    }

    /// Refuses a weight whose shape is not the input's.
    public static func validate(_ weight: Tensor?, input: Tensor) throws(LossError) {
        guard let weight, weight.shape != input.shape else { return }
        throw LossError(.invalidShape, subject: "weight",
                        "weight: shape \(weight.shapeDescription) must be the input's shape \(input.shapeDescription) "
                            + "(Weights and input must have the same size.)")
    }

    /// Runs `element` over every (input, target) pair with the weights, reducing as PyTorch's
    /// functional form does and writing the gradients (see the type's formulas).
    ///
    /// - Precondition: ``validate(_:input:)`` and the loss's own checks accepted the arguments.
    @inlinable
    public static func evaluate(
        _ arguments: LossArguments, _ reduction: Reduction, weight: Tensor, mean divisor: MeanDivisor,
        output: inout [Double], gradients: inout LossGradients,
        _ element: (Double, Double) -> ElementLoss
    ) {
        let count = arguments[0].count
        var weightSum = 0.0
        for w in weight.scalars { weightSum += w }
        let scale: Double = switch reduction {
        case .mean: 1 / (divisor == .weightSum ? weightSum : Double(count))
        case .sum, .none: 1
        }
        var total = 0.0
        let wantsInput = gradients.wants(0), wantsTarget = gradients.wants(1)
        gradients.withBuffers(0, 1) { gradInput, gradTarget in
            // Sound: every buffer below is indexed by i < count; validation made input, target
            // and weight, the non-empty gradients and (for `none`) output exactly `count` long.
            arguments[0].scalars.withUnsafeBufferPointer { x in
                arguments[1].scalars.withUnsafeBufferPointer { y in
                    weight.scalars.withUnsafeBufferPointer { w in
                        gradInput.withUnsafeMutableBufferPointer { gx in
                            gradTarget.withUnsafeMutableBufferPointer { gy in
                                output.withUnsafeMutableBufferPointer { out in
                                    for i in 0..<count {
                                        let l = element(x[i], y[i])
                                        let weighted = l.value * w[i]
                                        if reduction == .none { out[i] = weighted } else { total += weighted }
                                        let upstream = scale * w[i]
                                        if wantsInput { gx[i] = upstream * l.dInput }
                                        if wantsTarget { gy[i] = upstream * l.dTarget }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        switch reduction {
        case .none: break
        case .sum: output[0] = total
        case .mean: output[0] = total / (divisor == .weightSum ? weightSum : Double(count))
        }
    }
}
