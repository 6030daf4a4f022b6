// SPDX-License-Identifier: Apache-2.0

import LossKit

/// Leaky rectified linear unit (PyTorch `torch.nn.LeakyReLU`), registry name `leaky_relu`.
///
///     Forward:   y = x if x > 0, else negative_slope * x
///     Backward:  dx = dy if x > 0, else negative_slope * dy     (at 0: negative_slope, as ATen)
///
/// - Options (`torch.nn.LeakyReLU` keywords, default): `negative_slope` (0.01).
public struct LeakyReLU: ElementwiseActivation {
    public static let descriptor = LayerDescriptor(
        name: "leaky_relu", pytorchName: "LeakyReLU", summary: "x, or negative_slope * x below 0",
        options: [OptionSpec("negative_slope", .number, default: .number(0.01), "slope for x <= 0")])

    public let negativeSlope: Double

    public init(options: LayerOptions) throws(ModelError) {
        negativeSlope = options.number("negative_slope")
    }

    public var description: String { "LeakyReLU(negative_slope=\(negativeSlope))" }

    public func value(_ x: Double) -> Double { x > 0 ? x : x * negativeSlope }

    public func inputGradient(_ gradient: Double, x: Double, y: Double) -> Double { x > 0 ? gradient : gradient * negativeSlope }
}
