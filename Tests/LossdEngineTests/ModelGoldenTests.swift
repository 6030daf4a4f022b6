// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdEngine
import LossdTestSupport
import Testing

/// Model jobs against torch.nn + torch.optim in float64: the parameters after training and every
/// epoch's losses and accuracy, within 1e-8 relative.
@Suite("Model training against PyTorch")
struct ModelGoldenTests {
    static let rtol = 1e-8

    @Test("matches PyTorch", arguments: ModelFixture.all)
    func matchesPyTorch(_ fixture: ModelFixture) throws {
        let job = try TrainingJob(fixture.spec)
        #expect(job.run() == .maxSteps)
        let epochs = job.epochs
        #expect(epochs.count == fixture.epoch_records.count)
        for (record, expected) in zip(epochs, fixture.epoch_records) {
            #expect(record.epoch == expected.epoch && record.step == expected.step)
            #expect(Closeness.firstMismatch(actual: [record.trainLoss], expected: [expected.train_loss], rtol: Self.rtol) == nil,
                    "epoch \(record.epoch) train loss \(record.trainLoss), expected \(expected.train_loss)")
            #expect(Closeness.firstMismatch(actual: [record.learningRate], expected: [expected.learning_rate], rtol: Self.rtol) == nil)
            #expect((record.validationLoss == nil) == (expected.validation_loss == nil))
            if let actual = record.validationLoss, let wanted = expected.validation_loss {
                #expect(Closeness.firstMismatch(actual: [actual], expected: [wanted], rtol: Self.rtol) == nil,
                        "epoch \(record.epoch) validation loss \(actual), expected \(wanted)")
            }
            #expect(record.accuracy == expected.accuracy, "epoch \(record.epoch) accuracy")
        }
        let named = try #require(job.namedParameters)
        #expect(named.map(\.name) == fixture.final.map(\.name))
        for (parameter, expected) in zip(named, fixture.final) {
            #expect(parameter.tensor.shape == expected.shape)
            #expect(Closeness.firstMismatch(actual: parameter.tensor.scalars, expected: expected.data, rtol: Self.rtol) == nil,
                    "\(parameter.name): \(Closeness.firstMismatch(actual: parameter.tensor.scalars, expected: expected.data, rtol: Self.rtol) ?? "")")
        }
        #expect(job.progress.epoch == epochs.last)
    }

    @Test("the fixtures cover the losses, optimizers and batch shapes the engine promises")
    func coverage() {
        let fixtures = ModelFixture.all
        for loss in ["mse", "l1", "huber", "smooth_l1", "cross_entropy", "nll", "multi_margin", "bce_with_logits"] {
            for optimizer in ["sgd", "adam"] where loss != "l1" && loss != "huber" && loss != "smooth_l1" {
                #expect(fixtures.contains { $0.loss.name == loss && $0.optimizer.name == optimizer }, "no fixture of \(loss) with \(optimizer)")
            }
            #expect(fixtures.contains { $0.loss.name == loss }, "no fixture of \(loss)")
        }
        #expect(fixtures.contains { $0.batch_size == nil })
        #expect(fixtures.contains { fixture in fixture.batch_size.map { fixture.train.features.count % $0 != 0 } ?? false },
                "no fixture with a short last batch")
        #expect(fixtures.contains { $0.shuffle })
        #expect(fixtures.contains { $0.validation != nil })
        #expect(fixtures.contains { $0.loss.options["label_smoothing"] != nil })
        #expect(fixtures.contains { $0.loss.options["pos_weight"] != nil })
    }
}
