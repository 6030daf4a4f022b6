// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdTestSupport

enum CrossEntropySamples {
    static var all: [GradientSample] {
        var random = SeededRandom(seed: 13)
        let indices = GradientSample("cross_entropy", "indices (4,3)", ["input": random.uniform([4, 3]), "target": Tensor([0, 2, 1, -100])])
        let spatial = GradientSample("cross_entropy", "indices (2,3,2)", ["input": random.uniform([2, 3, 2]), "target": Tensor(shape: [2, 2], scalars: [0, 2, 1, 1])])
        let probabilities = GradientSample("cross_entropy", "probabilities (3,4)", ["input": random.uniform([3, 4]), "target": random.uniform([3, 4], in: 0...1)])
        let weight = OptionValue.tensor(Tensor([0.5, 1.5, 2.0]))
        return indices.withEachReduction() + spatial.withEachReduction() + probabilities.withEachReduction() + [
            indices.with("weight", weight).with("label_smoothing", .number(0.2)),
            spatial.with("label_smoothing", .number(0.3)).with("reduction", .string("sum")),
            probabilities.with("weight", .tensor(Tensor([0.5, 1.5, 2.0, 1.0]))).with("label_smoothing", .number(0.1)),
            GradientSample("cross_entropy", "unbatched", ["input": random.uniform([5]), "target": Tensor(scalar: 3)]),
        ]
    }
}

enum NLLSamples {
    static var all: [GradientSample] {
        var random = SeededRandom(seed: 14)
        let sample = GradientSample("nll", "(4,3)", ["input": random.uniform([4, 3]), "target": Tensor([0, 2, 1, -100])])
        return sample.withEachReduction() + [sample.with("weight", .tensor(Tensor([0.5, 1.5, 2.0])))]
    }
}
