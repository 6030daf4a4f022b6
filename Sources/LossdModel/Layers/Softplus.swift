// SPDX-License-Identifier: Apache-2.0

import LossKit

import RealModule

/// Softplus (PyTorch `torch.nn.Softplus`), registry name `softplus`.
///
///     Forward:   y = x                              if beta x > threshold
///                    log1p(exp(beta x)) / beta      otherwise
///     Backward:  dx = dy                            if beta x > threshold
///                     dy * z / (z + 1), z = exp(beta x)   otherwise
///
/// - Options (`torch.nn.Softplus` keywords, default): `beta` (1.0), `threshold` (20.0).
public struct Softplus: ElementwiseActivation {
    public static let descriptor = LayerDescriptor(
        name: "softplus", pytorchName: "Softplus", summary: "smooth relu: log(1 + exp(beta x)) / beta",
        options: [
            OptionSpec("beta", .number, default: .number(1), "sharpness; must not be 0"),
            OptionSpec("threshold", .number, default: .number(20), "above beta x > threshold the layer is the identity"),
        ])

    public let beta: Double
    public let threshold: Double

    public init(options: LayerOptions) throws(ModelError) {
        beta = options.number("beta")
        threshold = options.number("threshold")
        guard beta != 0 else { throw .option("beta", "must not be 0") }
    }

    public var description: String { "Softplus(beta=\(beta), threshold=\(threshold))" }

    public func value(_ x: Double) -> Double {
        x * beta > threshold ? x : Double.log(onePlus: Double.exp(x * beta)) / beta
    }

    public func inputGradient(_ gradient: Double, x: Double, y: Double) -> Double {
        if x * beta > threshold { return gradient }
        let z = Double.exp(x * beta)
        return gradient * z / (z + 1)
    }
}
