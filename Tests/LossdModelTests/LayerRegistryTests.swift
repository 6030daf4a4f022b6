// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdModel
import Testing

/// Names, aliases, suggestions and option checks of the layer registry, and Sequential's width checks.
@Suite struct LayerRegistryTests {
    static let registry = LayerRegistry.builtins

    @Test(arguments: [
        ("linear", "Linear"), ("relu", "ReLU"), ("leaky_relu", "LeakyReLU"), ("elu", "ELU"), ("gelu", "GELU"), ("silu", "SiLU"),
        ("tanh", "Tanh"), ("sigmoid", "Sigmoid"), ("softplus", "Softplus"), ("log_softmax", "LogSoftmax"), ("softmax", "Softmax"),
    ])
    func nameAndClassNameReachTheSameLayer(_ name: String, _ pytorchName: String) throws {
        let options: [String: OptionValue] = name == "linear" ? ["in_features": .integer(2), "out_features": .integer(3)] : [:]
        let byName = try Self.registry.makeLayer(name, options: options)
        let byClass = try Self.registry.makeLayer(pytorchName, options: options)
        #expect(byName.descriptor == byClass.descriptor)
        #expect(byName.descriptor.name == name && byName.descriptor.pytorchName == pytorchName)
    }

    @Test(arguments: [
        ("lienar", "unknown layer 'lienar', did you mean 'linear'?"),
        ("Relu", "unknown layer 'Relu', did you mean 'ReLU'?"),
        ("leakyrelu", "unknown layer 'leakyrelu', did you mean 'LeakyReLU'?"),
        ("leaky_rlu", "unknown layer 'leaky_rlu', did you mean 'leaky_relu'?"),
        ("Conv2d", "unknown layer 'Conv2d' (layers: linear, relu, leaky_relu, elu, gelu, silu, tanh, sigmoid, softplus, log_softmax, softmax)"),
    ])
    func unknownNamesGetSuggestions(_ name: String, _ message: String) {
        let error = #expect(throws: ModelError.self) { try Self.registry.makeLayer(name) }
        #expect(error?.code == .unknownLayer && error?.subject == name)
        #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "")")
    }

    @Test(arguments: [
        ("leaky_relu", ["negative_slop": OptionValue.number(0.1)], ModelError.Code.unknownOption, "negative_slop",
         "leaky_relu has no option 'negative_slop', did you mean 'negative_slope'? (options: negative_slope)"),
        ("relu", ["inplace": .bool(true)], .unknownOption, "inplace", "relu has no option 'inplace' (options: none)"),
        ("linear", ["in_features": .string("8"), "out_features": .integer(2)], .invalidOption, "in_features",
         "option 'in_features': expected int, got a string ('8')"),
        ("linear", ["in_features": .number(2.5), "out_features": .integer(2)], .invalidOption, "in_features",
         "option 'in_features': expected int, got a number (2.5)"),
        ("linear", ["out_features": .integer(2)], .invalidOption, "in_features", "option 'in_features': is required by Linear"),
        ("linear", ["in_features": .integer(0), "out_features": .integer(2)], .invalidOption, "in_features", "option 'in_features': must be >= 1, got 0"),
        ("gelu", ["approximate": .string("erf")], .invalidOption, "approximate", "option 'approximate': 'erf' is not one of 'none', 'tanh'"),
        ("softmax", ["dim": .integer(0)], .invalidOption, "dim", "option 'dim': must be 1 or -1 (the features of a (batch, features) input), got 0"),
        ("log_softmax", ["dim": .bool(true)], .invalidOption, "dim", "option 'dim': expected int, got a boolean (True)"),
        ("softplus", ["beta": .integer(0)], .invalidOption, "beta", "option 'beta': must not be 0"),
        ("elu", ["alpha": .number(.infinity)], .invalidOption, "alpha", "option 'alpha': must be finite, got inf"),
    ])
    func badOptionsAreRefusedNamingTheOption(_ name: String, _ options: [String: OptionValue], _ code: ModelError.Code,
                                             _ subject: String, _ message: String) {
        let error = #expect(throws: ModelError.self) { try Self.registry.makeLayer(name, options: options) }
        #expect(error?.code == code)
        #expect(error?.subject == subject)
        #expect(error?.message == message)
    }

    @Test func optionsTakePyTorchDefaults() throws {
        let leaky = try #require(try Self.registry.makeLayer("leaky_relu") as? LeakyReLU)
        #expect(leaky.negativeSlope == 0.01)
        let softplus = try #require(try Self.registry.makeLayer("Softplus", options: ["beta": .integer(2)]) as? Softplus)
        #expect(softplus.beta == 2 && softplus.threshold == 20)
        let linear = try #require(try Self.registry.makeLayer("linear", options: ["in_features": .number(4), "out_features": .integer(3)]) as? Linear)
        #expect(linear.inFeatures == 4 && linear.outFeatures == 3 && linear.hasBias)
    }

    @Test func widthMismatchNamesTheLayerAndPyTorchsNames() throws {
        let layers: [(name: String, options: [String: OptionValue])] = [
            ("linear", ["in_features": .integer(4), "out_features": .integer(4)]), ("relu", [:]),
            ("Linear", ["in_features": .integer(8), "out_features": .integer(1)]),
        ]
        let error = #expect(throws: ModelError.self) { try Sequential(layers, inputWidth: 4) }
        #expect(error?.code == .widthMismatch && error?.subject == "layer 2")
        #expect(error?.message == "layer 2 (Linear): in_features is 8 but its input has 4 features")
        let first = #expect(throws: ModelError.self) { try Sequential(layers, inputWidth: 1) }
        #expect(first?.message == "layer 0 (Linear): in_features is 4 but its input has 1 feature")
    }

    @Test func layerErrorsInAModelNameTheirIndex() {
        let error = #expect(throws: ModelError.self) {
            try Sequential([("linear", ["in_features": .integer(2), "out_features": .integer(2)]), ("ReLu", [:])], inputWidth: 2)
        }
        #expect(error?.message == "layer 1 (ReLu): unknown layer 'ReLu', did you mean 'ReLU'? (layers: \(Self.registry.names.joined(separator: ", ")))")
        let empty = #expect(throws: ModelError.self) { try Sequential(layers: [], inputWidth: 2) }
        #expect(empty?.code == .invalidModel)
    }

    @Test func layoutFollowsTheStateDict() throws {
        let model = try Sequential([
            ("linear", ["in_features": .integer(3), "out_features": .integer(4)]), ("relu", [:]),
            ("linear", ["in_features": .integer(4), "out_features": .integer(2), "bias": .bool(false)]), ("sigmoid", [:]),
            ("linear", ["in_features": .integer(2), "out_features": .integer(1)]),
        ], inputWidth: 3)
        #expect(model.layout.entries.map(\.name) == ["0.weight", "0.bias", "2.weight", "4.weight", "4.bias"])
        #expect(model.layout.entries.map(\.shape) == [[4, 3], [4], [2, 4], [1, 2], [1]])
        #expect(model.layout.entries.map(\.offset) == [0, 12, 16, 24, 26])
        #expect(model.layout.count == 27 && model.outputWidth == 1 && model.widths == [3, 4, 4, 2, 2, 1])
    }

    /// Every element drawn in state_dict order from U(-1/sqrt(in_features), 1/sqrt(in_features)).
    @Test func defaultInitDrawsPyTorchsBoundsInStateDictOrder() throws {
        let model = try Sequential([
            ("linear", ["in_features": .integer(4), "out_features": .integer(3)]), ("tanh", [:]),
            ("linear", ["in_features": .integer(3), "out_features": .integer(1)]),
        ], inputWidth: 4)
        var bounds: [Double] = []
        let parameters = model.defaultParameters { bound in
            bounds.append(bound)
            return Double(bounds.count)
        }
        #expect(parameters == (1...model.layout.count).map(Double.init))
        #expect(bounds == Array(repeating: 0.5, count: 15) + Array(repeating: 1 / 3.0.squareRoot(), count: 4))
    }
}

extension LayerRegistryTests {
    @Test func modelsPrintAsPyTorchDoes() throws {
        let model = try Sequential([
            ("Linear", ["in_features": .integer(4), "out_features": .integer(8)]), ("relu", [:]), ("leaky_relu", [:]),
            ("elu", ["alpha": .integer(2)]), ("gelu", ["approximate": .string("tanh")]), ("silu", [:]), ("tanh", [:]), ("sigmoid", [:]),
            ("softplus", [:]), ("linear", ["in_features": .integer(8), "out_features": .integer(3), "bias": .bool(false)]),
            ("log_softmax", ["dim": .integer(-1)]), ("softmax", [:]),
        ], inputWidth: 4)
        #expect(model.description == "Sequential(Linear(in_features=4, out_features=8, bias=True), ReLU(), LeakyReLU(negative_slope=0.01), "
                + "ELU(alpha=2.0), GELU(approximate='tanh'), SiLU(), Tanh(), Sigmoid(), Softplus(beta=1.0, threshold=20.0), "
                + "Linear(in_features=8, out_features=3, bias=False), LogSoftmax(dim=-1), Softmax(dim=1))")
    }
}
