// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdEngine
import LossdTestSupport
import Testing

/// Trajectories against torch.optim and torch.optim.lr_scheduler: parameters, loss and learning
/// rate after each of the first 20 steps and after steps 50, 100 and 200, within 1e-9 relative.
@Suite("torch.optim trajectories")
struct OptimizerGoldenTests {
    static let rtol = 1e-9

    @Test("matches PyTorch", arguments: OptimizerFixture.runnable)
    func matchesPyTorch(_ fixture: OptimizerFixture) throws {
        try fixture.expectTrajectory(rtol: Self.rtol)
    }

    @Test("every optimizer and option has fixtures")
    func coverage() {
        let fixtures = OptimizerFixture.all
        for optimizer in OptimizerRegistry.builtins.entries {
            let used = Set(fixtures.filter { $0.optimizer.name == optimizer.descriptor.name }.flatMap { $0.optimizer.options.keys })
            for option in optimizer.descriptor.options {
                #expect(used.contains(option.name), "\(optimizer.descriptor.name).\(option.name) has no fixture")
            }
        }
        // Schedulers: SchedulerGoldenTests' coverage (their fixtures are in two folders).
        for loss in ["mse", "l1", "huber", "cross_entropy"] {
            #expect(fixtures.contains { $0.loss.name == loss }, "no fixture on \(loss)")
        }
    }

    @Test("every optimizer's options, their order and defaults are its torch constructor's")
    func signatures() {
        for optimizer in OptimizerRegistry.builtins.entries {
            let name = optimizer.descriptor.name
            guard let signature = OptimizerFixture.signatures[name] else {
                Issue.record("\(name) has no signature in its fixture file")
                continue
            }
            #expect(optimizer.descriptor.options.map(\.name) == signature.map(\.name), "\(name)")
            for (option, argument) in zip(optimizer.descriptor.options, signature) where option.name == argument.name {
                #expect(argument.value.matches(option.defaultValue),
                        "\(name).\(option.name): default \(option.defaultValue), PyTorch's \(argument.value)")
            }
        }
    }

    @Test("only losses still to be merged are skipped")
    func skippedLosses() {
        let skipped = Set(OptimizerFixture.all.map(\.loss.name)).subtracting(TrainingRegistries.builtins.losses.names)
        #expect(skipped.isSubset(of: ["huber"]), "fixtures name unknown losses: \(skipped.sorted())")
    }
}
