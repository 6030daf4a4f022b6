// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdData
import LossdEngine
import LossdTestSupport
import Testing

/// Model jobs: resume anywhere (mid-epoch included) bit-identical, in the engine too; the batch
/// order's recipe; epochs, max_steps and the epoch rules; located errors; evaluation.
@Suite("Model jobs")
struct ModelJobTests {
    /// `rows` rows of `features` features around `classes` centres; targets are class indices.
    static func blobs(rows: Int, features: Int = 4, classes: Int = 3, seed: UInt64, source: String = "blobs") -> Dataset {
        var generator = SeededGenerator(seed: seed)
        var x: [Double] = [], y: [Double] = []
        for row in 0..<rows {
            let label = row % classes
            for feature in 0..<features {
                x.append((feature % classes == label ? 1.5 : 0) + generator.values(1, from: .normal(mean: 0, std: 1))[0])
            }
            y.append(Double(label))
        }
        return Dataset(source: source, rows: rows, featureNames: (0..<features).map { "x\($0)" }, features: x,
                       targetNames: ["label"], targets: y)
    }

    static let mlp: [JobSpec.Component] = [
        JobSpec.Component("linear", options: ["in_features": .integer(4), "out_features": .integer(8)]),
        JobSpec.Component("relu"),
        JobSpec.Component("linear", options: ["in_features": .integer(8), "out_features": .integer(3)]),
    ]

    /// 23 rows in shuffled batches of 5 (the last of 3), validation, adam with a scheduler, history.
    static func classifier(epochs: Int? = 6, maxSteps: Int = .max, validation: Bool = true, patience: Int? = nil,
                           tolerance: Double? = nil, minDelta: Double = 0, optimizer: String = "adam",
                           options: [String: OptionValue] = ["lr": .number(0.05)]) -> JobSpec {
        let model = ModelJob(layers: mlp, train: blobs(rows: 23, seed: 1), validation: validation ? blobs(rows: 9, seed: 2) : nil,
                             batchSize: 5, epochs: epochs, seed: 42)
        return JobSpec(model: model, loss: JobSpec.Component("cross_entropy", options: ["label_smoothing": .number(0.1)]),
                       optimizer: JobSpec.Component(optimizer, options: options),
                       scheduler: JobSpec.Component("step_lr", options: ["step_size": .integer(7), "gamma": .number(0.7)]),
                       stopping: StoppingRules(maxSteps: maxSteps, tolerance: tolerance, patience: patience, minDelta: minDelta),
                       historyInterval: 3, historyCapacity: 8)
    }

    static let specs: [(String, JobSpec)] = [
        ("shuffled classifier, validation, adam", classifier()),
        ("classifier without validation, sgd momentum", classifier(validation: false, optimizer: "sgd",
                                                                    options: ["lr": .number(0.1), "momentum": .number(0.9)])),
        ("stops at max_steps mid-epoch", classifier(epochs: nil, maxSteps: 17)),
        ("one cycle, adamw beta1 cycled, without validation", {
            var spec = classifier(epochs: 5, validation: false, optimizer: "adamw")
            spec.scheduler = JobSpec.Component("one_cycle_lr", options: ["max_lr": .number(0.05), "epochs": .integer(5),
                                                                         "steps_per_epoch": .integer(5)])
            return spec
        }()),
        ("plateau on the validation loss, sgd", {
            var spec = classifier(epochs: 8, optimizer: "sgd", options: ["lr": .number(0.3), "momentum": .number(0.5)])
            spec.scheduler = JobSpec.Component("reduce_lr_on_plateau", options: ["patience": .integer(0), "factor": .number(0.5)])
            return spec
        }()),
    ]

    @Test("resuming from any step, mid-epoch included, ends bit-identical", arguments: specs.indices)
    func resumeAnywhere(_ index: Int) throws {
        let spec = Self.specs[index].1
        let reference = try TrainingJob(spec)
        let final = reference.run()
        #expect(final.isFinal)
        let expected = try reference.checkpoint().encoded()
        let steps = reference.progress.step
        for point in CheckpointTests.points(upTo: steps) {
            let first = try TrainingJob(spec)
            first.run(steps: point)
            let resumed = try TrainingJob(spec, resumingFrom: JobCheckpoint(decoding: first.checkpoint().encoded()))
            #expect(resumed.progress.bits == first.progress.bits && resumed.progress.epoch == first.progress.epoch)
            #expect(resumed.run() == final, "status after resuming at \(point)")
            #expect(resumed.parameters.bits == reference.parameters.bits, "parameters after resuming at \(point)")
            #expect(resumed.epochs == reference.epochs, "epochs after resuming at \(point)")
            #expect(try resumed.checkpoint().encoded() == expected, "state after resuming at \(point)")
        }
    }

    @Test("the engine gives the single-threaded result for 1, 2 and 4 workers, checkpoints taken mid-run resume to it",
          arguments: [1, 2, 4])
    func engine(_ workers: Int) async throws {
        let references = try Self.specs.map { _, spec in
            let job = try TrainingJob(spec)
            job.run()
            return try job.checkpoint().encoded()
        }
        let engine = EngineTests.engine(workers: workers)
        defer { engine.shutdown() }
        let handles = Self.specs.map { engine.submit($0.1) }
        var taken: [(Int, JobCheckpoint)] = []
        for (index, handle) in handles.enumerated() { taken.append((index, try await handle.checkpoint())) }
        for (index, handle) in handles.enumerated() {
            let result = await handle.result()
            #expect(try await handle.checkpoint().encoded() == references[index], "job \(index) with \(workers) workers")
            #expect(result.epochs == (try TrainingJob(Self.specs[index].1, resumingFrom: JobCheckpoint(decoding: references[index])).epochs))
            #expect(result.namedParameters?.map(\.name) == ["0.weight", "0.bias", "2.weight", "2.bias"])
            #expect(result.progress.epoch == result.epochs.last)
            #expect(handle.epochs == result.epochs)
        }
        for (index, checkpoint) in taken {
            let resumed = engine.submit(Self.specs[index].1, resumingFrom: checkpoint)
            _ = await resumed.result()
            #expect(try await resumed.checkpoint().encoded() == references[index], "job \(index) resumed at step \(checkpoint.step)")
        }
    }

    @Test("epochs and max_steps bound the run, whichever ends first; a partial last epoch is recorded")
    func bounds() throws {
        let byEpochs = try TrainingJob(Self.classifier(epochs: 3))
        #expect(byEpochs.run() == .maxSteps)
        #expect(byEpochs.progress.step == 15)  // 3 epochs x ceil(23 / 5)
        #expect(byEpochs.epochs.map(\.step) == [5, 10, 15])
        let bySteps = try TrainingJob(Self.classifier(epochs: 3, maxSteps: 7))
        #expect(bySteps.run() == .maxSteps)
        #expect(bySteps.epochs.map(\.epoch) == [1, 2] && bySteps.epochs.map(\.step) == [5, 7])
    }

    @Test("patience counts epochs on the validation loss; tolerance is judged per epoch")
    func epochRules() throws {
        let plateau = try TrainingJob(Self.classifier(epochs: 200, patience: 2, minDelta: 10))
        #expect(plateau.run() == .converged(.plateau))
        #expect(plateau.epochs.count == 3)  // epoch 1 sets the best; 2 and 3 do not beat it by 10
        #expect(plateau.progress.bestLoss == plateau.epochs[0].validationLoss)
        let tolerance = try TrainingJob(Self.classifier(epochs: 200, tolerance: 10))
        #expect(tolerance.run() == .converged(.tolerance))
        #expect(tolerance.epochs.count == 1 && tolerance.progress.step == 5)
    }

    @Test("each epoch's order is a permutation that depends on the seed and the epoch only")
    func batchOrder() throws {
        var orders: [[Int]] = []
        for epoch in 0..<3 {
            let order = ModelJob.batchOrder(rows: 23, seed: 42, epoch: epoch)
            #expect(order.sorted() == Array(0..<23))
            #expect(order == ModelJob.batchOrder(rows: 23, seed: 42, epoch: epoch))
            orders.append(order)
        }
        #expect(Set(orders).count == 3)
        #expect(ModelJob.batchOrder(rows: 23, seed: 43, epoch: 0) != orders[0])
        // The published recipe, step by step (see BatchOrder): epoch 0 of seed 42.
        var generator = SeededGenerator(seed: 42 ^ 0xD1B5_4A32_D192_ED03)
        var order = Array(0..<23)
        for i in stride(from: 22, to: 0, by: -1) {
            order.swapAt(i, Int(generator.next().multipliedFullWidth(by: UInt64(i + 1)).high))
        }
        #expect(order == orders[0])
    }

    @Test("a model checkpoint round-trips through JSON; a free-tensor checkpoint's JSON has no model key")
    func checkpointJSON() throws {
        let job = try TrainingJob(Self.classifier(validation: false))
        job.run(steps: 13)  // epochs 1 and 2 done, 3 of epoch 3's batches accumulated
        let checkpoint = job.checkpoint()
        let model = try #require(checkpoint.model)
        #expect(model.epochs.count == 2 && model.epochBatches == 3 && model.epochRows == 15)
        #expect(model.epochs.allSatisfy { $0.validationLoss == nil && $0.accuracy != nil })
        #expect(try JobCheckpoint(decoding: checkpoint.encoded()) == checkpoint)
        let text = String(decoding: try checkpoint.encoded(), as: UTF8.self)
        #expect(text.contains("\"batches\": \"23 rows in batches of 5 (5 per epoch, the last of 3), shuffled with seed 42\""))
        let free = try TrainingJob(Jobs.seed(stopping: StoppingRules(maxSteps: 3)))
        free.run()
        #expect(!String(decoding: try free.checkpoint().encoded(), as: UTF8.self).contains("\"model\""))
    }

    @Test("a checkpoint of another model, other batches or a free-tensor job is refused")
    func foreignCheckpoints() throws {
        let job = try TrainingJob(Self.classifier())
        job.run(steps: 4)
        let checkpoint = job.checkpoint()
        var wider = Self.classifier()
        wider.model!.layers[0].options["out_features"] = .integer(9)
        wider.model!.layers[2].options["in_features"] = .integer(9)
        #expect(throws: EngineError.self) { try TrainingJob(wider, resumingFrom: checkpoint) }
        var spelledOut = Self.classifier()  // the same model: a class name, a default given
        spelledOut.model!.layers[0] = JobSpec.Component("Linear", options: ["in_features": .integer(4), "out_features": .integer(8),
                                                                            "bias": .bool(true)])
        let same = try TrainingJob(spelledOut, resumingFrom: checkpoint)
        #expect(same.progress.step == 4)
        #expect(checkpoint.model?.model.hasPrefix("Sequential(Linear(in_features=4, out_features=8") == true)
        var otherBatches = Self.classifier()
        otherBatches.model!.batchSize = 4
        let error = #expect(throws: EngineError.self) { try TrainingJob(otherBatches, resumingFrom: checkpoint) }
        #expect(error?.subject == "batches")
        let seed = try TrainingJob(Jobs.seed(stopping: StoppingRules(maxSteps: 3)))
        #expect(throws: EngineError.self) { try TrainingJob(Self.classifier(), resumingFrom: seed.checkpoint()) }
        #expect(throws: EngineError.self) { try TrainingJob(Jobs.seed(stopping: StoppingRules(maxSteps: 3)), resumingFrom: checkpoint) }
    }

    @Test("bad model jobs are refused with the layer, column, row or parameter at fault")
    func errors() throws {
        func message(_ change: (inout JobSpec) -> Void) -> String {
            var spec = Self.classifier()
            change(&spec)
            do {
                _ = try TrainingJob(spec)
                return "accepted"
            } catch {
                return error.message
            }
        }
        #expect(message { $0.model!.layers[2].options["in_features"] = .integer(7) }.contains("7"))
        #expect(message { $0.loss = JobSpec.Component("mse") }.contains("target column"))
        #expect(message { $0.loss = JobSpec.Component("margin_ranking") }.contains("two"))
        let outOfRange = message { $0.model!.train = Self.blobs(rows: 23, classes: 4, seed: 1, source: "four.csv") }
        #expect(outOfRange.contains("four.csv") && outOfRange.contains("row 3") && outOfRange.contains("label"), "\(outOfRange)")
        #expect(message { $0.model!.validation = Self.blobs(rows: 9, features: 5, seed: 2) }.contains("5 feature columns"))
        #expect(message { $0.model!.batchSize = 0 }.contains("batch_size"))
        #expect(message { $0.model!.batchSize = 30; $0.model!.dropLast = true }.contains("no batch"))
        #expect(message { $0.model!.epochs = 0 }.contains("epochs"))
        #expect(message { $0.model!.initialParameters = [("0.weight", Tensor(repeating: 0, shape: [8, 4]))] }.contains("0.bias"))
        #expect(message { $0.model!.initialParameters = [("3.weight", Tensor(repeating: 0, shape: [8, 4]))] }.contains("3.weight"))
        #expect(message { $0.model!.initialParameters = [("0.weight", Tensor(repeating: 0, shape: [4, 8]))] }.contains("(8, 4)"))
        #expect(message { $0.model!.layers = [] }.contains("layer"))
        #expect(message { $0.model!.layers = [JobSpec.Component("relu")]; $0.loss = JobSpec.Component("l1") }.contains("no parameters"))
        #expect(message { $0.model!.layers[1] = JobSpec.Component("no_such_layer") }.contains("layer 1"))
    }

    @Test("the default init is PyTorch's bounds drawn from the seed; named parameters follow the layout")
    func defaultInit() throws {
        let job = try TrainingJob(Self.classifier())
        let again = try TrainingJob(Self.classifier())
        #expect(job.parameters.bits == again.parameters.bits)
        var other = Self.classifier()
        other.model!.seed = 43
        #expect(try TrainingJob(other).parameters.bits != job.parameters.bits)
        let named = try #require(job.namedParameters)
        #expect(named.map(\.name) == ["0.weight", "0.bias", "2.weight", "2.bias"])
        #expect(named.map(\.tensor.shape) == [[8, 4], [8], [3, 8], [3]])
        for (name, tensor) in named {
            let bound = 1 / (name.hasPrefix("0.") ? 4.0 : 8.0).squareRoot()
            #expect(tensor.scalars.allSatisfy { abs($0) <= bound }, "\(name) within ±\(bound)")
        }
    }

    @Test("ModelEvaluation gives the job's validation loss and accuracy, and predictions")
    func evaluation() throws {
        let spec = Self.classifier(epochs: 2)
        let job = try TrainingJob(spec)
        job.run()
        let evaluation = try ModelEvaluation(spec: spec, parameters: try #require(job.namedParameters), data: spec.model!.validation!)
        #expect(evaluation.loss == job.epochs.last?.validationLoss)
        #expect(evaluation.accuracy == job.epochs.last?.accuracy)
        #expect(evaluation.predictions.shape == [9, 3])
        let unlabeled = Dataset(source: "x.npy", rows: 2, featureNames: ["a", "b", "c", "d"], features: [1, 2, 3, 4, 5, 6, 7, 8],
                                targetNames: [], targets: [])
        let predictions = try ModelEvaluation(spec: spec, parameters: job.namedParameters!, data: unlabeled)
        #expect(predictions.loss == nil && predictions.accuracy == nil && predictions.predictions.shape == [2, 3])
    }

    @Test("rows whose class is ignore_index are skipped, as PyTorch skips them: full-batch training equals training without them (to rounding)",
          arguments: [("cross_entropy", nil), ("nll", nil), ("cross_entropy", 7)] as [(String, Int?)])
    func ignoredClasses(_ loss: String, _ ignoreIndex: Int?) throws {
        let ignored = Double(ignoreIndex ?? -100)
        let dropped = [3, 10, 17]
        var all = Self.blobs(rows: 23, seed: 1)
        var targets = all.targets
        for row in dropped { targets[row] = ignored }
        all = Dataset(source: "blobs", rows: 23, featureNames: all.featureNames, features: all.features, targetNames: all.targetNames, targets: targets)
        let kept = all.subset((0..<23).filter { !dropped.contains($0) })
        let layers = loss == "nll" ? Self.mlp + [JobSpec.Component("log_softmax")] : Self.mlp
        func spec(_ data: Dataset) -> JobSpec {
            let options: [String: OptionValue] = ignoreIndex.map { ["ignore_index": .integer($0)] } ?? [:]
            return JobSpec(model: ModelJob(layers: layers, train: data, validation: data, epochs: 4, seed: 3),
                           loss: JobSpec.Component(loss, options: options),
                           optimizer: JobSpec.Component("sgd", options: ["lr": .number(0.1)]), stopping: StoppingRules(maxSteps: .max))
        }
        let withIgnored = try TrainingJob(spec(all)), without = try TrainingJob(spec(kept))
        withIgnored.run()
        without.run()
        #expect(withIgnored.epochs.count == 4)
        // Equal up to summation order (the mean's sums pair rows differently): 1e-12 relative.
        #expect(Closeness.firstMismatch(actual: withIgnored.epochs.map(\.trainLoss), expected: without.epochs.map(\.trainLoss), rtol: 1e-12) == nil)
        #expect(Closeness.firstMismatch(actual: withIgnored.epochs.compactMap(\.validationLoss),
                                        expected: without.epochs.compactMap(\.validationLoss), rtol: 1e-12) == nil)
        #expect(withIgnored.epochs.map(\.accuracy) == without.epochs.map(\.accuracy))
        let a = try #require(withIgnored.namedParameters), b = try #require(without.namedParameters)
        #expect(Closeness.firstMismatch(actual: a.flatMap(\.tensor.scalars), expected: b.flatMap(\.tensor.scalars), rtol: 1e-12) == nil)
        // Another class out of range is still refused, naming its row.
        targets[5] = 3
        let bad = Dataset(source: "blobs", rows: 23, featureNames: all.featureNames, features: all.features, targetNames: all.targetNames, targets: targets)
        #expect(throws: EngineError.self) { try TrainingJob(spec(bad)) }
    }

    @Test("a set larger than one forward slice is evaluated as one batch: the loss of all its predictions")
    func largeEvaluation() throws {
        let spec = Self.classifier(epochs: 1)
        let job = try TrainingJob(spec)
        job.run()
        let parameters = try #require(job.namedParameters)
        let data = Self.blobs(rows: 2_500, seed: 3)
        let whole = try ModelEvaluation(spec: spec, parameters: parameters, data: data)
        #expect(whole.predictions.shape == [2_500, 3])
        let loss = try LossRegistry.builtins.makeLoss("cross_entropy", options: ["label_smoothing": .number(0.1)])
        let direct = try LossEvaluation(loss: loss, arguments: [
            "input": whole.predictions, "target": Tensor(shape: [2_500], scalars: data.targets, dtype: .int64),
        ], wantGradients: false)
        #expect(whole.loss == direct.value.scalars[0])
        for row in [0, 1_023, 1_024, 2_499] {
            let single = try ModelEvaluation(spec: spec, parameters: parameters, data: data.subset([row]))
            #expect(Closeness.firstMismatch(actual: single.predictions.scalars,
                                            expected: Array(whole.predictions.scalars[row * 3 ..< row * 3 + 3]), rtol: 1e-13) == nil,
                    "row \(row)")
        }
    }

    @Test("a loss from outside LossKit trains as the built-in one; its failure ends only the job, naming the step")
    func outsideLoss() throws {
        func registries(failingRows: Int?) throws -> TrainingRegistries {
            var builder = LossRegistry.Builder(LossRegistry.builtins)
            try builder.register(descriptor: OutsideMSE(failingRows: failingRows).descriptor, origin: "test") { _ in
                OutsideMSE(failingRows: failingRows)
            }
            return TrainingRegistries(losses: builder.build())
        }
        func regression(_ loss: String) -> JobSpec {
            let data = Self.blobs(rows: 23, seed: 5)
            let train = Dataset(source: "r", rows: 23, featureNames: data.featureNames, features: data.features,
                                targetNames: ["y"], targets: data.targets.map { $0 * 0.5 - 0.2 })
            return JobSpec(model: ModelJob(layers: [JobSpec.Component("linear", options: ["in_features": .integer(4), "out_features": .integer(1)])],
                                           train: train, batchSize: 5, epochs: 3, seed: 9),
                           loss: JobSpec.Component(loss), optimizer: JobSpec.Component("sgd", options: ["lr": .number(0.1)]),
                           stopping: StoppingRules(maxSteps: .max))
        }
        let builtin = try TrainingJob(regression("mse"))
        builtin.run()
        let outside = try TrainingJob(regression("outside_mse"), registries: registries(failingRows: nil))
        outside.run()
        #expect(outside.parameters.bits == builtin.parameters.bits)
        let failing = try TrainingJob(regression("outside_mse"), registries: registries(failingRows: 3))
        #expect(failing.run() == .failed(code: .lossFailed, reason: "step 5: refused 3 rows"))
    }
}
