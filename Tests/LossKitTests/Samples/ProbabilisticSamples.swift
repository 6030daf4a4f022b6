// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdTestSupport

// Inputs stay away from the kinks and domain edges (BCE's 0 and 1, Poisson's mask at y = 1,
// KL's and Poisson's y = 0, GaussianNLL's clamp at eps), where a central difference is not the
// gradient PyTorch reports; the golden fixtures pin those points.

enum BCESamples {
    static var all: [GradientSample] {
        var random = SeededRandom(seed: 21)
        let sample = GradientSample("bce", "2x3", ["input": random.uniform([2, 3], in: 0.05...0.95), "target": random.uniform([2, 3], in: 0...1)])
        return sample.withEachReduction() + [
            sample.with("weight", .tensor(Tensor([0.5, 2.0, 1.5]))),
            sample.with("weight", .tensor(Tensor(shape: [2, 1], scalars: [3.0, 0.25]))).with("reduction", .string("sum")),
            GradientSample("bce", "scalar", ["input": Tensor(scalar: 0.3), "target": Tensor(scalar: 0.8)]),
        ]
    }
}

enum BCEWithLogitsSamples {
    static var all: [GradientSample] {
        var random = SeededRandom(seed: 22)
        let sample = GradientSample("bce_with_logits", "3x4", ["input": random.uniform([3, 4], in: -4...4), "target": random.uniform([3, 4], in: 0...1)])
        let posWeight = OptionValue.tensor(Tensor([0.5, 1.0, 2.0, 3.0]))
        return sample.withEachReduction() + [
            sample.with("pos_weight", posWeight),
            sample.with("pos_weight", posWeight).with("weight", .tensor(Tensor(shape: [3, 1], scalars: [1.5, 0.5, 2.0]))).with("reduction", .string("sum")),
            sample.with("weight", .tensor(Tensor(scalar: 0.7))).with("reduction", .string("none")),
            GradientSample("bce_with_logits", "large logits", ["input": Tensor([40, -40, 25]), "target": Tensor([0.2, 0.9, 1])]),
        ]
    }
}

enum KLDivSamples {
    static var all: [GradientSample] {
        var random = SeededRandom(seed: 23)
        let sample = GradientSample("kl_div", "3x4", ["input": random.uniform([3, 4], in: -3...0), "target": random.uniform([3, 4], in: 0.05...1)])
        let logTarget = GradientSample("kl_div", "3x4 log_target", options: ["log_target": .bool(true)],
                                       ["input": random.uniform([3, 4], in: -3...0), "target": random.uniform([3, 4], in: -3...0)])
        return sample.withEachReduction() + [sample.with("reduction", .string("batchmean"))]
            + logTarget.withEachReduction() + [logTarget.with("reduction", .string("batchmean"))]
            + [GradientSample("kl_div", "0-d batchmean", options: ["reduction": .string("batchmean")], ["input": Tensor(scalar: -0.7), "target": Tensor(scalar: 0.4)])]
    }
}

enum PoissonNLLSamples {
    static var all: [GradientSample] {
        var random = SeededRandom(seed: 24)
        let counts = Tensor(shape: [2, 3], scalars: [0.5, 2, 3, 7, 1.5, 4])
        let sample = GradientSample("poisson_nll", "2x3", ["input": random.uniform([2, 3], in: -1...2), "target": counts])
        let rate = GradientSample("poisson_nll", "2x3 rate", options: ["log_input": .bool(false)],
                                  ["input": random.uniform([2, 3], in: 0.2...5), "target": counts])
        return sample.withEachReduction() + [sample.with("full", .bool(true)).with("reduction", .string("sum"))]
            + rate.withEachReduction() + [rate.with("full", .bool(true)), rate.with("eps", .number(0.1))]
    }
}

enum GaussianNLLSamples {
    static var all: [GradientSample] {
        var random = SeededRandom(seed: 25)
        let input = random.uniform([3, 4]), target = random.uniform([3, 4])
        let sample = GradientSample("gaussian_nll", "3x4", ["input": input, "target": target, "var": random.uniform([3, 4], in: 0.2...3)])
        return sample.withEachReduction() + [
            sample.with("full", .bool(true)),
            GradientSample("gaussian_nll", "var (3)", options: ["reduction": .string("sum")], ["input": input, "target": target, "var": random.uniform([3], in: 0.2...3)]),
            GradientSample("gaussian_nll", "var (3,1)", ["input": input, "target": target, "var": random.uniform([3, 1], in: 0.2...3)]),
            GradientSample("gaussian_nll", "var (1,4)", options: ["reduction": .string("none")], ["input": input, "target": target, "var": random.uniform([1, 4], in: 0.2...3)]),
            GradientSample("gaussian_nll", "0-d var", ["input": random.uniform([5]), "target": random.uniform([5]), "var": Tensor(scalar: 0.8)]),
            // A plain-number var (a Python float to PyTorch): every element's variance, no var gradient.
            GradientSample("gaussian_nll", "plain var", options: ["reduction": .string("sum")],
                           ["input": input, "target": target, "var": Tensor(plainNumber: 0.6, dtype: .float64)]),
        ]
    }
}
