// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdEngine
import Testing

/// The fused step loop of element-wise losses (one pass per step, no gradient buffer, the last
/// update pending between runs) against the plain loop that evaluates the loss whole and then
/// applies the update: the same trajectory, bit for bit, for every element-wise loss and every
/// optimizer, narrow and wide, in one run or in pieces. (A wide job's loss value itself differs in
/// the last bits: the fused loop sums it chunk by chunk, the whole-loss one in a single pass.)
@Suite("Fused element-wise step loop")
struct FusedKernelTests {
    /// Hides a loss's element-wise form, so that the engine runs it through the plain loop.
    struct Opaque: Loss {
        let inner: any Loss
        var descriptor: LossDescriptor { inner.descriptor }
        func validate(_ arguments: LossArguments) throws(LossError) -> [Int] { try inner.validate(arguments) }
        func evaluate(_ arguments: LossArguments, output: inout [Double], gradients: inout LossGradients, workspace: inout [Double]) {
            inner.evaluate(arguments, output: &output, gradients: &gradients, workspace: &workspace)
        }
        func differentiableArguments(_ arguments: LossArguments) -> [Bool] { inner.differentiableArguments(arguments) }
    }

    /// Every built-in loss, wrapped in ``Opaque``.
    static let opaqueRegistry: TrainingRegistries = {
        var builder = LossRegistry.Builder()
        for entry in LossRegistry.builtins.entries {
            let make = entry.make
            try! builder.register(descriptor: entry.descriptor, origin: "opaque") { options throws(LossError) in
                Opaque(inner: try make(options))
            }
        }
        return TrainingRegistries(losses: builder.build())
    }()

    static let losses: [(String, [String: OptionValue])] = [
        ("mse", [:]), ("l1", ["reduction": .string("sum")]), ("huber", ["delta": .number(0.5)]),
        ("smooth_l1", ["beta": .number(0.7)]), ("smooth_l1", ["beta": .number(0)]), ("soft_margin", [:]),
        ("hinge_embedding", ["margin": .number(0.3)]),
    ]

    static let optimizers: [(String, [String: OptionValue])] = [
        ("sgd", ["lr": .number(0.3)]),
        ("sgd", ["lr": .number(0.1), "momentum": .number(0.9), "nesterov": .bool(true), "weight_decay": .number(0.01)]),
        ("sgd", ["lr": .number(0.05), "maximize": .bool(true)]),
        ("adam", ["lr": .number(0.05), "amsgrad": .bool(true)]),
        ("adamw", ["lr": .number(0.05)]),
        ("rmsprop", ["lr": .number(0.01), "momentum": .number(0.5), "centered": .bool(true)]),
        ("adagrad", ["lr": .number(0.3), "lr_decay": .number(0.01)]),
        ("adadelta", ["lr": .number(2), "weight_decay": .number(0.01)]),
        ("adamax", ["lr": .number(0.05)]),
        ("nadam", ["lr": .number(0.05), "weight_decay": .number(0.01), "decoupled_weight_decay": .bool(true)]),
        ("radam", ["lr": .number(0.05)]),
        ("asgd", ["lr": .number(0.1), "t0": .number(5)]),
        ("rprop", ["lr": .number(0.05)]),
    ]

    static func spec(_ loss: (String, [String: OptionValue]), _ optimizer: (String, [String: OptionValue]), count: Int) -> JobSpec {
        var spec = Jobs.wide(loss.0, count: count, chunkSize: 64, optimizer: optimizer.0, options: optimizer.1,
                             scheduler: JobSpec.Component("exponential_lr", options: ["gamma": .number(0.97)]), steps: 40)
        spec.loss.options = loss.1
        if loss.0 == "soft_margin" || loss.0 == "hinge_embedding" {  // labels 1 or -1
            spec.target = Tensor((0..<count).map { $0 % 3 == 0 ? -1 : 1 })
        }
        return spec
    }

    @Test("fused equals evaluate-then-update, for every element-wise loss and optimizer",
          arguments: Array(0..<(losses.count * optimizers.count)))
    func sameTrajectory(_ index: Int) throws {
        let loss = Self.losses[index / Self.optimizers.count], optimizer = Self.optimizers[index % Self.optimizers.count]
        for count in [3, 200] {
            let spec = Self.spec(loss, optimizer, count: count)
            let fused = try TrainingJob(spec)
            let plain = try TrainingJob(spec, registries: Self.opaqueRegistry)
            // In uneven pieces, so that runs end with an update pending.
            for steps in [1, 2, 5, 13, 100] {
                fused.run(steps: steps)
                plain.run(steps: steps)
                #expect(fused.parameters.bits == plain.parameters.bits, "\(loss.0) \(optimizer.0) n=\(count) after \(steps)")
            }
            #expect(fused.status == plain.status)
            let (a, b) = (fused.checkpoint(), plain.checkpoint())
            if count == 3 {  // one chunk: everything is the same, loss values and history included
                #expect(try a.encoded() == b.encoded(), "\(loss.0) \(optimizer.0)")
            } else {
                #expect(a.step == b.step && a.learningRate.bitPattern == b.learningRate.bitPattern)
                #expect(a.optimizerState.map { $0.values.map(\.bitPattern) } == b.optimizerState.map { $0.values.map(\.bitPattern) })
            }
        }
    }

    /// SGD behind a type the engine does not know, as a plugin's optimizer would be: its jobs run
    /// the generic loops with SGD's own `apply`.
    struct WrappedSGD: Optimizer {
        static let descriptor = ComponentDescriptor(name: "wrapped_sgd", pytorchName: "WrappedSGD",
                                                    summary: "SGD, unknown to the engine", options: SGD.descriptor.options)
        let inner: SGD
        init(options: ComponentOptions) throws(EngineError) { inner = try SGD(options: options) }
        var learningRate: Double { inner.learningRate }
        var stateNames: [String] { inner.stateNames }
        func constants(update: Int, learningRate: Double) -> SGD.Constants { inner.constants(update: update, learningRate: learningRate) }
        func apply(_ constants: SGD.Constants, range: Range<Int>, parameters: UnsafeMutablePointer<Double>,
                   gradients: UnsafePointer<Double>, state: UnsafeMutablePointer<Double>, count: Int) {
            inner.apply(constants, range: range, parameters: parameters, gradients: gradients, state: state, count: count)
        }
    }

    @Test("plain SGD's short loop equals SGD's own update", arguments: [3, 200])
    func plainSGD(_ count: Int) throws {
        var builder = OptimizerRegistry.Builder()
        try builder.register(SGD.self)
        try builder.register(WrappedSGD.self)
        let registries = TrainingRegistries(optimizers: builder.build())
        for loss in Self.losses {
            var spec = Self.spec(loss, ("sgd", ["lr": .number(0.2)]), count: count)
            let fast = try TrainingJob(spec, registries: registries)
            spec.optimizer.name = "wrapped_sgd"
            let generic = try TrainingJob(spec, registries: registries)
            for steps in [1, 6, 50] {
                fast.run(steps: steps)
                generic.run(steps: steps)
                #expect(fast.parameters.bits == generic.parameters.bits, "\(loss.0) n=\(count) after \(steps)")
            }
            #expect(fast.progress == generic.progress, "\(loss.0) n=\(count)")
        }
    }

    @Test("a run that stops on a rule leaves no update pending")
    func stopsAtBoundary() throws {
        var spec = Jobs.seed(stopping: StoppingRules(maxSteps: 1000, tolerance: 1e-6))
        spec.historyInterval = 1
        let job = try TrainingJob(spec)
        var status = JobStatus.running
        while status == .running { status = job.run(steps: 7) }
        #expect(status == .converged(.tolerance))
        // The parameters are the ones the final loss was evaluated at.
        let loss = try LossEvaluation(loss: LossRegistry.builtins.makeLoss("mse"),
                                      arguments: ["input": job.parameters, "target": Tensor([30, 20, 50])])
        #expect(loss.value.scalars[0].bitPattern == job.progress.loss.bitPattern)
        #expect(job.history.last?.step == job.progress.step)
    }
}
