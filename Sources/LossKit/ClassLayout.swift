// SPDX-License-Identifier: Apache-2.0

/// The layout of a class-scored input: `(C)`, `(N, C)` or `(N, C, d1, ..., dK)`, as in PyTorch's
/// `CrossEntropyLoss`, `NLLLoss` and the margin losses.
///
/// Element (n, c, d) of the input, with d the flat index over d1...dK, sits at
/// `n * C * D + c * D + d`; sample (n, d) of the class-index target at `n * D + d`.
public struct ClassLayout: Sendable, Hashable {
    /// Batch size (1 for an unbatched `(C)` input).
    public var batch: Int
    /// Number of classes C.
    public var classes: Int
    /// Product of the extra dimensions d1...dK (1 without them).
    public var inner: Int
    /// The shape of a class-index target, which is also the `none` output's shape:
    /// `()`, `(N)` or `(N, d1, ..., dK)`.
    public var sampleShape: [Int]

    /// The number of samples N * D.
    public var samples: Int { batch * inner }

    /// The layout of `input`, which needs at least one dimension.
    public init(input: Tensor, name: String = "input") throws(LossError) {
        switch input.rank {
        case 0:
            throw .shape(name, "expected (C), (N, C) or (N, C, d1, ..., dK), got a scalar")
        case 1:
            batch = 1
            classes = input.shape[0]
            inner = 1
            sampleShape = []
        default:
            batch = input.shape[0]
            classes = input.shape[1]
            inner = input.shape.dropFirst(2).reduce(1, *)
            sampleShape = [input.shape[0]] + input.shape.dropFirst(2)
        }
    }

    /// Offset of the first class score of sample `sample` (stride between classes: `inner`).
    @inlinable
    public func base(ofSample sample: Int) -> Int {
        (sample / inner) * classes * inner + sample % inner
    }

    /// Checks a class-index target: shape, a Long tensor of integers, range `[0, C)` unless equal to `ignoreIndex`.
    public func validateIndices(_ target: Tensor, name: String = "target", ignoreIndex: Int?) throws(LossError) {
        guard target.shape == sampleShape else {
            throw .shape(name, "shape \(target.shapeDescription) does not fit the input: class indices need shape \(Tensor.describe(sampleShape))")
        }
        try Validation.requireIndexType(target, name)
        try Validation.requireIntegral(target, name)
        for (offset, value) in target.scalars.enumerated() {
            let index = Int(value)
            if index == ignoreIndex { continue }
            guard index >= 0, index < classes else {
                throw .value(name, "class index \(index) at element \(offset) is out of range for \(classes) classes [0, \(classes))"
                             + (ignoreIndex.map { " and is not ignore_index (\($0))" } ?? ""))
            }
        }
    }

    /// Checks a per-class `weight`: shape `(C)`, finite.
    public func validateClassWeight(_ weight: Tensor?) throws(LossError) {
        guard let weight else { return }
        guard weight.shape == [classes] else {
            throw .shape("weight", "shape \(weight.shapeDescription) must be (C,) = (\(classes),)")
        }
    }
}
