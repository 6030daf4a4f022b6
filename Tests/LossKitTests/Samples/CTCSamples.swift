// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdTestSupport

enum CTCSamples {
    /// A CTC sample; the gradient check differentiates through a log_softmax over the classes.
    static func sample(_ label: String, options: [String: OptionValue] = [:], _ arguments: [String: Tensor]) -> GradientSample {
        var sample = GradientSample("ctc", label, options: options, arguments)
        sample.logSoftmaxDimension = ("log_probs", arguments["log_probs"]!.rank - 1)
        return sample
    }

    static var all: [GradientSample] {
        var random = SeededRandom(seed: 15)
        let padded = sample("padded (6,3,5)", [
            "log_probs": random.uniform([6, 3, 5]),
            "targets": Tensor(shape: [3, 3], scalars: [1, 2, 2, 3, 1, 0, 4, 0, 0]),
            "input_lengths": Tensor([6, 5, 4]),
            "target_lengths": Tensor([3, 2, 1]),
        ])
        let concatenated = sample("concatenated blank=4 (7,2,5)", options: ["blank": .integer(4), "reduction": .string("sum")], [
            "log_probs": random.uniform([7, 2, 5]),
            "targets": Tensor([1, 2, 0, 3, 3]),
            "input_lengths": Tensor([7, 6]),
            "target_lengths": Tensor([3, 2]),
        ])
        let unbatched = sample("unbatched (5,3)", [
            "log_probs": random.uniform([5, 3]),
            "targets": Tensor([1, 2]),
            "input_lengths": Tensor(scalar: 5),
            "target_lengths": Tensor(scalar: 2),
        ])
        let impossible = sample("zero_infinity impossible (6,2,4)", options: ["zero_infinity": .bool(true)], [
            "log_probs": random.uniform([6, 2, 4]),
            "targets": Tensor(shape: [2, 3], scalars: [1, 2, 3, 1, 1, 1]),
            "input_lengths": Tensor([6, 3]),
            "target_lengths": Tensor([3, 3]),
        ])
        let empty = sample("target length 0 (4,2,3)", options: ["reduction": .string("sum")], [
            "log_probs": random.uniform([4, 2, 3]),
            "targets": Tensor(shape: [2, 2], scalars: [0, 0, 2, 1]),
            "input_lengths": Tensor([4, 3]),
            "target_lengths": Tensor([0, 2]),
        ])
        return padded.withEachReduction() + [concatenated, unbatched, impossible, impossible.with("reduction", .string("sum")), empty]
    }
}
