// SPDX-License-Identifier: Apache-2.0

import LossKit
import RealModule

/// Log-softmax over the features of each row (PyTorch `torch.nn.LogSoftmax(dim=1)`), registry name `log_softmax`.
///
///     Forward:   y_j = (x_j - m) - log(sum_c exp(x_c - m)),   m = max_c x_c   (ATen's order: exact for the maximum)
///     Backward:  dx_j = dy_j - exp(y_j) * sum_c dy_c
///
/// - Options (`torch.nn.LogSoftmax` keywords, default): `dim` (1; -1 is the same dimension, others are refused).
public struct LogSoftmax: FeatureNormalization {
    public static let descriptor = LayerDescriptor(
        name: "log_softmax", pytorchName: "LogSoftmax", summary: "log of softmax over the features (pairs with nll)",
        options: [.featureDimension])

    public let dim: Int

    /// - Precondition: `dim` is 1 or -1 (``init(options:)`` checks it with a message).
    public init(dim: Int) {
        precondition(dim == 1 || dim == -1, "dim must be 1 or -1")
        self.dim = dim
    }

    public func forward(input: UnsafeBufferPointer<Double>, rows: Int, inputWidth: Int, parameters: UnsafeBufferPointer<Double>,
                        scratch: UnsafeMutableBufferPointer<Double>, output: UnsafeMutableBufferPointer<Double>) {
        for row in 0..<rows {
            let base = row * inputWidth
            let maximum = rowMaximum(input, base: base, count: inputWidth)
            var total = 0.0
            for c in 0..<inputWidth { total += Double.exp(input[base + c] - maximum) }
            let logTotal = Double.log(total)
            for c in 0..<inputWidth { output[base + c] = (input[base + c] - maximum) - logTotal }
        }
    }

    public func backward(input: UnsafeBufferPointer<Double>, output: UnsafeBufferPointer<Double>,
                         outputGradient: UnsafeBufferPointer<Double>, rows: Int, inputWidth: Int,
                         parameters: UnsafeBufferPointer<Double>, inputGradient: UnsafeMutableBufferPointer<Double>?,
                         parameterGradient: UnsafeMutableBufferPointer<Double>) {
        guard let inputGradient else { return }
        for row in 0..<rows {
            let base = row * inputWidth
            var total = 0.0
            for c in 0..<inputWidth { total += outputGradient[base + c] }
            for c in 0..<inputWidth { inputGradient[base + c] = outputGradient[base + c] - Double.exp(output[base + c]) * total }
        }
    }
}
