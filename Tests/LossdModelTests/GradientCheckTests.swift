// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdModel
import LossdTestSupport
import Testing

/// Central differences against every layer's analytic backward, and through whole models.
@Suite struct GradientCheckTests {
    /// A layer, its options and the input width it runs on.
    struct LayerCase: Sendable, CustomTestStringConvertible {
        var name: String
        var options: [String: OptionValue]
        var width: Int
        var testDescription: String { "\(name) \(options.keys.sorted().map { "\($0)=\(options[$0]!)" }.joined(separator: " "))" }
    }

    static let layerCases: [LayerCase] = [
        LayerCase(name: "linear", options: ["in_features": .integer(5), "out_features": .integer(3)], width: 5),
        LayerCase(name: "Linear", options: ["in_features": .integer(4), "out_features": .integer(2), "bias": .bool(false)], width: 4),
        LayerCase(name: "relu", options: [:], width: 5),
        LayerCase(name: "leaky_relu", options: [:], width: 5),
        LayerCase(name: "LeakyReLU", options: ["negative_slope": .number(0.2)], width: 5),
        LayerCase(name: "elu", options: [:], width: 5),
        LayerCase(name: "elu", options: ["alpha": .number(0.5)], width: 5),
        LayerCase(name: "gelu", options: [:], width: 5),
        LayerCase(name: "gelu", options: ["approximate": .string("tanh")], width: 5),
        LayerCase(name: "silu", options: [:], width: 5),
        LayerCase(name: "tanh", options: [:], width: 5),
        LayerCase(name: "sigmoid", options: [:], width: 5),
        LayerCase(name: "softplus", options: [:], width: 5),
        LayerCase(name: "softplus", options: ["beta": .number(2), "threshold": .number(3)], width: 5),
        LayerCase(name: "log_softmax", options: [:], width: 5),
        LayerCase(name: "softmax", options: ["dim": .integer(-1)], width: 5),
    ]

    static let rows = 4
    static let step = 1e-6
    static let rtol = 1e-6

    @Test func everyRegisteredLayerIsChecked() throws {
        let checked = try Set(Self.layerCases.map { try LayerRegistry.builtins.entry(named: $0.name).descriptor.name })
        #expect(checked == Set(LayerRegistry.builtins.names))
    }

    @Test(arguments: layerCases)
    func layerGradientsMatchCentralDifferences(_ testCase: LayerCase) throws {
        let layer = try LayerRegistry.builtins.makeLayer(testCase.name, options: testCase.options)
        var random = SeededRandom(seed: 15)
        let width = testCase.width
        let outWidth = try layer.outputWidth(inputWidth: width)
        let input = random.uniform([Self.rows, width]).scalars
        let parameters = random.uniform([LayerHarness.parameterCount(layer, width: width)], in: -1...1).scalars
        let upstream = random.uniform([Self.rows, outWidth]).scalars
        // The objective sum(output * upstream) has gradient `upstream` with respect to the output.
        func objective(_ input: [Double], _ parameters: [Double]) throws -> Double {
            let output = try LayerHarness.forward(layer, input: input, rows: Self.rows, width: width, parameters: parameters)
            return zip(output, upstream).reduce(0) { $0 + $1.0 * $1.1 }
        }
        let analytic = try LayerHarness.backward(layer, input: input, rows: Self.rows, width: width, parameters: parameters, upstream: upstream)
        let numericInput = try input.indices.map { index in
            var plus = input, minus = input
            plus[index] += Self.step
            minus[index] -= Self.step
            return (try objective(plus, parameters) - objective(minus, parameters)) / (2 * Self.step)
        }
        let numericParameters = try parameters.indices.map { index in
            var plus = parameters, minus = parameters
            plus[index] += Self.step
            minus[index] -= Self.step
            return (try objective(input, plus) - objective(input, minus)) / (2 * Self.step)
        }
        #expect(Closeness.firstMismatch(actual: analytic.input, expected: numericInput, rtol: Self.rtol) == nil)
        #expect(Closeness.firstMismatch(actual: analytic.parameters, expected: numericParameters, rtol: Self.rtol) == nil)
    }

    /// Models whose parameter gradients are checked through ``Sequential``, in every layer.
    static let models: [(label: String, layers: [(name: String, options: [String: OptionValue])], inputWidth: Int)] = [
        ("mlp relu", [("linear", ["in_features": .integer(3), "out_features": .integer(6)]), ("relu", [:]),
                      ("linear", ["in_features": .integer(6), "out_features": .integer(4)]), ("tanh", [:]),
                      ("linear", ["in_features": .integer(4), "out_features": .integer(2)])], 3),
        ("classifier", [("Linear", ["in_features": .integer(4), "out_features": .integer(5)]), ("GELU", [:]),
                        ("Linear", ["in_features": .integer(5), "out_features": .integer(3), "bias": .bool(false)]), ("LogSoftmax", [:])], 4),
        ("single linear", [("linear", ["in_features": .integer(2), "out_features": .integer(1)])], 2),
    ]

    @Test(arguments: models.indices)
    func sequentialGradientsMatchCentralDifferences(_ index: Int) throws {
        let model = Self.models[index]
        let sequential = try Sequential(model.layers, inputWidth: model.inputWidth)
        var random = SeededRandom(seed: UInt64(16 + index))
        let rows = 5
        let input = random.uniform([rows, sequential.inputWidth]).scalars
        let parameters = sequential.defaultParameters { bound in Double.random(in: -bound...bound, using: &random) }
        let upstream = random.uniform([rows, sequential.outputWidth]).scalars
        var workspace = sequential.makeWorkspace(rows: rows + 3)
        func objective(_ parameters: [Double]) -> Double {
            sequential.forward(input, rows: rows, parameters: parameters, workspace: &workspace)
            return zip(workspace.output.prefix(rows * sequential.outputWidth), upstream).reduce(0) { $0 + $1.0 * $1.1 }
        }
        var gradient = [Double](repeating: .nan, count: sequential.layout.count)
        _ = objective(parameters)
        sequential.backward(outputGradient: upstream, rows: rows, parameters: parameters, workspace: &workspace, parameterGradient: &gradient)
        let numeric = parameters.indices.map { position in
            var plus = parameters, minus = parameters
            plus[position] += Self.step
            minus[position] -= Self.step
            return (objective(plus) - objective(minus)) / (2 * Self.step)
        }
        #expect(Closeness.firstMismatch(actual: gradient, expected: numeric, rtol: Self.rtol) == nil)
    }
}
