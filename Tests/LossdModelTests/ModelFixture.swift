// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit
import Testing

/// One PyTorch float64 forward and backward of an `nn.Sequential` (Scripts/gen-layer-goldens.py).
struct ModelFixture: Sendable, Decodable, CustomTestStringConvertible {
    struct LayerSpec: Sendable, Decodable {
        var name: String
        var options: [String: OptionFixture]
    }

    var label: String
    var layers: [LayerSpec]
    var inputWidth: Int
    var rows: Int
    var input: [Double]
    var parameterNames: [String]
    var parameters: [Double]
    var output: [Double]
    var upstream: [Double]
    var parameterGrads: [Double]

    enum CodingKeys: String, CodingKey {
        case label, layers, inputWidth = "input_width", rows, input, parameterNames = "parameter_names", parameters, output, upstream,
             parameterGrads = "parameter_grads"
    }

    var testDescription: String { label }

    var specification: [(name: String, options: [String: OptionValue])] {
        layers.map { ($0.name, $0.options.mapValues(\.option)) }
    }

    private struct Document: Decodable {
        var cases: [ModelFixture]
    }

    static let all: [ModelFixture] = {
        let file = Bundle.module.url(forResource: "Fixtures/models", withExtension: "json")!
        return try! JSONDecoder().decode(Document.self, from: Data(contentsOf: file)).cases
    }()
}
