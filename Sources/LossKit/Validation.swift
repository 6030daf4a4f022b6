// SPDX-License-Identifier: Apache-2.0

/// Shape and value checks shared by the losses; each error names the argument at fault.
public enum Validation {
    /// Every element is finite.
    public static func requireFinite(_ tensor: Tensor, _ name: String) throws(LossError) {
        for (offset, value) in tensor.scalars.enumerated() where !value.isFinite {
            throw .value(name, "element \(offset) is \(value); inputs must be finite")
        }
    }

    /// `other` has exactly `reference`'s shape (lossd does not broadcast loss arguments).
    public static func requireSameShape(_ other: Tensor, _ otherName: String, as reference: Tensor, _ referenceName: String) throws(LossError) {
        guard other.shape == reference.shape else {
            throw .shape(otherName, "shape \(other.shapeDescription) must match \(referenceName) shape \(reference.shapeDescription)")
        }
    }

    /// Every element is an integer (class indices, lengths).
    public static func requireIntegral(_ tensor: Tensor, _ name: String) throws(LossError) {
        for (offset, value) in tensor.scalars.enumerated() where !(value.isFinite && value.rounded() == value && abs(value) < 9.0e15) {
            throw .value(name, "element \(offset) is \(value); expected an integer")
        }
    }

    // MARK: - Element types (PyTorch's dtype rules)

    /// Class indices and lengths are integer literals: PyTorch requires a Long (or Byte) tensor
    /// and refuses a floating one even when its values are whole (`[1.0]`). `reason` is
    /// PyTorch's message for this argument (by default `nll_loss`'s).
    public static func requireIndexType(_ tensor: Tensor, _ name: String, reason: String? = nil) throws(LossError) {
        guard tensor.isInteger || tensor.scalars.isEmpty else {
            let reason = reason ?? "expected \(name) dtype to be Long or Byte, but got \(tensor.dtype.pytorchName)"
            throw .value(name, "\(reason) (write integer literals: 1, not 1.0)")
        }
    }

    /// PyTorch refuses a Long tensor for this argument: an integer-literal tensor is refused with
    /// PyTorch's reason (`kl_div: Integral inputs not supported.`).
    public static func requireFloatingType(_ tensor: Tensor, _ name: String, reason: String) throws(LossError) {
        guard tensor.isFloating else {
            throw .value(name, "\(reason) (\(name) is written with integer literals, a Long tensor: write 1.0, not 1)")
        }
    }

    /// A class weight of Long type next to a Double input: `nll_loss` and `multi_margin_loss`
    /// (and `cross_entropy` with class indices) refuse it, where the BCE losses promote it.
    public static func requireFloatingWeight(isLong: Bool) throws(LossError) {
        guard !isLong else {
            throw .option("weight", "expected scalar type Double but found Long (weight is written with integer literals, a Long tensor: write 1.0, not 1)")
        }
    }

    /// The output shape for a pointwise loss under `reduction`.
    public static func outputShape(elementShape: [Int], _ reduction: Reduction) -> [Int] {
        reduction == .none ? elementShape : []
    }

    /// Checks that `weight` broadcasts to `shape` (PyTorch's right-aligned rule).
    public static func requireBroadcastable(_ weight: Tensor, _ name: String, to shape: [Int]) throws(LossError) {
        guard weight.rank <= shape.count else {
            throw .shape(name, "shape \(weight.shapeDescription) cannot broadcast to input shape \(Tensor.describe(shape))")
        }
        for (w, s) in zip(weight.shape.reversed(), shape.reversed()) where w != s && w != 1 {
            throw .shape(name, "shape \(weight.shapeDescription) cannot broadcast to input shape \(Tensor.describe(shape))")
        }
    }
}

/// Reads a tensor broadcast to a larger shape, by flat index of that shape (right-aligned rule).
///
/// Built once per evaluation from small fixed-rank data; `offset(of:)` does integer arithmetic only.
public struct Broadcast: Sendable {
    /// Per output dimension (outermost first): extent and the source stride (0 where broadcast).
    private var extents: [Int]
    private var strides: [Int]
    /// True when the source already has the output's shape.
    public let isIdentity: Bool
    /// True when the source has one element.
    public let isScalar: Bool

    public init(source: [Int], to shape: [Int]) {
        isIdentity = source == shape
        isScalar = source.reduce(1, *) == 1
        var strides = Array(repeating: 0, count: shape.count)
        var step = 1
        let pad = shape.count - source.count
        for dimension in stride(from: source.count - 1, through: 0, by: -1) {
            strides[dimension + pad] = source[dimension] == 1 ? 0 : step
            step *= source[dimension]
        }
        self.extents = shape
        self.strides = strides
    }

    /// The source offset for flat output index `flat`.
    @inlinable
    public func offset(of flat: Int) -> Int {
        if isIdentity { return flat }
        if isScalar { return 0 }
        return slowOffset(flat)
    }

    @usableFromInline
    func slowOffset(_ flat: Int) -> Int {
        var remainder = flat
        var offset = 0
        for dimension in stride(from: extents.count - 1, through: 0, by: -1) {
            let extent = extents[dimension]
            offset += (remainder % extent) * strides[dimension]
            remainder /= extent
        }
        return offset
    }
}
