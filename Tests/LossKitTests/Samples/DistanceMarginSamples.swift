// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdTestSupport

enum CosineEmbeddingSamples {
    static var all: [GradientSample] {
        var random = SeededRandom(seed: 21)
        let batch = GradientSample("cosine_embedding", "(4,3)", ["input1": random.uniform([4, 3]), "input2": random.uniform([4, 3]), "target": Tensor([1, -1, 1, -1])])
        return batch.withEachReduction() + [
            batch.with("margin", .number(-0.4)).with("reduction", .string("sum")),
            GradientSample("cosine_embedding", "unbatched", ["input1": random.uniform([5]), "input2": random.uniform([5]), "target": Tensor(scalar: 1)]),
            GradientSample("cosine_embedding", "unbatched -1", options: ["margin": .number(-0.9)],
                           ["input1": random.uniform([5]), "input2": random.uniform([5]), "target": Tensor(scalar: -1)]),
        ]
    }
}

enum MultiMarginSamples {
    static var all: [GradientSample] {
        var random = SeededRandom(seed: 22)
        let batch = GradientSample("multi_margin", "(4,5)", ["input": random.uniform([4, 5], in: -1...1), "target": Tensor([0, 4, 2, 2])])
        return batch.withEachReduction() + [
            batch.with("p", .integer(2)).with("margin", .number(1.5)),
            batch.with("weight", .tensor(Tensor([0.5, 1.5, 2.0, 1.0, 0.25]))).with("reduction", .string("sum")),
            GradientSample("multi_margin", "unbatched", options: ["p": .integer(2)], ["input": random.uniform([6], in: -1...1), "target": Tensor(scalar: 3)]),
        ]
    }
}

enum MultiLabelMarginSamples {
    static var all: [GradientSample] {
        var random = SeededRandom(seed: 23)
        let batch = GradientSample("multilabel_margin", "(3,5)", [
            "input": random.uniform([3, 5], in: -1...1),
            "target": Tensor(shape: [3, 5], scalars: [3, 0, -1, 1, 2, 1, 1, 4, -1, 0, -1, 2, 2, 2, 2]),
        ])
        return batch.withEachReduction() + [
            GradientSample("multilabel_margin", "unbatched", ["input": random.uniform([6], in: -1...1), "target": Tensor([5, 2, -1, 0, 0, 0])]),
        ]
    }
}

enum TripletMarginSamples {
    static var all: [GradientSample] {
        var random = SeededRandom(seed: 24)
        let batch = GradientSample("triplet_margin", "(4,3)", options: ["margin": .number(2)],
                                   ["anchor": random.uniform([4, 3]), "positive": random.uniform([4, 3]), "negative": random.uniform([4, 3])])
        return batch.withEachReduction() + [1.0, 3.0, 1.5, 0.5, -1.0].map { batch.with("p", .number($0)) } + [
            batch.with("swap", .bool(true)),
            batch.with("swap", .bool(true)).with("p", .number(1.5)).with("eps", .number(0)).with("reduction", .string("sum")),
            GradientSample("triplet_margin", "unbatched", options: ["margin": .number(3)],
                           ["anchor": random.uniform([5]), "positive": random.uniform([5]), "negative": random.uniform([5])]),
            GradientSample("triplet_margin", "(2,2,3)", options: ["margin": .number(2), "reduction": .string("sum")],
                           ["anchor": random.uniform([2, 2, 3]), "positive": random.uniform([2, 2, 3]), "negative": random.uniform([2, 2, 3])]),
        ]
    }
}

enum TripletMarginWithDistanceSamples {
    static var all: [GradientSample] {
        var random = SeededRandom(seed: 25)
        let batch = GradientSample("triplet_margin_with_distance", "(4,3)", options: ["margin": .number(2)],
                                   ["anchor": random.uniform([4, 3]), "positive": random.uniform([4, 3]), "negative": random.uniform([4, 3])])
        return batch.withEachReduction() + [
            batch.with("swap", .bool(true)).with("reduction", .string("sum")),
            batch.with("distance_function", .string("pairwise_distance")),
            GradientSample("triplet_margin_with_distance", "unbatched", options: ["margin": .number(3)],
                           ["anchor": random.uniform([5]), "positive": random.uniform([5]), "negative": random.uniform([5])]),
        ]
    }
}
