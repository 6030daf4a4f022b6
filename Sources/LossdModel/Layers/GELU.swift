// SPDX-License-Identifier: Apache-2.0

import LossKit

import RealModule

/// Gaussian error linear unit (PyTorch `torch.nn.GELU`), registry name `gelu`.
///
/// `approximate: none` (the erf form, ATen's GeluKernel):
///
///     Forward:   y = x * 0.5 * (1 + erf(x / sqrt(2)))
///     Backward:  dx = dy * (cdf + x * pdf),  cdf = 0.5 (1 + erf(x / sqrt(2))),  pdf = exp(-x^2/2) / sqrt(2 pi)
///
/// `approximate: tanh`, with beta = sqrt(2/pi), kappa = 0.044715, u = beta (x + kappa x^3):
///
///     Forward:   y = 0.5 x (1 + tanh(u))
///     Backward:  dx = dy * (0.5 (1 + tanh(u)) + 0.5 x (1 - tanh(u)^2) beta (1 + 3 kappa x^2))
///
/// - Options (`torch.nn.GELU` keywords, default): `approximate` (`none`; or `tanh`).
public struct GELU: ElementwiseActivation {
    public static let descriptor = LayerDescriptor(
        name: "gelu", pytorchName: "GELU", summary: "x * Phi(x), exact (erf) or tanh approximation",
        options: [OptionSpec("approximate", .choice(["none", "tanh"]), default: .string("none"), "'none': erf form; 'tanh': tanh approximation")])

    public let usesTanh: Bool

    public init(options: LayerOptions) throws(ModelError) {
        usesTanh = options.choice("approximate") == "tanh"
    }

    static let sqrtHalf = 0.5.squareRoot()
    /// 1/sqrt(2 pi), ATen's `M_2_SQRTPI * M_SQRT1_2 * 0.5`.
    static let alpha = 2 / Double.pi.squareRoot() * sqrtHalf * 0.5
    /// sqrt(2/pi), ATen's `M_SQRT2 * M_2_SQRTPI * 0.5`.
    static let beta = 2.0.squareRoot() * (2 / Double.pi.squareRoot()) * 0.5
    static let kappa = 0.044715

    public var description: String { "GELU(approximate='\(usesTanh ? "tanh" : "none")')" }

    public func value(_ x: Double) -> Double {
        if usesTanh {
            let inner = GELU.beta * (x + GELU.kappa * x * x * x)
            return 0.5 * x * (1 + Double.tanh(inner))
        }
        return x * 0.5 * (1 + Double.erf(x * GELU.sqrtHalf))
    }

    public func inputGradient(_ gradient: Double, x: Double, y: Double) -> Double {
        if usesTanh {
            let xSquared = x * x
            let inner = GELU.beta * (x + GELU.kappa * xSquared * x)
            let tanhInner = Double.tanh(inner)
            let left = 0.5 * x
            let right = 1 + tanhInner
            let leftDerivative = 0.5 * right
            let rightDerivative = 1 - tanhInner * tanhInner
            let innerDerivative = GELU.beta * (1 + 3 * GELU.kappa * xSquared)
            return gradient * (leftDerivative + left * rightDerivative * innerDerivative)
        }
        let cdf = 0.5 * (1 + Double.erf(x * GELU.sqrtHalf))
        let pdf = GELU.alpha * Double.exp(-0.5 * x * x)
        return gradient * (cdf + x * pdf)
    }
}
