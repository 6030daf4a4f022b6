// SPDX-License-Identifier: Apache-2.0

public import LossKit

/// LossKit's SplitMix64 with tensor helpers, so that test inputs are the same on every run.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var source: SplitMix64

    public init(seed: UInt64) { source = SplitMix64(seed: seed) }

    public mutating func next() -> UInt64 { source.next() }

    /// A tensor of uniform values in `range`.
    public mutating func uniform(_ shape: [Int], in range: ClosedRange<Double> = -2...2) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Double.random(in: range, using: &self) })
    }

    /// A tensor of uniform integers in `range`, stored as doubles (class indices).
    public mutating func integers(_ shape: [Int], in range: Range<Int>) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Double(Int.random(in: range, using: &self)) })
    }

    /// A tensor whose elements are drawn from `values`.
    public mutating func choice(_ shape: [Int], from values: [Double]) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in values.randomElement(using: &self)! })
    }
}
