// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdEngine
import Testing

@Suite("Optimizer and scheduler registries")
struct RegistryTests {
    @Test("names and PyTorch class names resolve to the same entry")
    func names() throws {
        let optimizers = OptimizerRegistry.builtins
        #expect(optimizers.names == ["sgd", "adam", "adamw", "rmsprop", "adagrad", "adadelta", "adamax", "nadam", "radam", "asgd", "rprop",
                                     "lbfgs", "adafactor"])
        for (name, torch) in zip(optimizers.names, ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam",
                                                    "ASGD", "Rprop", "LBFGS", "Adafactor"]) {
            #expect(try optimizers.entry(named: torch).descriptor.name == name)
            #expect(try optimizers.entry(named: name).descriptor.pytorchName == torch)
        }
        let schedulers = SchedulerRegistry.builtins
        let schedulerNames = ["step_lr", "multi_step_lr", "exponential_lr", "cosine_annealing_lr", "linear_lr", "constant_lr",
                              "polynomial_lr", "cosine_annealing_warm_restarts", "cyclic_lr", "one_cycle_lr",
                              "reduce_lr_on_plateau", "sequential_lr", "chained_scheduler"]
        #expect(schedulers.names == schedulerNames)
        let classes = ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR", "ConstantLR", "PolynomialLR",
                       "CosineAnnealingWarmRestarts", "CyclicLR", "OneCycleLR", "ReduceLROnPlateau", "SequentialLR", "ChainedScheduler"]
        #expect(classes.count == schedulerNames.count)
        for (name, torch) in zip(schedulers.names, classes) {
            #expect(try schedulers.entry(named: torch).descriptor.name == name)
        }
    }

    @Test("descriptors list PyTorch's options and defaults")
    func defaults() throws {
        func defaults(_ options: [OptionSpec]) -> [String: OptionValue] {
            Dictionary(uniqueKeysWithValues: options.map { ($0.name, $0.defaultValue) })
        }
        let sgd = defaults(SGD.descriptor.options)
        #expect(sgd == ["lr": .number(1e-3), "momentum": .number(0), "dampening": .number(0), "weight_decay": .number(0),
                        "nesterov": .bool(false), "maximize": .bool(false)])
        let adam = defaults(Adam.descriptor.options)
        #expect(adam["betas"] == .tensor(Tensor([0.9, 0.999])))
        #expect(adam["eps"] == .number(1e-8))
        #expect(adam["weight_decay"] == .number(0))
        #expect(defaults(AdamW.descriptor.options)["weight_decay"] == .number(0.01))
        let rmsprop = defaults(RMSprop.descriptor.options)
        #expect(rmsprop["lr"] == .number(0.01) && rmsprop["alpha"] == .number(0.99) && rmsprop["centered"] == .bool(false))
        #expect(defaults(Adagrad.descriptor.options)["eps"] == .number(1e-10))
        #expect(defaults(Adam.descriptor.options)["decoupled_weight_decay"] == .bool(false))
        #expect(defaults(AdamW.descriptor.options)["decoupled_weight_decay"] == nil)
        #expect(defaults(Adadelta.descriptor.options) == ["lr": .number(1), "rho": .number(0.9), "eps": .number(1e-6),
                                                          "weight_decay": .number(0), "maximize": .bool(false)])
        #expect(defaults(NAdam.descriptor.options)["momentum_decay"] == .number(4e-3))
        #expect(defaults(ASGD.descriptor.options)["t0"] == .number(1e6))
        #expect(defaults(Rprop.descriptor.options)["step_sizes"] == .tensor(Tensor([1e-6, 50])))
        #expect(defaults(LBFGS.descriptor.options) == [
            "lr": .number(1), "max_iter": .integer(20), "max_eval": .null, "tolerance_grad": .number(1e-7),
            "tolerance_change": .number(1e-9), "history_size": .integer(100), "line_search_fn": .null, "maximize": .bool(false),
        ])
        #expect(defaults(Adafactor.descriptor.options) == [
            "lr": .number(1e-2), "beta2_decay": .number(-0.8), "eps": .tensor(Tensor([2.220446049250313e-16, 1e-3])),
            "d": .number(1), "weight_decay": .number(0), "maximize": .bool(false),
        ])
        #expect(try LBFGS(options: ComponentOptions([:], for: LBFGS.descriptor)).maxEval == 25)
        #expect(try LBFGS(options: ComponentOptions(["max_iter": .integer(7)], for: LBFGS.descriptor)).maxEval == 8)
        #expect(try LBFGS(options: ComponentOptions(["max_iter": .integer(-3)], for: LBFGS.descriptor)).maxEval == -4)
        #expect(try LBFGS(options: ComponentOptions(["line_search_fn": .null], for: LBFGS.descriptor)).strongWolfe == false)
        #expect(defaults(StepLR.descriptor.options) == ["step_size": .null, "gamma": .number(0.1)])
        #expect(defaults(LinearLR.descriptor.options) == ["start_factor": .number(1.0 / 3), "end_factor": .number(1), "total_iters": .integer(5)])
        #expect(defaults(CosineAnnealingLR.descriptor.options) == ["T_max": .null, "eta_min": .number(0)])
    }

    /// (component, options, expected code, expected subject)
    static let invalid: [(String, [String: OptionValue], EngineError.Code, String)] = [
        ("sgd", ["lr": .number(-1)], .invalidOption, "lr"),
        ("sgd", ["lr": .number(-0.1)], .invalidOption, "lr"),
        ("sgd", ["momentum": .number(-0.1)], .invalidOption, "momentum"),
        ("sgd", ["nesterov": .bool(true)], .invalidOption, "nesterov"),
        ("sgd", ["lrr": .number(0.1)], .unknownOption, "lrr"),
        ("sgd", ["lr": .string("fast")], .invalidOption, "lr"),
        ("adam", ["betas": .tensor(Tensor([0.9, 1.0]))], .invalidOption, "betas"),
        ("adam", ["betas": .tensor(Tensor([-0.1, 0.9]))], .invalidOption, "betas"),
        ("adam", ["betas": .tensor(Tensor([0.9]))], .invalidOption, "betas"),
        ("adam", ["betas": .null], .invalidOption, "betas"),
        ("adamw", ["eps": .number(-1e-8)], .invalidOption, "eps"),
        ("adamw", ["weight_decay": .number(-1)], .invalidOption, "weight_decay"),
        ("rmsprop", ["alpha": .number(-0.5)], .invalidOption, "alpha"),
        ("adagrad", ["lr_decay": .number(-1)], .invalidOption, "lr_decay"),
        ("adagrad", ["initial_accumulator_value": .number(-1)], .invalidOption, "initial_accumulator_value"),
        ("adam", ["decoupled_weight_decay": .number(1)], .invalidOption, "decoupled_weight_decay"),
        ("adamw", ["decoupled_weight_decay": .bool(false)], .unknownOption, "decoupled_weight_decay"),
        ("adadelta", ["rho": .number(1.01)], .invalidOption, "rho"),
        ("adadelta", ["rho": .number(-0.1)], .invalidOption, "rho"),
        ("adadelta", ["lr": .number(-1)], .invalidOption, "lr"),
        ("adamax", ["betas": .tensor(Tensor([0.9, 1]))], .invalidOption, "betas"),
        ("adamax", ["eps": .number(-1)], .invalidOption, "eps"),
        ("nadam", ["momentum_decay": .number(-0.004)], .invalidOption, "momentum_decay"),
        ("nadam", ["betas": .tensor(Tensor([1, 0.999]))], .invalidOption, "betas"),
        ("nadam", ["weight_decay": .number(-1)], .invalidOption, "weight_decay"),
        ("radam", ["betas": .tensor(Tensor([0.9]))], .invalidOption, "betas"),
        ("radam", ["decoupled_weight_decay": .string("yes")], .invalidOption, "decoupled_weight_decay"),
        ("asgd", ["lambd": .number(-1)], .invalidOption, "lambd"),
        ("asgd", ["alpha": .number(-1)], .invalidOption, "alpha"),
        ("asgd", ["weight_decay": .number(-1)], .invalidOption, "weight_decay"),
        ("rprop", ["etas": .tensor(Tensor([0, 1.2]))], .invalidOption, "etas"),
        ("rprop", ["etas": .tensor(Tensor([0.5, 1]))], .invalidOption, "etas"),
        ("rprop", ["etas": .tensor(Tensor([1, 1.2]))], .invalidOption, "etas"),
        ("rprop", ["step_sizes": .tensor(Tensor([1e-6, 50, 60]))], .invalidOption, "step_sizes"),
        ("lbfgs", ["lr": .number(-0.5)], .invalidOption, "lr"),
        ("lbfgs", ["history_size": .integer(0)], .invalidOption, "history_size"),
        ("lbfgs", ["max_eval": .number(2.5)], .invalidOption, "max_eval"),
        ("lbfgs", ["max_eval": .tensor(Tensor([3, 4]))], .invalidOption, "max_eval"),
        ("lbfgs", ["line_search_fn": .string("strong_wolf")], .invalidOption, "line_search_fn"),
        ("lbfgs", ["line_search_fn": .string("strong_wolfe"), "max_eval": .integer(0)], .invalidOption, "max_eval"),
        ("lbfgs", ["max_iter": .number(2.5)], .invalidOption, "max_iter"),
        ("adafactor", ["lr": .number(-1)], .invalidOption, "lr"),
        ("adafactor", ["beta2_decay": .number(0.1)], .invalidOption, "beta2_decay"),
        ("adafactor", ["eps": .tensor(Tensor([-1e-30, 1e-3]))], .invalidOption, "eps"),
        ("adafactor", ["eps": .tensor(Tensor([1e-30, -1e-3]))], .invalidOption, "eps"),
        ("adafactor", ["eps": .tensor(Tensor([1e-3]))], .invalidOption, "eps"),
        ("adafactor", ["d": .number(0.5)], .invalidOption, "d"),
        ("adafactor", ["weight_decay": .number(-0.1)], .invalidOption, "weight_decay"),
        ("adafactor", ["foreach": .bool(false)], .unknownOption, "foreach"),
    ]

    @Test("option checks name the option", arguments: invalid.indices)
    func optimizerOptions(_ index: Int) {
        let (name, options, code, subject) = Self.invalid[index]
        #expect(throws: EngineError.self) { try OptimizerRegistry.builtins.validate(name, options: options) }
        do {
            try OptimizerRegistry.builtins.validate(name, options: options)
        } catch {
            #expect(error.code == code, "\(error)")
            #expect(error.subject == subject, "\(error)")
            #expect(error.message.contains(subject), "\(error)")
        }
    }

    static let invalidSchedulers: [(String, [String: OptionValue], EngineError.Code, String)] = [
        ("step_lr", [:], .missingOption, "step_size"),
        ("step_lr", ["step_size": .integer(0)], .invalidOption, "step_size"),
        ("step_lr", ["step_size": .number(2.5)], .invalidOption, "step_size"),
        ("multi_step_lr", [:], .missingOption, "milestones"),
        ("multi_step_lr", ["milestones": .tensor(Tensor([1.5]))], .invalidOption, "milestones"),
        ("exponential_lr", [:], .missingOption, "gamma"),
        ("exponential_lr", ["gamma": .number(0)], .invalidOption, "gamma"),
        ("cosine_annealing_lr", ["T_max": .integer(0)], .invalidOption, "T_max"),
        ("cosine_annealing_lr", ["T_max": .integer(5), "eta_min": .number(-1)], .invalidOption, "eta_min"),
        ("linear_lr", ["start_factor": .number(0)], .invalidOption, "start_factor"),
        ("linear_lr", ["end_factor": .number(1.5)], .invalidOption, "end_factor"),
        ("linear_lr", ["last_epoch": .integer(3)], .unknownOption, "last_epoch"),
        ("constant_lr", ["factor": .number(1.5)], .invalidOption, "factor"),
        ("constant_lr", ["factor": .number(-0.1)], .invalidOption, "factor"),
        ("polynomial_lr", ["power": .string("2")], .invalidOption, "power"),
        ("cosine_annealing_warm_restarts", [:], .missingOption, "T_0"),
        ("cosine_annealing_warm_restarts", ["T_0": .integer(0)], .invalidOption, "T_0"),
        ("cosine_annealing_warm_restarts", ["T_0": .integer(5), "T_mult": .integer(0)], .invalidOption, "T_mult"),
        ("cyclic_lr", ["max_lr": .number(0.1)], .missingOption, "base_lr"),
        ("cyclic_lr", ["base_lr": .number(0.1)], .missingOption, "max_lr"),
        ("cyclic_lr", ["base_lr": .number(0.1), "max_lr": .number(1), "mode": .string("triangle")], .invalidOption, "mode"),
        ("cyclic_lr", ["base_lr": .number(0.1), "max_lr": .number(1), "scale_mode": .string("epoch")], .invalidOption, "scale_mode"),
        ("cyclic_lr", ["base_lr": .number(0.1), "max_lr": .number(1), "step_size_up": .integer(0)], .invalidOption, "step_size_up"),
        ("cyclic_lr", ["base_lr": .number(0.1), "max_lr": .number(1), "step_size_up": .integer(2), "step_size_down": .integer(-2)],
         .invalidOption, "step_size_down"),
        ("cyclic_lr", ["base_lr": .number(0.1), "max_lr": .number(1), "cycle_momentum": .integer(1)], .invalidOption, "cycle_momentum"),
        ("one_cycle_lr", ["total_steps": .integer(10)], .missingOption, "max_lr"),
        ("one_cycle_lr", ["max_lr": .number(0.1)], .invalidOption, "total_steps"),
        ("one_cycle_lr", ["max_lr": .number(0.1), "epochs": .integer(3)], .invalidOption, "total_steps"),
        ("one_cycle_lr", ["max_lr": .number(0.1), "total_steps": .integer(0)], .invalidOption, "total_steps"),
        ("one_cycle_lr", ["max_lr": .number(0.1), "epochs": .integer(0), "steps_per_epoch": .integer(2)], .invalidOption, "epochs"),
        ("one_cycle_lr", ["max_lr": .number(0.1), "epochs": .integer(2), "steps_per_epoch": .integer(-1)], .invalidOption, "steps_per_epoch"),
        ("one_cycle_lr", ["max_lr": .number(0.1), "total_steps": .integer(9), "pct_start": .number(1.5)], .invalidOption, "pct_start"),
        ("one_cycle_lr", ["max_lr": .number(0.1), "total_steps": .integer(9), "anneal_strategy": .string("cosine")], .invalidOption, "anneal_strategy"),
        ("one_cycle_lr", ["max_lr": .number(0.1), "total_steps": .integer(9), "three_phase": .number(1)], .invalidOption, "three_phase"),
        ("reduce_lr_on_plateau", ["factor": .number(1)], .invalidOption, "factor"),
        ("reduce_lr_on_plateau", ["mode": .string("minimum")], .invalidOption, "mode"),
        ("reduce_lr_on_plateau", ["threshold_mode": .string("relative")], .invalidOption, "threshold_mode"),
        ("reduce_lr_on_plateau", ["patience": .number(1.5)], .invalidOption, "patience"),
        ("reduce_lr_on_plateau", ["min_lr": .tensor(Tensor([0.1, 0.2]))], .invalidOption, "min_lr"),
        ("sequential_lr", ["milestones": .tensor(Tensor([]))], .missingOption, "schedulers"),
        ("sequential_lr", ["schedulers": .mappings([])], .invalidOption, "schedulers"),
        ("sequential_lr", ["schedulers": .mappings([["name": .string("step_lr"), "step_size": .integer(3)]])], .missingOption, "milestones"),
        ("sequential_lr", ["schedulers": .mappings([["name": .string("step_lr"), "step_size": .integer(3)]]),
                           "milestones": .tensor(Tensor([5]))], .invalidOption, "milestones"),
        ("sequential_lr", ["schedulers": .mappings([["name": .string("step_lr"), "step_size": .integer(3)], ["name": .string("linear_lr")],
                                                    ["name": .string("linear_lr")]]),
                           "milestones": .tensor(Tensor([5, 2]))], .invalidOption, "milestones"),
        ("sequential_lr", ["schedulers": .mappings([["name": .string("step_lr")], ["name": .string("linear_lr")]]),
                           "milestones": .tensor(Tensor([5]))], .invalidOption, "schedulers"),
        ("chained_scheduler", [:], .missingOption, "schedulers"),
        ("chained_scheduler", ["schedulers": .mappings([["name": .string("reduce_lr_on_plateau")]])], .invalidOption, "schedulers"),
        ("chained_scheduler", ["schedulers": .mappings([["name": .string("cyclic_lr"), "base_lr": .number(0.1), "max_lr": .number(1)]])],
         .invalidOption, "schedulers"),
        ("chained_scheduler", ["schedulers": .mappings([["name": .string("nope")]])], .invalidOption, "schedulers"),
        ("chained_scheduler", ["schedulers": .tensor(Tensor([1]))], .invalidOption, "schedulers"),
    ]

    @Test("scheduler option checks name the option", arguments: invalidSchedulers.indices)
    func schedulerOptions(_ index: Int) {
        let (name, options, code, subject) = Self.invalidSchedulers[index]
        do {
            try SchedulerRegistry.builtins.validate(name, options: options)
            Issue.record("\(name) \(options) was accepted")
        } catch {
            #expect(error.code == code, "\(error)")
            #expect(error.subject == subject, "\(error)")
        }
    }

    @Test("unknown names get suggestions and the list of names")
    func unknownNames() {
        do {
            _ = try OptimizerRegistry.builtins.entry(named: "adan")
            Issue.record("accepted")
        } catch {
            #expect(error.code == .unknownOptimizer)
            #expect(error.subject == "adan")
            #expect(error.message.hasPrefix("unknown optimizer 'adan'"), "\(error)")
            #expect(error.message.contains("did you mean"), "\(error)")
            #expect(error.message.hasSuffix(" (known: sgd, adam, adamw, rmsprop, adagrad, adadelta, adamax, nadam, radam, asgd, rprop, lbfgs, adafactor)"),
                    "\(error)")
        }
        do {
            _ = try SchedulerRegistry.builtins.entry(named: "StepLr")
            Issue.record("accepted")
        } catch {
            #expect(error.code == .unknownScheduler)
            #expect(error.message.hasPrefix("unknown scheduler 'StepLr'"), "\(error)")
            #expect(error.message.contains("'StepLR'"), "\(error)")
            #expect(error.message.hasSuffix(" (known: " + SchedulerRegistry.builtins.names.joined(separator: ", ") + ")"), "\(error)")
            #expect(error.message.contains("chained_scheduler"), "\(error)")
        }
    }

    @Test("a registration claiming a taken name is refused, naming both origins")
    func duplicates() {
        var optimizers = OptimizerRegistry.Builder.builtins
        var schedulers = SchedulerRegistry.Builder.builtins
        let refusals = [
            (Self.error { () throws(EngineError) in try optimizers.register(SGD.self, origin: "test") },
             "optimizer name 'sgd' from test is already registered by built-in (sgd)"),
            (Self.error { () throws(EngineError) in try schedulers.register(StepLR.self, origin: "test") },
             "scheduler name 'step_lr' from test is already registered by built-in (step_lr)"),
        ]
        for (error, message) in refusals {
            #expect(error?.code == .duplicateName)
            #expect(error?.message == message)
        }
        #expect(optimizers.build().names == OptimizerRegistry.builtins.names)
        #expect(schedulers.build().names == SchedulerRegistry.builtins.names)
    }

    /// The error `body` throws, or nil when it returns.
    static func error(_ body: () throws(EngineError) -> Void) -> EngineError? {
        do {
            try body()
            return nil
        } catch {
            return error
        }
    }

    @Test("a registry creates what its entries describe")
    func creates() throws {
        let adam = try OptimizerRegistry.builtins.make("Adam", options: ["lr": .number(0.05)])
        #expect(adam is Adam && adam.learningRate == 0.05)
        let decay = try SchedulerRegistry.builtins.make("exponential_lr", options: ["gamma": .number(0.5)])
        var progress = SchedulerProgress(learningRate: 0.2, base: 0.2)
        decay.start(&progress)
        progress.epoch = 1
        #expect(decay.step(&progress) == nil && progress.learningRate == 0.1)
    }

    /// (spec, code, subject) for jobs that cannot be built.
    static var invalidJobs: [(JobSpec, EngineError.Code, String)] {
        var wrongShape = Jobs.seed()
        wrongShape.target = Tensor([1, 2])
        var twice = Jobs.seed()
        twice.arguments = ["target": Tensor([1, 2, 3])]
        var empty = Jobs.seed()
        empty.initialization = .tensor(Tensor([]))
        var extra = Jobs.seed()
        extra.arguments = ["weight": Tensor([1])]
        var badChunk = Jobs.seed()
        badChunk.chunkSize = 0
        var unknownLoss = Jobs.seed()
        unknownLoss.loss = JobSpec.Component("mse_loss")
        return [
            (wrongShape, .invalidLoss, "target"),
            (twice, .invalidJob, "target"),
            (empty, .invalidJob, "init"),
            (extra, .invalidJob, "weight"),
            (badChunk, .invalidJob, "chunk_size"),
            (unknownLoss, .invalidLoss, "mse_loss"),
            (Jobs.seed("sgd", ["lr": .number(-1)]), .invalidOption, "lr"),
            (Jobs.seed(stopping: StoppingRules(maxSteps: -1)), .invalidJob, "max_steps"),
            (Jobs.seed(stopping: StoppingRules(maxSteps: 5, patience: 0)), .invalidJob, "patience"),
        ]
    }

    @Test("invalid jobs are refused with the input at fault", arguments: 0..<9)
    func invalidJobs(_ index: Int) {
        let (spec, code, subject) = Self.invalidJobs[index]
        do {
            _ = try TrainingJob(spec)
            Issue.record("accepted")
        } catch {
            #expect(error.code == code, "\(error)")
            #expect(error.subject == subject, "\(error)")
        }
    }
}
