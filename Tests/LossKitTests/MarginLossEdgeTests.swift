// SPDX-License-Identifier: Apache-2.0

import LossKit
import Testing

/// Cases of the margin and triplet losses that the PyTorch goldens cannot express: empty batches
/// (no nested list has shape (0, C)), inputs PyTorch would broadcast, and the `distance_function`
/// option that the golden generator cannot pass to PyTorch as a string.
@Suite("Margin and triplet loss edge cases")
struct MarginLossEdgeTests {
    static func evaluate(_ loss: String, _ options: [String: OptionValue], _ arguments: [String: Tensor]) throws -> LossEvaluation {
        try LossEvaluation(loss: LossRegistry.builtins.makeLoss(loss, options: options), arguments: arguments)
    }

    static func evaluate(_ loss: String, _ arguments: [String: Tensor]) throws -> LossEvaluation {
        try evaluate(loss, [:], arguments)
    }

    static let emptyBatch = Tensor(shape: [0, 4], scalars: [])

    @Test("an empty batch is refused for mean and sum (PyTorch returns uninitialised memory)",
          arguments: ["multi_margin", "multilabel_margin"], ["mean", "sum"])
    func emptyBatchReduced(_ loss: String, _ reduction: String) {
        let target = loss == "multi_margin" ? Tensor(shape: [0], scalars: []) : Self.emptyBatch
        #expect(throws: LossError.self) {
            try Self.evaluate(loss, ["reduction": .string(reduction)], ["input": Self.emptyBatch, "target": target])
        }
    }

    @Test("an empty batch with none gives an empty output", arguments: ["multi_margin", "multilabel_margin"])
    func emptyBatchNone(_ loss: String) throws {
        let target = loss == "multi_margin" ? Tensor(shape: [0], scalars: []) : Self.emptyBatch
        let result = try Self.evaluate(loss, ["reduction": .string("none")], ["input": Self.emptyBatch, "target": target])
        #expect(result.value.shape == [0])
        #expect(result.gradients["input"]?.shape == [0, 4])
    }

    @Test("an empty batch averages to NaN and sums to 0, as in PyTorch")
    func emptyBatchMean() throws {
        let empty = Self.emptyBatch
        let cosine = ["input1": empty, "input2": empty, "target": Tensor(shape: [0], scalars: [])]
        #expect(try Self.evaluate("cosine_embedding", cosine).value.scalars[0].isNaN)
        #expect(try Self.evaluate("cosine_embedding", ["reduction": .string("sum")], cosine).value.scalars == [0])
        let triplet = ["anchor": empty, "positive": empty, "negative": empty]
        for loss in ["triplet_margin", "triplet_margin_with_distance"] {
            #expect(try Self.evaluate(loss, triplet).value.scalars[0].isNaN)
            #expect(try Self.evaluate(loss, ["reduction": .string("none")], triplet).value.shape == [0])
        }
    }

    @Test("shapes PyTorch would broadcast are refused")
    func noBroadcast() {
        let rows = Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
        let row = Tensor(shape: [1, 2], scalars: [1, -1])
        #expect(throws: LossError.self) {
            try Self.evaluate("cosine_embedding", ["input1": rows, "input2": rows, "target": Tensor([1])])
        }
        #expect(throws: LossError.self) {
            try Self.evaluate("cosine_embedding", ["input1": row, "input2": rows, "target": Tensor([1, 1, 1])])
        }
        for loss in ["triplet_margin", "triplet_margin_with_distance"] {
            #expect(throws: LossError.self) { try Self.evaluate(loss, ["anchor": row, "positive": rows, "negative": rows]) }
        }
    }

    @Test("distance_function accepts pairwise_distance only")
    func distanceFunction() throws {
        let a = Tensor([0, 0]), p = Tensor([3, 4]), n = Tensor([1, 2])
        let explicit = try Self.evaluate("triplet_margin_with_distance", ["distance_function": .string("pairwise_distance")],
                                         ["anchor": a, "positive": p, "negative": n])
        let implicit = try Self.evaluate("triplet_margin_with_distance", ["anchor": a, "positive": p, "negative": n])
        #expect(explicit.value == implicit.value)
        #expect(throws: LossError.self) {
            try LossRegistry.builtins.makeLoss("triplet_margin_with_distance", options: ["distance_function": .string("cosine")])
        }
    }

    @Test("p = 0 counts non-zeros and reports no gradient, as PyTorch's autograd")
    func tripletPZero() throws {
        let result = try Self.evaluate("triplet_margin", ["p": .number(0), "eps": .number(0)],
                                       ["anchor": Tensor([0, 1]), "positive": Tensor([0, 2]), "negative": Tensor([3, 4])])
        #expect(result.value.scalars == [0])
        #expect(result.gradients.isEmpty)
    }

    @Test("option ranges are checked as PyTorch checks them")
    func optionRanges() {
        #expect(throws: LossError.self) { try LossRegistry.builtins.makeLoss("multi_margin", options: ["p": .integer(3)]) }
        #expect(throws: LossError.self) { try LossRegistry.builtins.makeLoss("multi_margin", options: ["weight": .tensor(Tensor(scalar: 1))]) }
        #expect(throws: LossError.self) { try LossRegistry.builtins.makeLoss("triplet_margin", options: ["margin": .number(0)]) }
        #expect(throws: LossError.self) { try LossRegistry.builtins.makeLoss("triplet_margin_with_distance", options: ["margin": .number(-1)]) }
    }
}
