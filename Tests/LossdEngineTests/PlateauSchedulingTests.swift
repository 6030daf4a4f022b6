// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdEngine
import Testing

/// ReduceLROnPlateau steps on the loss that drove the step: the step's loss in a free-tensor
/// job and in a model job without validation data (every batch), the validation loss once per
/// epoch in a model job with validation data.
@Suite("ReduceLROnPlateau's metric")
struct PlateauSchedulingTests {
    static let options: [String: OptionValue] = ["patience": .integer(0), "factor": .number(0.5), "cooldown": .integer(1)]

    /// ReduceLROnPlateau (mode min, rel threshold 1e-4, eps 1e-8) over `metrics` from `lr`: the
    /// rate after each step.
    static func expectedRates(_ metrics: [Double], lr: Double) -> [Double] {
        var best = Double.infinity, bad = 0, cooling = 0, rate = lr
        return metrics.map { metric in
            if metric < best * (1.0 - 1e-4) { best = metric; bad = 0 } else { bad += 1 }
            if cooling > 0 { cooling -= 1; bad = 0 }
            if bad > 0 {
                let new = max(rate * 0.5, 0)
                if rate - new > 1e-8 { rate = new }
                cooling = 1
                bad = 0
            }
            return rate
        }
    }

    @Test("a model job with validation data steps it once per epoch on the validation loss")
    func perEpochOnValidation() throws {
        var spec = ModelJobTests.classifier(epochs: 10, optimizer: "sgd", options: ["lr": .number(0.8)])
        spec.scheduler = JobSpec.Component("reduce_lr_on_plateau", options: Self.options)
        let job = try TrainingJob(spec)
        job.run()
        let epochs = job.epochs
        #expect(epochs.count == 10)
        let expected = Self.expectedRates(epochs.map { $0.validationLoss! }, lr: 0.8)
        #expect(epochs.map(\.learningRate) == expected)
        #expect(Set(expected).count > 1, "the validation loss never plateaued: the test would not see a reduction")
        // The rate holds within an epoch: the history's points between epoch ends share it.
        for point in job.history {
            let epoch = (point.step - 1) / 5
            #expect(point.learningRate == (epoch == 0 ? 0.8 : epochs[epoch - 1].learningRate), "step \(point.step)")
        }
    }

    @Test("a model job without validation data steps it every batch on the batch loss")
    func perBatchWithoutValidation() throws {
        var spec = ModelJobTests.classifier(epochs: 6, validation: false, optimizer: "sgd", options: ["lr": .number(2.0)])
        spec.scheduler = JobSpec.Component("reduce_lr_on_plateau", options: Self.options)
        var losses: [Double] = [], rates: [Double] = []
        let job = try TrainingJob(spec)
        for _ in 0..<30 {  // 6 epochs of 5 batches
            job.run(steps: 1)
            losses.append(job.progress.loss)
            rates.append(job.progress.learningRate)
        }
        #expect(job.progress.step == 30)
        #expect(rates == Self.expectedRates(losses, lr: 2.0))
        #expect(Set(rates).count > 1)
    }

    @Test("a free-tensor job steps it every step on that step's loss")
    func perStepOnLoss() throws {
        let spec = Jobs.seed("sgd", ["lr": .number(3.0)], scheduler: JobSpec.Component("reduce_lr_on_plateau", options: Self.options),
                             stopping: StoppingRules(maxSteps: 30))
        var losses: [Double] = [], rates: [Double] = []
        let job = try TrainingJob(spec)
        for _ in 0..<30 {
            job.run(steps: 1)
            losses.append(job.progress.loss)
            rates.append(job.progress.learningRate)
        }
        #expect(rates == Self.expectedRates(losses, lr: 3.0))
        #expect(Set(rates).count > 1)
    }
}
