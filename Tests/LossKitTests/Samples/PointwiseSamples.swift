// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdTestSupport

enum L1Samples {
    static var all: [GradientSample] {
        var random = SeededRandom(seed: 11)
        let sample = GradientSample("l1", "2x3", ["input": random.uniform([2, 3]), "target": random.uniform([2, 3])])
        return sample.withEachReduction() + sample.with("weight", .tensor(ElementWeightSample.weight)).withEachReduction()
            + [GradientSample("l1", "scalar", ["input": Tensor(scalar: 0.7), "target": Tensor(scalar: -0.2)])]
    }
}

enum MSESamples {
    static var all: [GradientSample] {
        var random = SeededRandom(seed: 12)
        let sample = GradientSample("mse", "2x3", ["input": random.uniform([2, 3]), "target": random.uniform([2, 3])])
        return sample.withEachReduction() + sample.with("weight", .tensor(ElementWeightSample.weight)).withEachReduction()
            + [GradientSample("mse", "seed", ["input": Tensor([10, 10, 10]), "target": Tensor([30, 20, 50])])]
    }
}

/// A per-element `weight` for the (2, 3) samples of `l1`, `mse` and `huber`: positive, negative
/// and zero entries, summing to 3.
enum ElementWeightSample {
    static let weight = Tensor(shape: [2, 3], scalars: [1.5, -0.5, 0, 2, 0.25, -0.25])
}
