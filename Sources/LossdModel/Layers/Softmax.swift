// SPDX-License-Identifier: Apache-2.0

import LossKit

import RealModule

/// Softmax over the features of each row (PyTorch `torch.nn.Softmax(dim=1)`), registry name `softmax`.
///
///     Forward:   y_j = exp(x_j - m) / sum_c exp(x_c - m),   m = max_c x_c
///     Backward:  dx_j = y_j * (dy_j - sum_c dy_c y_c)
///
/// - Options (`torch.nn.Softmax` keywords, default): `dim` (1; -1 is the same dimension, others are refused).
public struct Softmax: FeatureNormalization {
    public static let descriptor = LayerDescriptor(
        name: "softmax", pytorchName: "Softmax", summary: "exp(x) normalised to sum 1 over the features",
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
            for c in 0..<inputWidth {
                let e = Double.exp(input[base + c] - maximum)
                output[base + c] = e
                total += e
            }
            for c in 0..<inputWidth { output[base + c] /= total }
        }
    }

    public func backward(input: UnsafeBufferPointer<Double>, output: UnsafeBufferPointer<Double>,
                         outputGradient: UnsafeBufferPointer<Double>, rows: Int, inputWidth: Int,
                         parameters: UnsafeBufferPointer<Double>, inputGradient: UnsafeMutableBufferPointer<Double>?,
                         parameterGradient: UnsafeMutableBufferPointer<Double>) {
        guard let inputGradient else { return }
        for row in 0..<rows {
            let base = row * inputWidth
            var dot = 0.0
            for c in 0..<inputWidth { dot += outputGradient[base + c] * output[base + c] }
            for c in 0..<inputWidth { inputGradient[base + c] = output[base + c] * (outputGradient[base + c] - dot) }
        }
    }
}
