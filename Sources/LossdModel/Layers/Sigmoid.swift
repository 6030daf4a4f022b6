// SPDX-License-Identifier: Apache-2.0

import LossKit

/// Logistic sigmoid (PyTorch `torch.nn.Sigmoid`), registry name `sigmoid`.
///
///     Forward:   y = 1 / (1 + exp(-x))
///     Backward:  dx = dy * (1 - y) * y      (from the result, as ATen's sigmoid_backward)
///
/// - Options: none.
public struct Sigmoid: ElementwiseActivation {
    public static let descriptor = LayerDescriptor(name: "sigmoid", pytorchName: "Sigmoid", summary: "1 / (1 + exp(-x))", options: [])

    public init(options: LayerOptions) throws(ModelError) {}

    public func value(_ x: Double) -> Double { Kernels.sigmoid(x) }

    public func inputGradient(_ gradient: Double, x: Double, y: Double) -> Double { gradient * (1 - y) * y }
}
