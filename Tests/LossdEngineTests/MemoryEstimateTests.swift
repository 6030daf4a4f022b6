// SPDX-License-Identifier: Apache-2.0

import LossKit
@testable import LossdEngine
import Testing

@Suite("Memory estimates")
struct MemoryEstimateTests {
    /// Optimizer, options, parameter shape, and the float64 values of state it keeps (per its
    /// state slots, LBFGS's history, Adafactor's factored moment).
    static let cases: [(String, [String: OptionValue], [Int], Int)] = [
        ("sgd", [:], [1000], 0),
        ("sgd", ["momentum": .number(0.9)], [1000], 1000),
        ("adam", [:], [1000], 2000),
        ("adam", ["amsgrad": .bool(true)], [1000], 3000),
        ("adamw", [:], [10, 100], 2000),
        ("rmsprop", ["momentum": .number(0.9), "centered": .bool(true)], [1000], 3000),
        ("adagrad", [:], [1000], 1000),
        ("rprop", [:], [1000], 2000),
        ("lbfgs", [:], [1000], (2 * 100 + 6) * 1000),
        ("lbfgs", ["history_size": .integer(5)], [1000], (2 * 5 + 6) * 1000),
        ("adafactor", [:], [1000], 3 * 1000),
        ("adafactor", [:], [2, 10, 50], 2 * (10 + 50) + 2 * 1000),
    ]

    @Test("Each optimizer's state size", arguments: cases)
    func optimizerState(_ name: String, _ options: [String: OptionValue], _ shape: [Int], _ values: Int) throws {
        let optimizer = try OptimizerRegistry.builtins.make(name, options: options)
        #expect(optimizer.stateElements(shapes: [shape]) == values)
    }

    @Test("A free-tensor job: parameters, target, inputs, state; a gradient only without the fused pass")
    func freeTensor() throws {
        let adam = try OptimizerRegistry.builtins.make("adam")
        let mse = try LossRegistry.builtins.makeLoss("mse")
        let fused = MemoryEstimate.freeTensor(loss: mse, optimizer: adam, parameterShape: [10_000_000], target: 10_000_000, inputs: 0)
        #expect(fused.parameters == 80_000_000 && fused.target == 80_000_000 && fused.gradients == 0)
        #expect(fused.optimizerState == 160_000_000)
        #expect(fused.total == 320_000_000 + MemoryEstimate.perJobOverhead)
        let gaussian = try LossRegistry.builtins.makeLoss("gaussian_nll")
        let buffered = MemoryEstimate.freeTensor(loss: gaussian, optimizer: adam, parameterShape: [100], target: 100, inputs: 100)
        #expect(buffered.gradients == 800 && buffered.inputs == 800)
        #expect(buffered.parts.map(\.name) == ["parameters", "target", "inputs", "gradients", "optimizer state", "bookkeeping"])
    }

    @Test("A model job: parameters, gradients, state, data and a batch's activations")
    func model() throws {
        let sgd = try OptimizerRegistry.builtins.make("sgd", options: ["momentum": .number(0.9)])
        let estimate = MemoryEstimate.model(optimizer: sgd, shapes: [[8, 4], [8], [1, 8], [1]], widths: [4, 8, 8, 1],
                                            batchSize: 32, validationRows: 100, dataElements: 5 * 1000)
        #expect(estimate.parameters == 49 * 8 && estimate.gradients == 49 * 8 && estimate.optimizerState == 49 * 8)
        #expect(estimate.data == 40_000)
        #expect(estimate.activations == (21 + 16) * 132 * 8)
    }

    @Test("Sizes that overflow saturate instead of wrapping")
    func saturates() throws {
        let adam = try OptimizerRegistry.builtins.make("adam")
        let estimate = MemoryEstimate.freeTensor(loss: nil, optimizer: adam, parameterShape: [1 << 40, 1 << 30], target: 1, inputs: 0)
        #expect(estimate.parameters == .max && estimate.total == .max)
    }
}
