// SPDX-License-Identifier: Apache-2.0

public import LossKit

/// Where each named parameter tensor of a model lives in one flat vector: entries in PyTorch's
/// `state_dict` order (`0.weight`, `0.bias`, `2.weight`, ...), each tensor row-major and contiguous.
public struct ParameterLayout: Sendable, Hashable {
    /// One parameter tensor.
    public struct Entry: Sendable, Hashable {
        /// The `state_dict` key, `<layer index>.<parameter>` (`0.weight`).
        public var name: String
        public var shape: [Int]
        /// The position of its first element in the flat vector.
        public var offset: Int

        public init(name: String, shape: [Int], offset: Int) {
            self.name = name
            self.shape = shape
            self.offset = offset
        }

        /// The number of elements.
        public var count: Int { shape.reduce(1, *) }
        /// Its elements' positions in the flat vector.
        public var range: Range<Int> { offset..<(offset + count) }
    }

    /// The tensors, in `state_dict` order.
    public var entries: [Entry]
    /// The length of the flat vector.
    public var count: Int

    /// A layout of the named shapes, in order, packed without gaps.
    public init(_ tensors: [(name: String, shape: [Int])]) {
        var offset = 0
        entries = tensors.map { tensor in
            defer { offset += tensor.shape.reduce(1, *) }
            return Entry(name: tensor.name, shape: tensor.shape, offset: offset)
        }
        count = offset
    }

    /// The flat vector as named tensors (`state_dict` order), e.g. to write a safetensors file.
    public func namedTensors(_ parameters: [Double]) -> [(name: String, tensor: Tensor)] {
        precondition(parameters.count == count, "\(parameters.count) parameters for a layout of \(count)")
        return entries.map { entry in (entry.name, Tensor(shape: entry.shape, scalars: Array(parameters[entry.range]))) }
    }

    /// The flat vector from named tensors (any order), checking that every tensor of the layout is
    /// present once, with its shape and finite values, and that there is no other.
    public func flatParameters(_ tensors: [(name: String, tensor: Tensor)]) throws(ModelError) -> [Double] {
        var byName: [String: Tensor] = [:]
        for (name, tensor) in tensors {
            guard byName[name] == nil else { throw .parameters(name, "tensor '\(EchoedText.escaped(name))' is given twice") }
            byName[name] = tensor
        }
        let expected = entries.map(\.name)
        if let extra = tensors.map(\.name).first(where: { !expected.contains($0) }) {
            throw .parameters(extra, "unexpected tensor '\(EchoedText.escaped(extra))'" + Suggestions.didYouMean(extra, among: expected)
                              + " (the model's parameters: \(expected.joined(separator: ", ")))")
        }
        var flat = [Double](repeating: 0, count: count)
        for entry in entries {
            guard let tensor = byName[entry.name] else {
                throw .parameters(entry.name, "missing tensor '\(entry.name)' of shape \(Tensor.describe(entry.shape))")
            }
            guard tensor.shape == entry.shape else {
                throw .parameters(entry.name, "tensor '\(entry.name)' has shape \(tensor.shapeDescription), the model needs \(Tensor.describe(entry.shape))")
            }
            if let position = tensor.scalars.firstIndex(where: { !$0.isFinite }) {
                throw .parameters(entry.name, "tensor '\(entry.name)' holds a non-finite value (\(tensor.scalars[position])) at flat index \(position)")
            }
            flat.replaceSubrange(entry.range, with: tensor.scalars)
        }
        return flat
    }
}
