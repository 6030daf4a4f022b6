// SPDX-License-Identifier: Apache-2.0

/// A dense float64 tensor: contiguous row-major storage plus a shape.
///
/// Any rank is allowed, including scalars (`shape == []`, one element). Class-index tensors
/// (targets of `cross_entropy`, `nll`, ...) use the same type with integral values; the loss
/// that reads them checks that they are integers.
public struct Tensor: Sendable, Hashable {
    /// The extent of each dimension, outermost first. `[]` is a scalar.
    public private(set) var shape: [Int]
    /// The elements in row-major order; `scalars.count == shape.reduce(1, *)`.
    public var scalars: [Double]

    /// Creates a tensor; the element count must match the shape.
    public init(shape: [Int], scalars: [Double]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        precondition(shape.reduce(1, *) == scalars.count, "shape \(shape) does not hold \(scalars.count) elements")
        self.shape = shape
        self.scalars = scalars
    }

    /// A one-dimensional tensor.
    public init(_ scalars: [Double]) {
        self.init(shape: [scalars.count], scalars: scalars)
    }

    /// A zero-dimensional tensor holding one value.
    public init(scalar: Double) {
        self.init(shape: [], scalars: [scalar])
    }

    /// A tensor of the given shape filled with `value`.
    public init(repeating value: Double, shape: [Int]) {
        self.init(shape: shape, scalars: Array(repeating: value, count: shape.reduce(1, *)))
    }

    /// The number of dimensions.
    public var rank: Int { shape.count }
    /// The number of elements.
    public var count: Int { scalars.count }

    /// The shape written as PyTorch prints it, e.g. `(2, 3)` or `()`.
    public var shapeDescription: String { Tensor.describe(shape) }

    /// `(2, 3)` style text for a shape.
    public static func describe(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
}
