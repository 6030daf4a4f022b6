// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdEngine
import LossdTestSupport
import Testing

/// Scheduler trajectories against torch.optim.lr_scheduler (`Scripts/gen-scheduler-goldens.py`,
/// fixtures in `Fixtures/sched`): parameters within 1e-9 relative, loss, learning rate and
/// cycled momentum after each of steps 1 to 20, 50, 100 and 200.
@Suite("torch.optim.lr_scheduler trajectories")
struct SchedulerGoldenTests {
    static let rtol = 1e-9
    static let fixtures = OptimizerFixture.load("Fixtures/sched")

    @Test("matches PyTorch", arguments: fixtures)
    func matchesPyTorch(_ fixture: OptimizerFixture) throws {
        try fixture.expectTrajectory(rtol: Self.rtol)
    }

    @Test("every scheduler and option has fixtures")
    func coverage() {
        let scheduled = (Self.fixtures + OptimizerFixture.all).compactMap(\.scheduler)
        for scheduler in SchedulerRegistry.builtins.entries {
            let used = Set(scheduled.filter { $0.name == scheduler.descriptor.name }.flatMap(\.options.keys))
            #expect(!used.isEmpty || scheduler.descriptor.options.isEmpty, "\(scheduler.descriptor.name) has no fixture")
            for option in scheduler.descriptor.options {
                #expect(used.contains(option.name), "\(scheduler.descriptor.name).\(option.name) has no fixture")
            }
        }
    }

    @Test("cycled momentum matches PyTorch (SGD and RMSprop momentum, Adam and AdamW beta1)")
    func cycledMomentum() throws {
        let cycled = Self.fixtures.filter { $0.steps.contains { $0.momentum != nil } }
        #expect(Set(cycled.map(\.optimizer.name)) == ["sgd", "adam", "adamw", "rmsprop"])
        for fixture in cycled {
            let job = try TrainingJob(fixture.spec)
            var taken = 0
            for expected in fixture.steps {
                _ = job.run(steps: expected.step - taken)
                taken = expected.step
                let momentum = job.checkpoint().schedulerState?.momentum ?? .nan
                #expect(Closeness.firstMismatch(actual: [momentum], expected: [expected.momentum!], rtol: Self.rtol) == nil,
                        "\(fixture.name) step \(expected.step) momentum \(momentum), expected \(expected.momentum!)")
            }
        }
    }
}
