// SPDX-License-Identifier: Apache-2.0

import LossKit
import RealModule

/// Sigmoid linear unit, or swish (PyTorch `torch.nn.SiLU`), registry name `silu`.
///
///     Forward:   y = x * sigmoid(x)
///     Backward:  dx = dy * s * (1 + x * (1 - s)),  s = sigmoid(x)
///
/// - Options: none.
public struct SiLU: ElementwiseActivation {
    public static let descriptor = LayerDescriptor(name: "silu", pytorchName: "SiLU", summary: "x * sigmoid(x)", options: [])

    public init(options: LayerOptions) throws(ModelError) {}

    public func value(_ x: Double) -> Double { x / (1 + Double.exp(-x)) }

    public func inputGradient(_ gradient: Double, x: Double, y: Double) -> Double {
        let s = Kernels.sigmoid(x)
        return gradient * s * (1 + x * (1 - s))
    }
}
