// SPDX-License-Identifier: Apache-2.0

import LossKit

/// The check every plugin loss passes before its first use: its analytic gradient against
/// central finite differences, with each reduction and the default options, on random inputs.
///
///     x, y       6 values each (shape (2, 3)), uniform in [0.1, 0.9], from a fixed seed
///     numeric_i  = (sum f(x + h e_i) - sum f(x - h e_i)) / 2h ,   h = 1e-6
///     error_i    = |analytic_i - numeric_i| / max(1, |numeric_i|)  must be <= 1e-5
///
/// The inputs lie in (0, 1) so that losses defined only on probabilities or positive values
/// can be checked as well as losses on the whole real line. The target's gradient is checked
/// too when the loss declares it differentiable.
enum GradientCheck {
    static let shape = [2, 3]
    static let step = 1e-6
    static let tolerance = 1e-5

    /// Runs the check on the losses `make` creates; throws the first disagreement.
    static func run(_ descriptor: LossDescriptor, origin: String, plugin: String,
                    make: (LossOptions) throws(LossError) -> PluginLoss) throws(PluginError) {
        func refuse(_ message: String) -> PluginError {
            PluginError(.gradientCheck, plugin: plugin, "\(origin) refused: loss '\(descriptor.name)' \(message)")
        }
        var random = SplitMix64(seed: 0x6C6F_7373_6421)
        let count = shape.reduce(1, *)
        let input = Tensor(shape: shape, scalars: (0..<count).map { _ in 0.1 + 0.8 * random.nextUnit() })
        let target = Tensor(shape: shape, scalars: (0..<count).map { _ in 0.1 + 0.8 * random.nextUnit() })
        for reduction in Reduction.allCases {
            let loss: PluginLoss
            do throws(LossError) {
                loss = try make(LossOptions(["reduction": .string(reduction.rawValue)], for: descriptor))
            } catch {
                throw refuse("rejects its default options: \(error.message)")
            }
            func evaluate(_ input: Tensor, _ target: Tensor, wantGradients: Bool) throws(PluginError) -> (Double, [[Double]]) {
                let arguments = LossArguments([input, target])
                var output = Array(repeating: 0.0, count: reduction == .none ? count : 1)
                var gradients = wantGradients ? LossGradients(for: loss, arguments: arguments)
                                              : LossGradients([[], []], wanted: [false, false])
                var workspace: [Double] = []
                do throws(LossError) {
                    try loss.tryEvaluate(arguments, output: &output, gradients: &gradients, workspace: &workspace)
                } catch {
                    throw refuse("failed on the gradient check's random inputs (values in [0.1, 0.9], reduction=\(reduction.rawValue)): \(error.message)")
                }
                return (output.reduce(0, +), gradients.buffers)
            }
            let (_, analytic) = try evaluate(input, target, wantGradients: true)
            for (argument, name) in [(0, "input"), (1, "target")] where argument == 0 || descriptor.arguments[1].isDifferentiable {
                for index in 0..<count {
                    var plus = [input, target], minus = [input, target]
                    plus[argument].scalars[index] += step
                    minus[argument].scalars[index] -= step
                    let (up, _) = try evaluate(plus[0], plus[1], wantGradients: false)
                    let (down, _) = try evaluate(minus[0], minus[1], wantGradients: false)
                    let numeric = (up - down) / (2 * step)
                    let value = analytic[argument][index]
                    let error = abs(value - numeric) / max(1, abs(numeric))
                    guard error <= tolerance else {
                        throw refuse("fails the gradient check (reduction=\(reduction.rawValue)): d/d \(name)[\(index)] is \(value) "
                                     + "analytically but \(numeric) by central differences: error \(error) > tolerance \(tolerance)")
                    }
                }
            }
        }
    }
}
