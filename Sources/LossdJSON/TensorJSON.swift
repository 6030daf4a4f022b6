// SPDX-License-Identifier: Apache-2.0

public import LossKit

/// A problem with a tensor or option written in JSON; `path` names where (`inputs.target[1]`).
public struct TensorJSONError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}

extension Tensor {
    /// Reads a tensor as `torch.tensor(...)` would: a number (a scalar), nested arrays (nesting
    /// gives the shape, rows must be equally long), or `{"shape": [...], "data": [flat row-major]}`.
    public init(json: JSONValue, path: String) throws(TensorJSONError) {
        switch json {
        case .object(let members):
            let known = Set(["shape", "data"])
            if let extra = members.first(where: { !known.contains($0.0) }) {
                throw TensorJSONError(path: path, message: "unknown key '\(extra.0)' (a tensor object has 'shape' and 'data')")
            }
            guard case .array(let shapeValues)? = json["shape"] else {
                throw TensorJSONError(path: path, message: "a tensor object needs \"shape\": [dims...]")
            }
            guard case .array(let dataValues)? = json["data"] else {
                throw TensorJSONError(path: path, message: "a tensor object needs \"data\": [numbers in row-major order]")
            }
            var shape: [Int] = []
            for (i, value) in shapeValues.enumerated() {
                guard case .integer(let extent) = value, extent >= 0 else {
                    throw TensorJSONError(path: "\(path).shape[\(i)]", message: "a dimension must be a non-negative integer")
                }
                shape.append(extent)
            }
            var data: [Double] = []
            data.reserveCapacity(dataValues.count)
            for (i, value) in dataValues.enumerated() { data.append(try Tensor.number(value, path: "\(path).data[\(i)]")) }
            var expected = 1
            for extent in shape {
                let (product, overflow) = expected.multipliedReportingOverflow(by: extent)
                guard !overflow else { throw TensorJSONError(path: "\(path).shape", message: "shape is too large") }
                expected = product
            }
            guard expected == data.count else {
                throw TensorJSONError(path: path, message: "shape \(Tensor.describe(shape)) needs \(expected) elements, data has \(data.count)")
            }
            self.init(shape: shape, scalars: data)
        case .array:
            var shape: [Int] = []
            var probe = json
            while case .array(let values) = probe {
                shape.append(values.count)
                guard let first = values.first else { break }
                probe = first
            }
            var data: [Double] = []
            try Tensor.flatten(json, shape: shape[...], path: path, into: &data)
            self.init(shape: shape, scalars: data)
        default:
            self.init(scalar: try Tensor.number(json, path: path))
        }
    }

    private static func flatten(_ json: JSONValue, shape: ArraySlice<Int>, path: String, into data: inout [Double]) throws(TensorJSONError) {
        guard let extent = shape.first else {
            data.append(try number(json, path: path))
            return
        }
        guard case .array(let values) = json else {
            throw TensorJSONError(path: path, message: "expected a list of \(extent) elements (rows must have equal lengths)")
        }
        guard values.count == extent else {
            throw TensorJSONError(path: path, message: "has \(values.count) elements, expected \(extent) (rows must have equal lengths)")
        }
        for (i, value) in values.enumerated() {
            try flatten(value, shape: shape.dropFirst(), path: "\(path)[\(i)]", into: &data)
        }
    }

    private static func number(_ json: JSONValue, path: String) throws(TensorJSONError) -> Double {
        switch json {
        case .integer(let value): return Double(value)
        case .number(let value): return value
        case .bool(let value): return value ? 1 : 0
        case .array: throw TensorJSONError(path: path, message: "expected a number, found a list (rows must have equal depth)")
        default: throw TensorJSONError(path: path, message: "expected a number, found \(json.serialized())")
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
    /// A JSON value as an option: numbers keep integer vs real, arrays and tensor objects are tensors.
    public init(json: JSONValue, path: String) throws(TensorJSONError) {
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
