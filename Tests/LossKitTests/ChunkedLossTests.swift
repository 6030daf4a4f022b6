// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdTestSupport
import Testing

/// The chunked evaluation the training engine uses for element-wise losses.
@Suite("Chunked evaluation")
struct ChunkedLossTests {
    static let cases: [(String, String)] = [
        ("mse", "mean"), ("mse", "sum"), ("l1", "mean"), ("l1", "sum"), ("mse", "none"), ("huber", "mean"),
        ("smooth_l1", "sum"), ("soft_margin", "mean"), ("hinge_embedding", "mean"),
    ]

    static func arguments(_ count: Int) -> (Tensor, Tensor) {
        var random = SeededRandom(seed: 17)
        return (random.uniform([count]), random.uniform([count]))
    }

    @Test("one chunk is bit-identical to evaluate", arguments: cases.indices)
    func singleChunk(_ index: Int) throws {
        let (name, reduction) = Self.cases[index]
        let loss = try #require(try LossRegistry.builtins.makeLoss(name, options: ["reduction": .string(reduction)]) as? any ChunkedLoss)
        let (input, target) = Self.arguments(37)
        let arguments = LossArguments([input, target])
        #expect(loss.supportsChunks(arguments))
        let evaluation = try LossEvaluation(loss: loss, arguments: ["input": input, "target": target])
        var gradient = Array(repeating: Double.nan, count: 37)
        let sum = input.scalars.withUnsafeBufferPointer { x in
            target.scalars.withUnsafeBufferPointer { y in
                gradient.withUnsafeMutableBufferPointer { g in
                    loss.evaluateChunk(0..<37, input: x.baseAddress!, target: y.baseAddress!, gradient: g.baseAddress!,
                                       scale: loss.chunkScale(count: 37))
                }
            }
        }
        var expected = 0.0
        for value in evaluation.value.scalars { expected += value }
        #expect(loss.chunkedValue(sum: 0 + sum, count: 37).bitPattern == expected.bitPattern)
        #expect(gradient.map(\.bitPattern) == evaluation.gradients["input"]!.scalars.map(\.bitPattern))
    }

    @Test("chunks cover their range only and add up to the whole", arguments: cases.indices)
    func severalChunks(_ index: Int) throws {
        let (name, reduction) = Self.cases[index]
        let loss = try #require(try LossRegistry.builtins.makeLoss(name, options: ["reduction": .string(reduction)]) as? any ChunkedLoss)
        let count = 1000
        let (input, target) = Self.arguments(count)
        let evaluation = try LossEvaluation(loss: loss, arguments: ["input": input, "target": target])
        var gradient = Array(repeating: Double.nan, count: count)
        var total = 0.0
        for start in stride(from: 0, to: count, by: 300) {
            let range = start..<min(start + 300, count)
            let sum = input.scalars.withUnsafeBufferPointer { x in
                target.scalars.withUnsafeBufferPointer { y in
                    gradient.withUnsafeMutableBufferPointer { g in
                        loss.evaluateChunk(range, input: x.baseAddress!, target: y.baseAddress!, gradient: g.baseAddress!,
                                           scale: loss.chunkScale(count: count))
                    }
                }
            }
            let untouched = gradient[range.upperBound...].allSatisfy { $0.isNaN }
            #expect(untouched, "wrote past chunk \(range)")
            total += sum
        }
        let expected = evaluation.value.scalars.reduce(0, +)
        let value = loss.chunkedValue(sum: total, count: count)
        #expect(Closeness.firstMismatch(actual: [value], expected: [expected], rtol: 1e-12) == nil)
        #expect(gradient.map(\.bitPattern) == evaluation.gradients["input"]!.scalars.map(\.bitPattern))
    }

    /// LaneSum's order written out: one accumulator under 64 elements, else element i into lane
    /// (i - start) mod 8 and the lanes added ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7)).
    static func laneSum(_ terms: ArraySlice<Double>) -> Double {
        if terms.count < 64 { return terms.reduce(0, +) }
        var lanes = [Double](repeating: 0, count: 8)
        for (offset, term) in terms.enumerated() { lanes[offset % 8] += term }
        return ((lanes[0] + lanes[4]) + (lanes[2] + lanes[6])) + ((lanes[1] + lanes[5]) + (lanes[3] + lanes[7]))
    }

    @Test("a chunk sums in the documented lane order, lanes counted from its start",
          arguments: [0..<1000, 5..<1000, 3..<67, 10..<73, 900..<1000])
    func laneOrder(_ range: Range<Int>) throws {
        let loss = try #require(try LossRegistry.builtins.makeLoss("mse", options: ["reduction": .string("sum")]) as? any ChunkedLoss)
        let (input, target) = Self.arguments(1000)
        var gradient = Array(repeating: Double.nan, count: 1000)
        let sum = input.scalars.withUnsafeBufferPointer { x in
            target.scalars.withUnsafeBufferPointer { y in
                gradient.withUnsafeMutableBufferPointer { g in
                    loss.evaluateChunk(range, input: x.baseAddress!, target: y.baseAddress!, gradient: g.baseAddress!, scale: 1)
                }
            }
        }
        let terms = zip(input.scalars, target.scalars).map { ($0 - $1) * ($0 - $1) }
        #expect(sum.bitPattern == Self.laneSum(terms[range]).bitPattern)
    }
}
