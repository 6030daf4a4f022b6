// SPDX-License-Identifier: Apache-2.0

public import LossKit

/// SplitMix64: a small deterministic generator so that test inputs are the same on every run.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

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
