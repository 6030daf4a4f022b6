// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdTestSupport

enum SmoothL1Samples {
    static var all: [GradientSample] {
        var random = SeededRandom(seed: 21)
        let sample = GradientSample("smooth_l1", "2x3", ["input": random.uniform([2, 3]), "target": random.uniform([2, 3])])
        return sample.withEachReduction() + [
            sample.with("beta", .number(0.5)).with("reduction", .string("sum")),
            sample.with("beta", .number(0)),
            GradientSample("smooth_l1", "scalar", options: ["beta": .number(2)], ["input": Tensor(scalar: 0.7), "target": Tensor(scalar: -0.2)]),
        ]
    }
}

enum HuberSamples {
    static var all: [GradientSample] {
        var random = SeededRandom(seed: 22)
        let sample = GradientSample("huber", "2x3", ["input": random.uniform([2, 3]), "target": random.uniform([2, 3])])
        return sample.withEachReduction() + [
            sample.with("delta", .number(0.5)).with("reduction", .string("sum")),
            sample.with("delta", .number(3)),
        ] + sample.with("weight", .tensor(ElementWeightSample.weight)).withEachReduction()
    }
}

enum SoftMarginSamples {
    static var all: [GradientSample] {
        var random = SeededRandom(seed: 23)
        let sample = GradientSample("soft_margin", "2x3", ["input": random.uniform([2, 3], in: -4...4), "target": random.choice([2, 3], from: [1, -1])])
        return sample.withEachReduction() + [
            GradientSample("soft_margin", "scalar", ["input": Tensor(scalar: -1.3), "target": Tensor(scalar: 1)]),
        ]
    }
}

enum MultiLabelSoftMarginSamples {
    static var all: [GradientSample] {
        var random = SeededRandom(seed: 24)
        let sample = GradientSample("multilabel_soft_margin", "(4,3)", ["input": random.uniform([4, 3], in: -3...3), "target": random.choice([4, 3], from: [0, 1])])
        return sample.withEachReduction() + [
            sample.with("weight", .tensor(Tensor([0.5, 1.5, 2.0]))),
            sample.with("weight", .tensor(Tensor(shape: [4, 1], scalars: [1, 0.25, 2, 0.5]))).with("reduction", .string("sum")),
            GradientSample("multilabel_soft_margin", "soft targets (2,3)", ["input": random.uniform([2, 3]), "target": random.uniform([2, 3], in: 0...1)]),
            GradientSample("multilabel_soft_margin", "unbatched", ["input": random.uniform([5]), "target": random.choice([5], from: [0, 1])]),
        ]
    }
}

enum HingeEmbeddingSamples {
    static var all: [GradientSample] {
        var random = SeededRandom(seed: 25)
        let sample = GradientSample("hinge_embedding", "2x4", ["input": random.uniform([2, 4], in: -1...3), "target": random.choice([2, 4], from: [1, -1])])
        return sample.withEachReduction() + [
            sample.with("margin", .number(2.5)).with("reduction", .string("sum")),
            GradientSample("hinge_embedding", "other targets", ["input": Tensor([0.3, 1.7, -0.4]), "target": Tensor([0, 0.5, 2])]),
        ]
    }
}

enum MarginRankingSamples {
    static var all: [GradientSample] {
        var random = SeededRandom(seed: 26)
        let sample = GradientSample("margin_ranking", "(6)", [
            "input1": random.uniform([6]), "input2": random.uniform([6]), "target": random.choice([6], from: [1, -1]),
        ])
        return sample.withEachReduction() + [
            sample.with("margin", .number(0.5)).with("reduction", .string("sum")),
            GradientSample("margin_ranking", "scalar", options: ["margin": .number(0.2)], [
                "input1": Tensor(scalar: 0.1), "input2": Tensor(scalar: 0.6), "target": Tensor(scalar: 1),
            ]),
        ]
    }
}
