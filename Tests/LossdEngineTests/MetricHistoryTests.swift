// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdEngine
import Testing

/// A job's metrics as the engine measures them: per recorded history point (on the loss's input
/// at that step), at the current parameters (``TrainingJob/metricValues()``), per model epoch,
/// and across a checkpoint. Expected values are worked out here from the definitions, on the
/// parameters of a second run of the same job without metrics.
@Suite("Metrics in the engine")
struct MetricHistoryTests {
    /// An element-wise metric from its definition (errors in index order).
    static func expected(_ metric: Metric, _ output: [Double], _ target: [Double]) -> Double {
        let errors = zip(output, target).map { $0 - $1 }
        switch metric {
        case .mae: return errors.reduce(0) { $0 + abs($1) } / Double(errors.count)
        case .rmse: return (errors.reduce(0) { $0 + $1 * $1 } / Double(errors.count)).squareRoot()
        case .maxAbsError: return errors.map(abs).max()!
        case .accuracy: Issue.record("accuracy is not element-wise"); return .nan
        }
    }

    /// Accuracy from its definition: scores (N, C, D...) flattened, targets (N, D...), the first
    /// largest score per sample, samples of class `ignored` left out.
    static func expectedAccuracy(_ scores: [Double], shape: [Int], _ classes: [Double], ignored: Double? = nil) -> Double {
        let (n, c) = shape.count == 1 ? (1, shape[0]) : (shape[0], shape[1])
        let d = shape.dropFirst(2).reduce(1, *)
        var right = 0, counted = 0
        for sample in 0..<(n * d) where classes[sample] != ignored {
            let (row, position) = (sample / d, sample % d)
            var best = 0
            for k in 0..<c where scores[(row * c + k) * d + position] > scores[(row * c + best) * d + position] { best = k }
            counted += 1
            if Double(best) == classes[sample] { right += 1 }
        }
        return Double(right) / Double(counted)
    }

    static let elementwiseSets: [[Metric]] = [[.mae], [.rmse], [.maxAbsError], [.rmse, .maxAbsError, .mae]]

    static func seed(_ metrics: [Metric]) -> JobSpec {
        var spec = Jobs.seed(stopping: StoppingRules(maxSteps: 30))
        spec.historyInterval = 1
        spec.metrics = metrics
        return spec
    }

    static func wide(_ metrics: [Metric]) -> JobSpec {
        var spec = Jobs.wide("l1", count: 1_300, chunkSize: 200, optimizer: "sgd", options: ["lr": .number(0.4), "momentum": .number(0.9)], steps: 40)
        spec.metrics = metrics
        return spec
    }

    /// Runs `spec` without metrics one step at a time; the parameters each recorded step of
    /// `recorded` was evaluated at (those before its update), and the run's job.
    static func parametersAt(_ recorded: [Int], of spec: JobSpec) throws -> ([Int: [Double]], TrainingJob) {
        var plain = spec
        plain.metrics = []
        let job = try TrainingJob(plain)
        var before: [Int: [Double]] = [:]
        for step in 1...(recorded.max() ?? 0) {
            if recorded.contains(step) { before[step] = job.parameters.scalars }
            job.run(steps: 1)
        }
        job.run()
        return (before, job)
    }

    @Test("each recorded row carries the metrics of the parameters its loss was evaluated at; training is unchanged",
          arguments: elementwiseSets, [false, true])
    func historyRows(_ metrics: [Metric], wide: Bool) throws {
        let spec = wide ? Self.wide(metrics) : Self.seed(metrics)
        let job = try TrainingJob(spec)
        job.run()
        let points = job.history
        #expect(!points.isEmpty)
        let (before, plain) = try Self.parametersAt(points.map(\.step), of: spec)
        let target = spec.target!.scalars
        for point in points {
            let expected = metrics.map { Self.expected($0, before[point.step]!, target) }
            #expect(point.metrics == expected, "step \(point.step)")
        }
        #expect(job.parameters.bits == plain.parameters.bits, "metrics do not change the training")
        #expect(points.map { HistoryPoint(step: $0.step, loss: $0.loss, gradientNorm: $0.gradientNorm, learningRate: $0.learningRate) }
                    == plain.history)
        #expect(plain.history.allSatisfy { $0.metrics.isEmpty })
    }

    /// Class-scored jobs: (N, C), (N, C, d), and nll with an ignore_index.
    static let classJobs: [(name: String, loss: String, options: [String: OptionValue], shape: [Int], classes: [Double], ignored: Double?)] = [
        ("cross_entropy (N, C)", "cross_entropy", [:], [6, 3], [0, 2, 1, 1, 0, 2], nil),
        ("cross_entropy (N, C, d)", "cross_entropy", [:], [2, 3, 4], [0, 1, 2, 2, 1, 1, 0, 2], nil),
        ("nll, ignore_index 1", "nll", ["ignore_index": .integer(1)], [5, 4], [1, 3, 1, 0, 2], 1),
    ]

    @Test("accuracy per recorded row and now: the first largest score per sample, ignore_index left out",
          arguments: classJobs.indices)
    func accuracy(_ index: Int) throws {
        let job = Self.classJobs[index]
        var spec = JobSpec(initialization: .random(shape: job.shape, distribution: .uniform(low: -1, high: 1), seed: UInt64(index + 5)),
                           target: Tensor(shape: Metric.sampleShape(fittedShape: job.shape), scalars: job.classes, dtype: .int64),
                           loss: JobSpec.Component(job.loss, options: job.options),
                           optimizer: JobSpec.Component("sgd", options: ["lr": .number(0.7)]),
                           stopping: StoppingRules(maxSteps: 25), historyInterval: 2)
        spec.metrics = [.accuracy]
        let trained = try TrainingJob(spec)
        trained.run()
        let (before, plain) = try Self.parametersAt(trained.history.map(\.step), of: spec)
        for point in trained.history {
            let expected = Self.expectedAccuracy(before[point.step]!, shape: job.shape, job.classes, ignored: job.ignored)
            #expect(point.metrics == [expected], "step \(point.step)")
        }
        let now = trained.metricValues()
        #expect(now["accuracy"] == Self.expectedAccuracy(plain.parameters.scalars, shape: job.shape, job.classes, ignored: job.ignored))
        #expect(now["loss"]?.isFinite == true)
        #expect(Set(now.keys) == ["loss", "accuracy"])
    }

    @Test("metricValues: loss and metrics at the current parameters, while paused and after the end", arguments: elementwiseSets)
    func valuesNow(_ metrics: [Metric]) throws {
        let spec = Self.seed(metrics)
        let job = try TrainingJob(spec)
        for steps in [0, 1, 7, 100] {
            job.run(steps: steps)
            let p = job.parameters.scalars, t = spec.target!.scalars
            let values = job.metricValues()
            #expect(Set(values.keys) == Set(["loss"] + metrics.map(\.name)))
            for metric in metrics { #expect(values[metric.name] == Self.expected(metric, p, t), "\(metric) after \(steps)") }
            // mse, reduction mean: the mean of the squared errors.
            let mse = zip(p, t).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(p.count)
            #expect(abs(values["loss"]! - mse) <= 1e-12 * max(1, mse), "loss after \(steps)")
        }
        let plain = try TrainingJob(Jobs.seed())
        #expect(Set(plain.metricValues().keys) == ["loss"], "without metrics: the loss alone")
    }

    @Test("resuming a job with metrics from any step ends bit-identical", arguments: [false, true])
    func resume(_ wide: Bool) throws {
        let spec = wide ? Self.wide([.mae, .rmse, .maxAbsError]) : Self.seed([.maxAbsError, .mae])
        let reference = try TrainingJob(spec)
        let final = reference.run()
        let expected = try reference.checkpoint().encoded()
        for point in [0, 1, 2, 3, 7, 8, 15, 29, 30, 39] {
            let first = try TrainingJob(spec)
            first.run(steps: point)
            let resumed = try TrainingJob(spec, resumingFrom: JobCheckpoint(decoding: first.checkpoint().encoded()))
            #expect(resumed.run() == final)
            #expect(resumed.history == reference.history, "history after resuming at \(point)")
            #expect(try resumed.checkpoint().encoded() == expected, "state after resuming at \(point)")
        }
    }

    @Test("a model job measures its metrics after every epoch (validation data, else training data); resume keeps them",
          arguments: [true, false])
    func modelEpochs(_ validation: Bool) throws {
        var spec = ModelJobTests.classifier(epochs: 3, validation: validation)
        spec.metrics = [.accuracy]
        let job = try TrainingJob(spec)
        job.run()
        #expect(job.epochs.count == 3)
        for epoch in job.epochs {
            #expect(epoch.metrics.count == 1)
            // With validation data the epoch's accuracy is measured on the same set.
            if validation { #expect(epoch.metrics[0] == epoch.accuracy!) }
        }
        // The last epoch ended the job: its metrics are those at the final parameters.
        #expect(job.epochs.last!.metrics[0] == job.metricValues()["accuracy"])
        let half = try TrainingJob(spec)
        half.run(steps: 7)
        let resumed = try TrainingJob(spec, resumingFrom: JobCheckpoint(decoding: half.checkpoint().encoded()))
        resumed.run()
        #expect(resumed.epochs == job.epochs)
        #expect(try resumed.checkpoint().encoded() == job.checkpoint().encoded())
    }

    /// Metrics that do not apply to the job's targets, refused when it is built.
    static let refused: [(String, JobSpec)] = {
        var accuracyOnValues = Jobs.seed()
        accuracyOnValues.metrics = [.accuracy]
        var maeOnClasses = Jobs.crossEntropy()
        maeOnClasses.metrics = [.mae]
        var accuracyOnProbabilities = JobSpec(initialization: .tensor(Tensor(shape: [2, 2], scalars: [0, 1, 1, 0])),
                                              target: Tensor(shape: [2, 2], scalars: [0.5, 0.5, 1, 0]),
                                              loss: JobSpec.Component("cross_entropy"), optimizer: JobSpec.Component("sgd", options: ["lr": .number(0.1)]),
                                              stopping: StoppingRules(maxSteps: 3))
        accuracyOnProbabilities.metrics = [.accuracy]
        var twice = Jobs.seed()
        twice.metrics = [.mae, .mae]
        var maeOnModelClasses = ModelJobTests.classifier()
        maeOnModelClasses.metrics = [.rmse]
        return [("accuracy on values", accuracyOnValues), ("mae on class indices", maeOnClasses),
                ("accuracy on class probabilities", accuracyOnProbabilities), ("a metric twice", twice),
                ("rmse on a model's class targets", maeOnModelClasses)]
    }()

    @Test("metrics that do not apply are refused when the job is built", arguments: refused.indices)
    func refusals(_ index: Int) {
        #expect(throws: EngineError.self, "\(Self.refused[index].0)") { try TrainingJob(Self.refused[index].1) }
    }
}
