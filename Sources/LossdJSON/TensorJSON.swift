// SPDX-License-Identifier: Apache-2.0

public import LossKit

/// A problem with a tensor or option written in JSON; `path` names where (`inputs.target[1]`).
public struct TensorJSONError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}

extension Tensor {
    /// Reads a tensor from JSON text (see ``JSONReader/readTensor(path:)``).
    public init(jsonText text: String, path: String) throws(JSONInputError) {
        var reader = JSONReader(bytes: Array(text.utf8))
        self = try reader.readDocument { reader throws(JSONInputError) in try reader.readTensor(path: path) }
    }

    /// Reads a parsed tensor as `torch.tensor(...)` would: a number (a scalar), nested arrays
    /// (nesting gives the shape, rows must be equally long), or `{"shape": [...], "data": [...]}`;
    /// `int64` when every element is an integer literal. The same rules as ``init(jsonText:path:)``,
    /// which reads the value's own text.
    public init(json: JSONValue, path: String) throws(TensorJSONError) {
        do throws(JSONInputError) {
            self = try Tensor(jsonText: json.serialized(), path: path)
        } catch {
            switch error {
            case .tensor(let error): throw error
            case .syntax, .invalid: throw TensorJSONError(path: path, message: error.description)
            }
        }
    }

    /// `{"shape": [...], "data": [...]}`.
    public var json: JSONValue {
        .object([
            ("shape", .array(shape.map { .integer($0) })),
            ("data", .array(scalars.map { .number($0) })),
        ])
    }
}

extension OptionValue {
    /// A JSON value as an option: numbers keep integer vs real, arrays and tensor objects are
    /// tensors, except a non-empty array of objects with a `name` (a composite scheduler's children).
    public init(json: JSONValue, path: String) throws(TensorJSONError) {
        if case .array(let items) = json, !items.isEmpty,
           items.allSatisfy({ if case .object = $0, $0["name"]?.stringValue != nil { true } else { false } }) {
            var mappings: [[String: OptionValue]] = []
            for (index, item) in items.enumerated() {
                guard case .object(let members) = item else { continue }
                var mapping: [String: OptionValue] = [:]
                for (key, value) in members { mapping[key] = try OptionValue(json: value, path: "\(path)[\(index)].\(key)") }
                mappings.append(mapping)
            }
            self = .mappings(mappings)
            return
        }
        switch json {
        case .null: self = .null
        case .bool(let value): self = .bool(value)
        case .integer(let value): self = .integer(value)
        case .number(let value): self = .number(value)
        case .string(let value): self = .string(value)
        case .array, .object: self = .tensor(try Tensor(json: json, path: path))
        }
    }
}

extension Tensor {
    /// The tensor as nested lists, as `tensor.tolist()` prints it (a scalar is a bare number).
    public var nestedJSON: JSONValue {
        func nested(_ dimension: Int, _ offset: Int) -> JSONValue {
            if dimension == rank { return .number(scalars[offset]) }
            let stride = shape[(dimension + 1)...].reduce(1, *)
            return .array((0..<shape[dimension]).map { nested(dimension + 1, offset + $0 * stride) })
        }
        return nested(0, 0)
    }
}
