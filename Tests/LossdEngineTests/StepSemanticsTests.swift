// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdEngine
import Testing

/// What a step is, when each stopping rule fires, and the seed job with every optimizer.
@Suite("Step semantics and stopping rules")
struct StepSemanticsTests {
    /// Options under which the seed job converges to loss <= 1e-12.
    static let converging: [(String, [String: OptionValue], JobSpec.Component?)] = [
        ("sgd", ["lr": .number(0.5)], nil),
        ("sgd", ["lr": .number(0.1), "momentum": .number(0.9), "nesterov": .bool(true)], nil),
        ("adam", ["lr": .number(1)], JobSpec.Component("exponential_lr", options: ["gamma": .number(0.998)])),
        ("adamw", ["lr": .number(1), "weight_decay": .number(0)], JobSpec.Component("exponential_lr", options: ["gamma": .number(0.998)])),
        ("rmsprop", ["lr": .number(0.3)], JobSpec.Component("exponential_lr", options: ["gamma": .number(0.998)])),
        ("adagrad", ["lr": .number(10)], nil),
        ("lbfgs", [:], nil),
        ("lbfgs", ["line_search_fn": .string("strong_wolfe"), "history_size": .integer(1)], nil),
    ]

    @Test("the seed job converges with each optimizer", arguments: converging.indices)
    func seedConverges(_ index: Int) throws {
        let (name, options, scheduler) = Self.converging[index]
        let job = try TrainingJob(Jobs.seed(name, options, scheduler: scheduler,
                                            stopping: StoppingRules(maxSteps: 100_000, tolerance: 1e-12)))
        #expect(job.run() == .converged(.tolerance), "\(name) \(options)")
        #expect(job.progress.loss <= 1e-12)
        for (value, expected) in zip(job.parameters.scalars, [30.0, 20, 50]) {
            #expect(abs(value - expected) < 1e-5, "\(name): \(job.parameters.scalars)")
        }
    }

    @Test("step k's loss is evaluated before update k; a tolerance stop applies no update")
    func toleranceBeforeUpdate() throws {
        let job = try TrainingJob(Jobs.seed(stopping: StoppingRules(maxSteps: 10, tolerance: 700)))
        #expect(job.run() == .converged(.tolerance))
        #expect(job.progress.step == 1)
        #expect(job.progress.loss == 700)
        #expect(job.parameters.scalars == [10, 10, 10])

        let stepped = try TrainingJob(Jobs.seed(stopping: StoppingRules(maxSteps: 10)))
        #expect(stepped.run(steps: 1) == .running)
        #expect(stepped.progress.loss == 700)  // L_1, at the initial parameters
        let gradient: [Double] = [-20.0, -10, -40].map { (2 * $0) * (1.0 / 3) }  // MSELoss: 2 d * (1/N)
        var squares = 0.0
        for g in gradient { squares += g * g }
        #expect(stepped.progress.gradientNorm == squares.squareRoot())
        let expected: [Double] = gradient.map { 10 + -0.1 * $0 }
        #expect(stepped.parameters.scalars == expected)
    }

    @Test("max_steps counts updates; zero takes none")
    func maxSteps() throws {
        let none = try TrainingJob(Jobs.seed(stopping: StoppingRules(maxSteps: 0)))
        #expect(none.run() == .maxSteps)
        #expect(none.progress.step == 0)
        #expect(none.progress.loss.isNaN)
        #expect(none.parameters.scalars == [10, 10, 10])

        let three = try TrainingJob(Jobs.seed(stopping: StoppingRules(maxSteps: 3)))
        #expect(three.run(steps: 2) == .running)
        #expect(three.run() == .maxSteps)
        #expect(three.progress.step == 3)
        #expect(three.run() == .maxSteps)
        #expect(three.progress.step == 3)
    }

    @Test("divergence is reported at the step whose loss or gradient is not finite")
    func divergence() throws {
        let job = try TrainingJob(Jobs.seed("sgd", ["lr": .number(10)], stopping: StoppingRules(maxSteps: 10_000)))
        var previous = job.parameters
        var status = JobStatus.running
        while status == .running {
            previous = job.parameters
            status = job.run(steps: 1)
            if status == .running { #expect(job.progress.loss.isFinite) }
        }
        #expect(status == .diverged)
        #expect(!job.progress.loss.isFinite || !job.progress.gradientNorm.isFinite)
        #expect(job.parameters.bits == previous.bits, "no update at the diverged step")
    }

    @Test("patience stops after that many steps without an improvement of min_delta")
    func patience() throws {
        let job = try TrainingJob(Jobs.seed("sgd", ["lr": .number(1e-300)],
                                            stopping: StoppingRules(maxSteps: 1000, patience: 5, minDelta: 1e-6)))
        #expect(job.run() == .converged(.plateau))
        #expect(job.progress.step == 6)  // step 1 improves on +inf, steps 2...6 do not
        #expect(job.progress.bestLoss == 700)
    }

    @Test("history keeps the most recent points")
    func history() throws {
        var spec = Jobs.seed(stopping: StoppingRules(maxSteps: 100))
        spec.historyInterval = 10
        spec.historyCapacity = 4
        let job = try TrainingJob(spec)
        job.run(steps: 35)
        #expect(job.history.map(\.step) == [1, 10, 20, 30])  // step 1, then every multiple of 10
        job.run()
        #expect(job.history.map(\.step) == [70, 80, 90, 100])
        #expect(job.history.first?.learningRate == 0.1)
    }

    @Test("a scheduler sets the rate of the first update at construction (LinearLR)")
    func initialRate() throws {
        let job = try TrainingJob(Jobs.seed(scheduler: JobSpec.Component("linear_lr", options: ["start_factor": .number(0.5)])))
        #expect(job.progress.learningRate == 0.05)
        job.run(steps: 1)
        let expected: Double = 10 + -0.05 * ((2 * -20.0) * (1.0 / 3))
        #expect(job.parameters.scalars[0] == expected)
    }
}
