// SPDX-License-Identifier: Apache-2.0

import LossKit

import RealModule

/// Exponential linear unit (PyTorch `torch.nn.ELU`), registry name `elu`.
///
///     Forward:   y = x if x > 0, else alpha * (exp(x) - 1)       (computed with expm1)
///     Backward:  dx = dy if x > 0, else dy * alpha * exp(x)      (at 0: alpha, ATen's elu_backward)
///
/// - Options (`torch.nn.ELU` keywords, default): `alpha` (1.0).
public struct ELU: ElementwiseActivation {
    public static let descriptor = LayerDescriptor(
        name: "elu", pytorchName: "ELU", summary: "x, or alpha * (exp(x) - 1) below 0",
        options: [OptionSpec("alpha", .number, default: .number(1), "the value approached for x -> -inf is -alpha")])

    public let alpha: Double

    public init(options: LayerOptions) throws(ModelError) {
        alpha = options.number("alpha")
    }

    public var description: String { "ELU(alpha=\(alpha))" }

    public func value(_ x: Double) -> Double { x <= 0 ? Double.expMinusOne(x) * alpha : x }

    public func inputGradient(_ gradient: Double, x: Double, y: Double) -> Double {
        x <= 0 ? gradient * alpha * Double.exp(x) : gradient
    }
}
