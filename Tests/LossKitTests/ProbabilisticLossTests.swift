// SPDX-License-Identifier: Apache-2.0

import LossKit
import Testing

/// Inputs PyTorch accepts but turns into a silent NaN or inf: lossd refuses them, naming the
/// argument. (The golden fixtures cannot hold these, since PyTorch does not raise.)
@Suite("Probabilistic losses refuse inputs PyTorch turns into NaN")
struct ProbabilisticLossTests {
    static func error(_ loss: String, options: [String: OptionValue] = [:], _ arguments: [String: Tensor]) -> LossError? {
        do {
            let made = try LossRegistry.builtins.makeLoss(loss, options: options)
            _ = try LossEvaluation(loss: made, arguments: arguments)
            return nil
        } catch {
            return error
        }
    }

    @Test func klDivNegativeProbability() {
        let error = Self.error("kl_div", ["input": Tensor([-1, -2]), "target": Tensor([0.5, -0.25])])
        #expect(error?.code == .invalidValue && error?.subject == "target")
        // The same values are fine as log-probabilities.
        #expect(Self.error("kl_div", options: ["log_target": .bool(true)], ["input": Tensor([-1, -2]), "target": Tensor([0.5, -0.25])]) == nil)
    }

    @Test func poissonRateBelowMinusEps() {
        let error = Self.error("poisson_nll", options: ["log_input": .bool(false)], ["input": Tensor([1, -1e-8]), "target": Tensor([1, 1])])
        #expect(error?.code == .invalidValue && error?.subject == "input")
        // Slightly above -eps the log is finite, as in PyTorch.
        #expect(Self.error("poisson_nll", options: ["log_input": .bool(false)], ["input": Tensor([-0.5e-8]), "target": Tensor([1])]) == nil)
        // A negative log-rate is ordinary.
        #expect(Self.error("poisson_nll", ["input": Tensor([-3]), "target": Tensor([1])]) == nil)
    }

    @Test func gaussianVarZeroAfterClamp() {
        let arguments = ["input": Tensor([1, 2]), "target": Tensor([0, 0]), "var": Tensor([0, 1])]
        let error = Self.error("gaussian_nll", options: ["eps": .number(0)], arguments)
        #expect(error?.code == .invalidValue && error?.subject == "var")
        #expect(Self.error("gaussian_nll", arguments) == nil)
    }

    @Test func gaussianPlainVarZeroAfterClamp() {
        let arguments = ["input": Tensor([1, 2]), "target": Tensor([0, 0]), "var": Tensor(plainNumber: 0, dtype: .float64)]
        let error = Self.error("gaussian_nll", options: ["eps": .number(0)], arguments)
        #expect(error?.code == .invalidValue && error?.subject == "var")
        #expect(Self.error("gaussian_nll", arguments) == nil)
    }

    @Test func gaussianTargetIsNotBroadcast() {
        let error = Self.error("gaussian_nll", ["input": Tensor([1, 2]), "target": Tensor(shape: [1, 2], scalars: [0, 0]), "var": Tensor([1, 1])])
        #expect(error?.code == .invalidShape && error?.subject == "target")
    }
}
