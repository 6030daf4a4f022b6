// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdEngine
import Testing

/// Wide element-wise jobs with the lane-order sums (LaneSum): bit-identical for any worker count
/// and after a resume, and summed in the documented order, not just in some consistent one.
@Suite("Lane-order sums of wide jobs", .timeLimit(.minutes(10)))
struct LaneOrderTests {
    /// 100,003 elements: several chunks, and a last one whose length is not a multiple of 8
    /// (1,699 with chunks of 4,096), or shorter than 64 (3 with chunks of 1,000: one accumulator).
    /// Chunks of 256 make 391 of them, which workers claim 3 at a time (ChunkPhase's grain), the
    /// last claim short.
    static let count = 100_003

    struct Case: Sendable {
        var loss: String
        var optimizer: String
        var options: [String: OptionValue]
        var chunkSize: Int
    }

    static let cases: [Case] = [
        Case(loss: "mse", optimizer: "sgd", options: ["lr": .number(0.1), "momentum": .number(0.9)], chunkSize: 256),
        Case(loss: "l1", optimizer: "adam", options: ["lr": .number(0.05)], chunkSize: 4096),
        Case(loss: "huber", optimizer: "adamw", options: ["lr": .number(0.05), "amsgrad": .bool(true)], chunkSize: 1000),
        Case(loss: "smooth_l1", optimizer: "rmsprop", options: ["lr": .number(0.01), "momentum": .number(0.5), "centered": .bool(true)],
             chunkSize: 4096),
        Case(loss: "mse", optimizer: "adam", options: ["lr": .number(0.05), "weight_decay": .number(0.01)], chunkSize: 1000),
        Case(loss: "mse", optimizer: "sgd", options: ["lr": .number(0.3)], chunkSize: 4096),
    ]

    static func spec(_ c: Case, steps: Int = 9) -> JobSpec {
        var spec = Jobs.wide(c.loss, count: count, chunkSize: c.chunkSize, optimizer: c.optimizer, options: c.options, steps: steps)
        spec.historyInterval = 1
        spec.historyCapacity = 64
        return spec
    }

    static func engine(workers: Int) -> TrainingEngine {
        TrainingEngine(EngineConfiguration(workers: workers, sliceDuration: .microseconds(300), batchDuration: .microseconds(60)))
    }

    @Test("bit-identical for 1, 2 and 3 workers and after a resume mid-run", arguments: cases.indices)
    func workerCounts(_ index: Int) async throws {
        let spec = Self.spec(Self.cases[index])
        let reference = try TrainingJob(spec)
        #expect(reference.run() == .maxSteps)
        let expected = reference.checkpoint()
        let bytes = try expected.encoded()
        #expect(expected.history.count == 9)
        for workers in [1, 2, 3] {
            let engine = Self.engine(workers: workers)
            defer { engine.shutdown() }
            let handle = engine.submit(spec)
            _ = await handle.result()
            let checkpoint = try await handle.checkpoint()
            #expect(checkpoint.parameters.map(\.bitPattern) == expected.parameters.map(\.bitPattern), "\(workers) workers")
            #expect(checkpoint.history.map(\.loss.bitPattern) == expected.history.map(\.loss.bitPattern), "\(workers) workers")
            #expect(checkpoint.history.map(\.gradientNorm.bitPattern) == expected.history.map(\.gradientNorm.bitPattern),
                    "\(workers) workers")
            #expect(try checkpoint.encoded() == bytes, "\(workers) workers")
        }
        // Interrupted after 4 steps (an update pending), checkpointed, resumed on 2 workers.
        let first = try TrainingJob(spec)
        first.run(steps: 4)
        let saved = try JobCheckpoint(decoding: first.checkpoint().encoded())
        let engine = Self.engine(workers: 2)
        defer { engine.shutdown() }
        let resumed = engine.submit(spec, resumingFrom: saved)
        _ = await resumed.result()
        #expect(try await resumed.checkpoint().encoded() == bytes, "resumed at step 4")
    }

    // MARK: - The order itself

    /// The documented order (LaneSum), written out: one accumulator under 64 elements, else lane
    /// (i - start) mod 8 and the lanes added ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7)).
    static func laneSum(_ terms: ArraySlice<Double>) -> Double {
        if terms.count < 64 {
            var sum = 0.0
            for term in terms { sum += term }
            return sum
        }
        var lanes = [Double](repeating: 0, count: 8)
        for (offset, term) in terms.enumerated() { lanes[offset % 8] += term }
        return ((lanes[0] + lanes[4]) + (lanes[2] + lanes[6])) + ((lanes[1] + lanes[5]) + (lanes[3] + lanes[7]))
    }

    /// Per chunk in the documented order, the chunks in order.
    static func chunkedSum(_ terms: [Double], chunkSize: Int) -> Double {
        var total = 0.0
        for start in stride(from: 0, to: terms.count, by: chunkSize) {
            total += laneSum(terms[start..<Swift.min(start + chunkSize, terms.count)])
        }
        return total
    }

    /// Plain SGD on MSE, so that the test can recompute step 1's parameters: the loss and gradient
    /// norm of step 0 (the first pass, nothing pending) and of step 1 (the pass that applies
    /// update 0 first) must be the lane-order sums, bit for bit, through the fused pass and
    /// (with an optimizer the engine does not know) the buffered one.
    @Test("the loss and gradient norm are the sums in the documented lane order", arguments: [false, true])
    func documentedOrder(_ buffered: Bool) throws {
        let chunkSize = 1000, lr = 0.3
        var spec = Jobs.wide("mse", count: Self.count, chunkSize: chunkSize, optimizer: "sgd", options: ["lr": .number(lr)], steps: 5)
        var registries = TrainingRegistries()
        if buffered {
            var builder = OptimizerRegistry.Builder()
            try builder.register(FusedKernelTests.WrappedSGD.self)
            registries = TrainingRegistries(optimizers: builder.build())
            spec.optimizer.name = "wrapped_sgd"
        }
        let x0 = try TrainingJob(spec, registries: registries).parameters.scalars
        let y = try #require(spec.target).scalars
        let scale = 1 / Double(Self.count)
        func expected(at x: [Double]) -> (loss: Double, norm: Double, gradient: [Double]) {
            let d = zip(x, y).map { $0 - $1 }
            let gradient = d.map { (2 * $0) * scale }
            let loss = Self.chunkedSum(d.map { $0 * $0 }, chunkSize: chunkSize) / Double(Self.count)
            return (loss, Self.chunkedSum(gradient.map { $0 * $0 }, chunkSize: chunkSize).squareRoot(), gradient)
        }
        let step0 = expected(at: x0)
        let x1 = zip(x0, step0.gradient).map { $0 + (-lr) * $1 }
        let step1 = expected(at: x1)
        // The documented order is not the index order here, so matching it means something.
        let indexOrder = zip(x0, y).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Double(Self.count)
        #expect(indexOrder.bitPattern != step0.loss.bitPattern)

        let job = try TrainingJob(spec, registries: registries)
        job.run(steps: 1)
        #expect(job.progress.loss.bitPattern == step0.loss.bitPattern)
        #expect(job.progress.gradientNorm.bitPattern == step0.norm.bitPattern)
        job.run(steps: 1)
        #expect(job.progress.loss.bitPattern == step1.loss.bitPattern)
        #expect(job.progress.gradientNorm.bitPattern == step1.norm.bitPattern)
    }
}
