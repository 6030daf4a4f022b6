// SPDX-License-Identifier: Apache-2.0

import LossKit

/// Rectified linear unit (PyTorch `torch.nn.ReLU`), registry name `relu`.
///
///     Forward:   y = 0 if x < 0, else x         (ATen's clamp_min: relu(-0.0) = -0.0, relu(NaN) = NaN)
///     Backward:  dx = 0 if y <= 0, else dy       (relu'(0) = 0; from the result, as ATen's threshold_backward:
///                                                 NaN passes the gradient)
///
/// - Options: none (`inplace` has no meaning here and is not accepted).
public struct ReLU: ElementwiseActivation {
    public static let descriptor = LayerDescriptor(name: "relu", pytorchName: "ReLU", summary: "max(x, 0)", options: [])

    public init(options: LayerOptions) throws(ModelError) {}
    public init() {}

    public func value(_ x: Double) -> Double { x < 0 ? 0 : x }

    public func inputGradient(_ gradient: Double, x: Double, y: Double) -> Double { y <= 0 ? 0 : gradient }
}
