// SPDX-License-Identifier: Apache-2.0

import LossKit

import RealModule

/// Hyperbolic tangent (PyTorch `torch.nn.Tanh`), registry name `tanh`.
///
///     Forward:   y = tanh(x)
///     Backward:  dx = dy * (1 - y^2)        (from the result, as ATen's tanh_backward)
///
/// - Options: none.
public struct Tanh: ElementwiseActivation {
    public static let descriptor = LayerDescriptor(name: "tanh", pytorchName: "Tanh", summary: "tanh(x)", options: [])

    public init(options: LayerOptions) throws(ModelError) {}

    public func value(_ x: Double) -> Double { Double.tanh(x) }

    public func inputGradient(_ gradient: Double, x: Double, y: Double) -> Double { gradient * (1 - y * y) }
}
