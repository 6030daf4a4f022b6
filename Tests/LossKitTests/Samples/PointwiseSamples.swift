// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdTestSupport

enum L1Samples {
    static var all: [GradientSample] {
        var random = SeededRandom(seed: 11)
        return GradientSample("l1", "2x3", ["input": random.uniform([2, 3]), "target": random.uniform([2, 3])]).withEachReduction()
            + [GradientSample("l1", "scalar", ["input": Tensor(scalar: 0.7), "target": Tensor(scalar: -0.2)])]
    }
}

enum MSESamples {
    static var all: [GradientSample] {
        var random = SeededRandom(seed: 12)
        return GradientSample("mse", "2x3", ["input": random.uniform([2, 3]), "target": random.uniform([2, 3])]).withEachReduction()
            + [GradientSample("mse", "seed", ["input": Tensor([10, 10, 10]), "target": Tensor([30, 20, 50])])]
    }
}
