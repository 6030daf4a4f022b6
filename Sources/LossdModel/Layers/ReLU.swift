// SPDX-License-Identifier: Apache-2.0

import LossKit

/// Rectified linear unit (PyTorch `torch.nn.ReLU`), registry name `relu`.
///
///     Forward:   y = 0 if x < 0, else x         (ATen's clamp_min: relu(-0.0) = -0.0, relu(NaN) = NaN)
///     Backward:  dx = dy if x > 0, else 0        (relu'(0) = 0, ATen's threshold_backward)
///
/// - Options: none (`inplace` has no meaning here and is not accepted).
public struct ReLU: ElementwiseActivation {
    public static let descriptor = LayerDescriptor(name: "relu", pytorchName: "ReLU", summary: "max(x, 0)", options: [])

    public init(options: LayerOptions) throws(ModelError) {}
    public init() {}

    public func value(_ x: Double) -> Double { x < 0 ? 0 : x }

    public func inputGradient(_ gradient: Double, x: Double, y: Double) -> Double { x > 0 ? gradient : 0 }
}
