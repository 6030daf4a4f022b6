// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdEngine
import Testing

/// What the trajectories do not show: where PyTorch's schedulers raise, and which optimizers a
/// `cycle_momentum` scheduler accepts.
@Suite("Scheduler steps and refusals")
struct SchedulerStepTests {
    @Test("one_cycle_lr fails the job at the step PyTorch raises at (past total_steps)")
    func oneCyclePastTotalSteps() throws {
        let scheduler = JobSpec.Component("one_cycle_lr", options: ["max_lr": .number(0.1), "total_steps": .integer(10)])
        let within = try TrainingJob(Jobs.seed("adam", ["lr": .number(0.1)], scheduler: scheduler, stopping: StoppingRules(maxSteps: 10)))
        #expect(within.run() == .maxSteps)
        let past = try TrainingJob(Jobs.seed("adam", ["lr": .number(0.1)], scheduler: scheduler, stopping: StoppingRules(maxSteps: 20)))
        let status = past.run()
        #expect(status.name == "failed" && status.detail?.contains("tried to step 11 times") == true, "\(status)")
        #expect(past.progress.step == 11)
    }

    @Test("cycle_momentum needs an optimizer with momentum or betas", arguments: [
        ("sgd", true), ("rmsprop", true), ("adam", true), ("adamw", true), ("adamax", true), ("nadam", true), ("radam", true),
        ("adagrad", false), ("adadelta", false), ("asgd", false), ("rprop", false), ("lbfgs", false), ("adafactor", false),
    ])
    func cycleMomentumNeedsMomentum(_ optimizer: String, _ accepted: Bool) throws {
        for (name, options) in [("cyclic_lr", ["base_lr": OptionValue.number(0.01), "max_lr": .number(0.1)]),
                                ("one_cycle_lr", ["max_lr": .number(0.1), "total_steps": .integer(50)])] {
            let spec = Jobs.seed(optimizer, ["lr": .number(0.1)], scheduler: JobSpec.Component(name, options: options),
                                 stopping: StoppingRules(maxSteps: 5))
            do {
                _ = try TrainingJob(spec)
                #expect(accepted, "\(optimizer) + \(name) was accepted")
            } catch {
                #expect(!accepted && error.subject == "cycle_momentum", "\(error)")
            }
            var off = options
            off["cycle_momentum"] = .bool(false)
            _ = try TrainingJob(Jobs.seed(optimizer, ["lr": .number(0.1)], scheduler: JobSpec.Component(name, options: off),
                                          stopping: StoppingRules(maxSteps: 5)))
            #expect((OptimizerRegistry.builtins.entries.first { $0.descriptor.name == optimizer }!.cycledMomentum != nil) == accepted)
        }
    }

    @Test("sgd keeps a momentum buffer when its momentum is cycled, even with momentum 0")
    func cycledBuffer() throws {
        let spec = Jobs.seed("sgd", ["lr": .number(0.01)],
                             scheduler: JobSpec.Component("cyclic_lr", options: ["base_lr": .number(0.01), "max_lr": .number(0.1)]),
                             stopping: StoppingRules(maxSteps: 3))
        let job = try TrainingJob(spec)
        job.run()
        let checkpoint = job.checkpoint()
        #expect(checkpoint.optimizerState.map(\.name) == ["momentum_buffer"])
        #expect(checkpoint.schedulerState?.momentum != nil)
    }
}
