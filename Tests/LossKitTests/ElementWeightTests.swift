// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdTestSupport
import Testing

/// The functional `weight` of `l1`, `mse` and `huber` and `gaussian_nll`'s plain-number `var`,
/// beyond the golden fixtures: the doc comments' checks, and what the engine relies on.
@Suite("Functional loss arguments")
struct ElementWeightTests {
    static func evaluate(_ loss: String, _ options: [String: OptionValue], _ arguments: [String: Tensor]) throws -> LossEvaluation {
        try LossEvaluation(loss: LossRegistry.builtins.makeLoss(loss, options: options), arguments: arguments)
    }

    /// The doc comments' checks: l1 and mse average over sum(w), huber over N.
    @Test(arguments: [
        ("l1", [1.0, 1, 3], 6.0 / 5),
        ("mse", [1.0, 2, 1], 2200.0 / 4),
        ("huber", [1.0, 2, 1], (19.5 + 2 * 9.5 + 39.5) / 3),
    ])
    func documentedMean(loss: String, weight: [Double], expected: Double) throws {
        let input = loss == "l1" ? Tensor([1, 2, 3]) : Tensor([10, 10, 10])
        let target = loss == "l1" ? Tensor([1, 2, 5]) : Tensor([30, 20, 50])
        let evaluation = try Self.evaluate(loss, ["weight": .tensor(Tensor(weight))], ["input": input, "target": target])
        #expect(evaluation.value.scalars == [expected])
    }

    /// A weight of ones gives the unweighted loss (same values; gradients equal to rounding).
    @Test(arguments: ["l1", "mse", "huber"], ["none", "mean", "sum"])
    func onesAreUnweighted(loss: String, reduction: String) throws {
        var random = SeededRandom(seed: 7)
        let arguments = ["input": random.uniform([3, 4]), "target": random.uniform([3, 4])]
        let plain = try Self.evaluate(loss, ["reduction": .string(reduction)], arguments)
        let weighted = try Self.evaluate(loss, ["reduction": .string(reduction), "weight": .tensor(Tensor(repeating: 1, shape: [3, 4]))], arguments)
        #expect(Closeness.firstMismatch(actual: weighted.value.scalars, expected: plain.value.scalars, rtol: 1e-15) == nil)
        #expect(Closeness.firstMismatch(actual: weighted.gradients["input"]!.scalars, expected: plain.gradients["input"]!.scalars, rtol: 1e-15) == nil)
    }

    /// PyTorch refuses any weight whose shape is not the input's (no broadcasting), naming `weight`.
    @Test(arguments: [[3], [1, 3], [2, 3, 1], [], [3, 2]])
    func weightShapeMustBeTheInputs(shape: [Int]) throws {
        for loss in ["l1", "mse", "huber"] {
            let made = try LossRegistry.builtins.makeLoss(loss, options: ["weight": .tensor(Tensor(repeating: 1, shape: shape))])
            let error = #expect(throws: LossError.self) {
                try LossEvaluation(loss: made, arguments: ["input": Tensor(repeating: 0, shape: [2, 3]), "target": Tensor(repeating: 1, shape: [2, 3])])
            }
            #expect(error?.code == .invalidShape && error?.subject == "weight", "\(loss) \(shape)")
        }
    }

    /// The engine's fused and chunked loops know no weight: a weighted loss is another type
    /// (not a ``ChunkedLoss``), and the unweighted one holds no reference (so that the fused
    /// step loops copy it for free).
    @Test(arguments: ["l1", "mse", "huber"])
    func weightedLossesDoNotChunk(loss: String) throws {
        let arguments = LossArguments([Tensor([1, 2]), Tensor([0, 0])])
        let weighted = try LossRegistry.builtins.makeLoss(loss, options: ["weight": .tensor(Tensor([1, 2]))])
        #expect(weighted is any ElementWeightCarrying)
        #expect(!(weighted is any ChunkedLoss))
        let plain = try #require(LossRegistry.builtins.makeLoss(loss, options: [:]) as? any ChunkedLoss)
        #expect(plain.supportsChunks(arguments))
        let isPlainValue = switch loss {
        case "l1": _isPOD(L1Loss.self)
        case "mse": _isPOD(MSELoss.self)
        default: _isPOD(HuberLoss.self)
        }
        #expect(isPlainValue)
    }

    /// A plain-number var is read for every element whatever the input's shape and has no
    /// gradient; the same number as a 0-d tensor keeps PyTorch's tensor rule (refused for 2-d input).
    @Test func gaussianPlainVar() throws {
        let input = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]), target = Tensor(repeating: 0, shape: [2, 2])
        let plain = try Self.evaluate("gaussian_nll", ["reduction": .string("none")],
                                      ["input": input, "target": target, "var": Tensor(plainNumber: 2, dtype: .float64)])
        let full = try Self.evaluate("gaussian_nll", ["reduction": .string("none")],
                                     ["input": input, "target": target, "var": Tensor(repeating: 2, shape: [2, 2])])
        #expect(plain.value.scalars == full.value.scalars)
        #expect(plain.gradients["var"] == nil)
        #expect(plain.gradients["input"] == full.gradients["input"])
        let error = #expect(throws: LossError.self) {
            try Self.evaluate("gaussian_nll", [:], ["input": input, "target": target, "var": Tensor(scalar: 2)])
        }
        #expect(error?.subject == "var" && error?.code == .invalidShape)
    }

    /// PyTorch refuses a negative float var and an int var (`torch.any` of a Python bool).
    @Test(arguments: [Tensor(plainNumber: -0.5, dtype: .float64), Tensor(plainNumber: 1, dtype: .int64)])
    func gaussianPlainVarRefused(variance: Tensor) throws {
        let error = #expect(throws: LossError.self) {
            try Self.evaluate("gaussian_nll", [:], ["input": Tensor([1, 2]), "target": Tensor([0, 0]), "var": variance])
        }
        #expect(error?.subject == "var" && error?.code == .invalidValue)
    }
}
