// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit
import Testing

/// One PyTorch float64 run of a layer (written by Scripts/gen-layer-goldens.py).
struct LayerFixture: Sendable, Decodable, CustomTestStringConvertible {
    var layer: String
    var torchClass: String
    var options: [String: OptionFixture]
    var rows: Int
    var width: Int
    var input: [Double]
    var parameters: [Double]
    var parameterNames: [String]
    var output: [Double]
    var upstream: [Double]
    var inputGrad: [Double]
    var parameterGrads: [Double]

    enum CodingKeys: String, CodingKey {
        case layer, torchClass = "torch_class", options, rows, width, input, parameters, parameterNames = "parameter_names",
             output, upstream, inputGrad = "input_grad", parameterGrads = "parameter_grads"
    }

    var testDescription: String {
        "\(torchClass)(\(options.keys.sorted().map { "\($0)=\(options[$0]!.option)" }.joined(separator: ", "))) \(rows)x\(width)"
    }

    var optionValues: [String: OptionValue] { options.mapValues(\.option) }

    private struct Document: Decodable {
        var cases: [LayerFixture]
    }

    /// Every fixture, file by file.
    static let all: [LayerFixture] = {
        let folder = Bundle.module.url(forResource: "Fixtures/layers", withExtension: nil)!
        let files = try! FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
        return files.flatMap { file in
            try! JSONDecoder().decode(Document.self, from: Data(contentsOf: folder.appendingPathComponent(file))).cases
        }
    }()
}

/// A `torch.nn` keyword argument as JSON holds it.
enum OptionFixture: Sendable, Decodable {
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    var option: OptionValue {
        switch self {
        case .bool(let value): .bool(value)
        case .integer(let value): .integer(value)
        case .number(let value): .number(value)
        case .string(let value): .string(value)
        }
    }
}
