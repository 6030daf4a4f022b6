// SPDX-License-Identifier: Apache-2.0

import LossKit
import RealModule
import LossdTestSupport
import Testing

/// Checks every built-in loss must pass, like PyTorch's `criterion_tests` table.
@Suite("Generic loss checks")
struct GenericLossTests {
    static func evaluate(_ sample: GradientSample, options: [String: OptionValue]? = nil, arguments: [String: Tensor]? = nil) throws -> LossEvaluation {
        let loss = try LossRegistry.builtins.makeLoss(sample.loss, options: options ?? sample.options)
        return try LossEvaluation(loss: loss, arguments: arguments ?? sample.arguments)
    }

    /// The function the gradient check differentiates: sum of the output, optionally through a
    /// log_softmax of one argument (see `GradientSample.logSoftmaxDimension`).
    static func objective(_ sample: GradientSample, _ arguments: [String: Tensor]) throws -> Double {
        var arguments = arguments
        if let (name, dimension) = sample.logSoftmaxDimension {
            arguments[name] = logSoftmax(arguments[name]!, dimension: dimension)
        }
        return try evaluate(sample, arguments: arguments).value.scalars.reduce(0, +)
    }

    static func logSoftmax(_ tensor: Tensor, dimension: Int) -> Tensor {
        let extent = tensor.shape[dimension]
        let inner = tensor.shape[(dimension + 1)...].reduce(1, *)
        let outer = tensor.shape[..<dimension].reduce(1, *)
        var result = tensor
        for o in 0..<outer {
            for i in 0..<inner {
                let indices = (0..<extent).map { o * extent * inner + $0 * inner + i }
                let maximum = indices.map { tensor.scalars[$0] }.max()!
                let lse = maximum + Double.log(indices.map { Double.exp(tensor.scalars[$0] - maximum) }.reduce(0, +))
                for index in indices { result.scalars[index] = tensor.scalars[index] - lse }
            }
        }
        return result
    }

    @Test("analytic gradient matches central differences", arguments: GradientSample.all)
    func gradientCheck(_ sample: GradientSample) throws {
        var arguments = sample.arguments
        if let (name, dimension) = sample.logSoftmaxDimension {
            // Start from normalised log-probabilities; the perturbations then move through log_softmax.
            arguments[name] = Self.logSoftmax(arguments[name]!, dimension: dimension)
        }
        let analytic = try Self.evaluate(sample, arguments: arguments)
        #expect(!analytic.gradients.isEmpty, "no gradient reported")
        for (name, gradient) in analytic.gradients {
            for index in gradient.scalars.indices {
                let x = arguments[name]!.scalars[index]
                let h = 1e-6 * max(1, abs(x))
                var plus = arguments, minus = arguments
                plus[name]!.scalars[index] = x + h
                minus[name]!.scalars[index] = x - h
                let numeric = (try Self.objective(sample, plus) - Self.objective(sample, minus)) / (2 * h)
                let value = gradient.scalars[index]
                #expect(abs(value - numeric) <= 1e-6 + 1e-5 * abs(numeric),
                        "d/d\(name)[\(index)]: analytic \(value), numeric \(numeric)")
            }
        }
    }

    @Test("sum equals the sum of none, and gradients agree", arguments: GradientSample.all.filter { $0.options["reduction"] == .string("sum") })
    func sumMatchesNone(_ sample: GradientSample) throws {
        var options = sample.options
        options["reduction"] = .string("none")
        let summed = try Self.evaluate(sample)
        let elementwise = try Self.evaluate(sample, options: options)
        let total = elementwise.value.scalars.reduce(0, +)
        #expect(Closeness.firstMismatch(actual: summed.value.scalars, expected: [total], rtol: 1e-12) == nil)
        for (name, gradient) in summed.gradients {
            #expect(Closeness.firstMismatch(actual: gradient.scalars, expected: elementwise.gradients[name]!.scalars, rtol: 1e-12) == nil, "\(name)")
        }
    }

    @Test("losses are values: evaluating twice gives identical bits", arguments: GradientSample.all)
    func deterministic(_ sample: GradientSample) throws {
        let first = try Self.evaluate(sample)
        let second = try Self.evaluate(sample)
        let bits = { (values: [Double]) -> [UInt64] in values.map { $0.bitPattern } }
        #expect(bits(first.value.scalars) == bits(second.value.scalars))
        for (name, gradient) in first.gradients {
            let again = second.gradients[name]?.scalars ?? []
            #expect(bits(gradient.scalars) == bits(again), "\(name)")
        }
    }

    @Test("finite inputs give finite values", arguments: GradientSample.all)
    func finite(_ sample: GradientSample) throws {
        let evaluation = try Self.evaluate(sample)
        let valueIsFinite = evaluation.value.scalars.allSatisfy { $0.isFinite }
        #expect(valueIsFinite)
        for (name, gradient) in evaluation.gradients {
            let gradientIsFinite = gradient.scalars.allSatisfy { $0.isFinite }
            #expect(gradientIsFinite, "\(name)")
        }
    }

    @Test("every built-in loss has a gradient sample")
    func everyLossCovered() {
        let covered = Set(GradientSample.all.map(\.loss))
        for name in LossRegistry.builtins.names { #expect(covered.contains(name), "no GradientSample for \(name)") }
    }
}


