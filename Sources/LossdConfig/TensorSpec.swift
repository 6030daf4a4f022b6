// SPDX-License-Identifier: Apache-2.0

public import LossKit
public import LossdEngine

/// A tensor in a job: written out in the file, or drawn at random when the job starts.
public enum TensorSpec: Sendable, Hashable {
    /// Nested lists (`[[0.1, 0.2, 0.3]]`) or a bare number (a scalar).
    case literal(Tensor)
    /// `{random: normal, shape: [4, 3], mean: 0, std: 1}` or `{random: uniform, shape: [...], low: 0, high: 1}`,
    /// drawn from its own `seed` when it has one, else from the job's `seed`.
    case random(RandomTensor)

    /// The tensor's shape.
    public var shape: [Int] {
        switch self {
        case .literal(let tensor): tensor.shape
        case .random(let random): random.shape
        }
    }

    /// The number of elements.
    public var count: Int { shape.reduce(1, *) }

    /// The number of elements written out in the file: ``count`` for a literal, 0 for a random tensor.
    var literalCount: Int {
        if case .literal(let tensor) = self { return tensor.count }
        return 0
    }
}

/// A tensor drawn at random: a distribution and a shape.
public struct RandomTensor: Sendable, Hashable {
    /// The engine's distribution: normal with mean and standard deviation (> 0), or uniform on
    /// [low, high) with low < high.
    public typealias Distribution = RandomDistribution

    public var distribution: Distribution
    public var shape: [Int]
    /// The tensor's own seed (`seed:` in the spec): the values are drawn from it alone, so the
    /// job's `seed` (and a sweep's `repeat`) no longer changes them. Nil: derived from the job's
    /// seed (see ``JobConfiguration/spec(losses:)``).
    public var seed: UInt64?

    public init(distribution: Distribution, shape: [Int], seed: UInt64? = nil) {
        self.distribution = distribution
        self.shape = shape
        self.seed = seed
    }

    /// Two values the draw can plausibly take, used to check a random tensor against its loss
    /// before any draw: the centre of the distribution and a point a little off it (which is not
    /// an integer when the centre is, so class-index arguments are caught).
    public var placeholderValues: [Double] {
        switch distribution {
        case .normal(let mean, let std): [mean, mean + std / 2]
        case .uniform(let low, let high): [(low + high) / 2, low + (high - low) * 0.75]
        }
    }

    /// A tensor of this shape filled with `value`.
    public func placeholder(_ value: Double) -> Tensor {
        Tensor(repeating: value, shape: shape)
    }
}

extension RandomDistribution {
    /// `normal` or `uniform`, as written in a configuration.
    public var name: String {
        switch self {
        case .normal: "normal"
        case .uniform: "uniform"
        }
    }
}
