// SPDX-License-Identifier: Apache-2.0

/// A dense float64 tensor: contiguous row-major storage plus a shape.
///
/// Any rank is allowed, including scalars (`shape == []`, one element). Class-index tensors
/// (targets of `cross_entropy`, `nll`, ...) use the same storage with integral values and
/// ``DType-swift.enum/int64``, as PyTorch's Long tensors; the loss that reads them checks both.
///
/// Equality and hashing compare shape and values, not ``dtype`` or ``isPlainNumber`` (as
/// `torch.equal` does).
public struct Tensor: Sendable, Hashable {
    /// The element type the tensor was written with, as `torch.tensor(...)` infers it: `int64`
    /// (PyTorch's Long) when every element is an integer literal, `float64` (Double) otherwise.
    /// Values are stored as `Double` either way; the type decides what a loss accepts.
    public enum DType: Sendable, Hashable {
        case float64
        case int64

        /// The name PyTorch's messages use (`Double`, `Long`).
        public var pytorchName: String {
            switch self {
            case .float64: "Double"
            case .int64: "Long"
            }
        }
    }

    /// The extent of each dimension, outermost first. `[]` is a scalar.
    public private(set) var shape: [Int]
    /// The elements in row-major order; `scalars.count == shape.reduce(1, *)`.
    public var scalars: [Double]
    /// The element type it was written with (`float64` unless built from integer literals).
    public var dtype: DType
    /// Whether it was written as a bare number (`0.5`, not `[0.5]`): a 0-d tensor that stands
    /// for a Python number, as PyTorch's wrapped numbers do. Only an argument that PyTorch also
    /// takes as a Python number reads it (`var` of `gaussian_nll`); every other loss sees a 0-d
    /// tensor.
    public var isPlainNumber = false

    /// Creates a tensor; the element count must match the shape.
    public init(shape: [Int], scalars: [Double], dtype: DType = .float64) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        precondition(shape.reduce(1, *) == scalars.count, "shape \(shape) does not hold \(scalars.count) elements")
        self.shape = shape
        self.scalars = scalars
        self.dtype = dtype
    }

    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        lhs.shape == rhs.shape && lhs.scalars == rhs.scalars
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(shape)
        hasher.combine(scalars)
    }

    /// Whether the tensor is a Long one. An empty tensor holds no literal, so it is neither:
    /// both the dtype checks for indices and for reals accept it.
    public var isInteger: Bool { dtype == .int64 && !scalars.isEmpty }
    /// Whether the tensor is a floating one (not ``isInteger``), or empty.
    public var isFloating: Bool { dtype == .float64 || scalars.isEmpty }

    /// The same values as a `float64` tensor (what a fitted parameter is).
    public var floating: Tensor {
        var copy = self
        copy.dtype = .float64
        return copy
    }

    /// A one-dimensional tensor.
    public init(_ scalars: [Double]) {
        self.init(shape: [scalars.count], scalars: scalars)
    }

    /// A zero-dimensional tensor holding one value.
    public init(scalar: Double) {
        self.init(shape: [], scalars: [scalar])
    }

    /// A bare number as written in JSON or YAML (``isPlainNumber``): `int64` for an integer literal.
    public init(plainNumber value: Double, dtype: DType) {
        self.init(shape: [], scalars: [value], dtype: dtype)
        isPlainNumber = true
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
