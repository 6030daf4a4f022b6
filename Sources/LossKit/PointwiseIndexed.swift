// SPDX-License-Identifier: Apache-2.0

extension Pointwise {
    /// The driver for element-wise losses of `input` and a same-shaped `target` whose element loss
    /// also needs the element's flat index (to read a weight broadcast to the input, as `bce` and
    /// `bce_with_logits` do), whose reduction divides by something other than the element count
    /// (`kl_div`'s `batchmean`), or whose gradient must apply the reduction's scale where PyTorch
    /// does (inside a sum of terms that cancel, for autograd-composite losses).
    ///
    ///     perElement -> out_i = l_i ;  otherwise -> (sum_i l_i) / divisor
    ///
    /// `element(i, x_i, y_i)` returns l_i and the gradients of the *reduced* output: the loss applies
    /// the divisor itself (ATen's backward kernels divide at the end, autograd scales the incoming
    /// gradient first; the bits differ where terms cancel).
    @inlinable
    public static func evaluateIndexed(
        _ arguments: LossArguments, perElement: Bool, divisor: Double,
        output: inout [Double], gradients: inout LossGradients,
        _ element: (Int, Double, Double) -> ElementLoss
    ) {
        let count = arguments[0].count
        var total = 0.0
        let wantsInput = gradients.wants(0), wantsTarget = gradients.wants(1)
        gradients.withBuffers(0, 1) { gradInput, gradTarget in
            // Sound: every buffer below is indexed by i < count, and validation made input,
            // target, the non-empty gradients and (for per-element output) output exactly `count` long.
            arguments[0].scalars.withUnsafeBufferPointer { x in
                arguments[1].scalars.withUnsafeBufferPointer { y in
                    gradInput.withUnsafeMutableBufferPointer { gx in
                        gradTarget.withUnsafeMutableBufferPointer { gy in
                            output.withUnsafeMutableBufferPointer { out in
                                for i in 0..<count {
                                    let l = element(i, x[i], y[i])
                                    if perElement { out[i] = l.value } else { total += l.value }
                                    if wantsInput { gx[i] = l.dInput }
                                    if wantsTarget { gy[i] = l.dTarget }
                                }
                            }
                        }
                    }
                }
            }
        }
        if !perElement { output[0] = total / divisor }
    }
}
