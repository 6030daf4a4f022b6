// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit

/// Decays the learning rate polynomially to zero over `total_iters` steps (PyTorch
/// `PolynomialLR`), registry name `polynomial_lr`.
///
/// torch's recursive `get_lr`, n = total_iters, p = power (`**` is C `pow`, as Python's):
///
///     lr_0 = lr
///     lr_e = lr_{e-1} * ((1.0 - e / n) / (1.0 - (e - 1) / n)) ** p   for 1 <= e <= n
///     lr_e = lr_{e-1}                                                for e > n
///
/// Closed form (SequentialLR's milestone, epoch 0): base * (1.0 - min(n, 0) / n) ** p.
///
/// - Options (default): `total_iters` (5), `power` (1.0). PyTorch checks neither.
public struct PolynomialLR: RecursiveLRScheduler {
    public static let descriptor = ComponentDescriptor(
        name: "polynomial_lr", pytorchName: "PolynomialLR", summary: "decay the learning rate polynomially to 0 over total_iters steps",
        options: [
            .totalIters(5, "steps until the learning rate reaches 0"),
            OptionSpec("power", .number, default: .number(1), "power of the polynomial"),
        ])

    public let totalIterations: Int
    public let power: Double

    public init(options: ComponentOptions) throws(EngineError) {
        totalIterations = options.integer("total_iters")
        power = options.number("power")
    }

    public func restartLearningRate(base: Double) -> Double {
        let n = Double(totalIterations)
        return base * pow(1.0 - Double(min(totalIterations, 0)) / n, power)
    }

    public func learningRate(epoch: Int, current: Double, base: Double) -> Double {
        if epoch > totalIterations { return current }
        let n = Double(totalIterations)
        let factor = pow((1.0 - Double(epoch) / n) / (1.0 - Double(epoch - 1) / n), power)
        return current * factor
    }
}
