// SPDX-License-Identifier: Apache-2.0

public import LossKit
public import LossdModel

/// The registries a job is built from. A reload builds new ones; running jobs keep theirs.
public struct TrainingRegistries: Sendable {
    public var losses: LossRegistry
    public var optimizers: OptimizerRegistry
    public var schedulers: SchedulerRegistry
    /// The layers of model jobs.
    public var layers: LayerRegistry

    public init(losses: LossRegistry = .builtins, optimizers: OptimizerRegistry = .builtins,
                schedulers: SchedulerRegistry = .builtins, layers: LayerRegistry = .builtins) {
        self.losses = losses
        self.optimizers = optimizers
        self.schedulers = schedulers
        self.layers = layers
    }

    /// Every built-in loss, optimizer, scheduler and layer.
    public static let builtins = TrainingRegistries()
}

/// A job resolved against the registries: its kernel and what a checkpoint must match.
struct PreparedJob: Sendable {
    let kernel: any JobKernel
    let identity: JobIdentity
    let optimizerStateNames: [String]
    /// The optimizer's scalar state names (``Optimizer/scalarNames``).
    let optimizerScalarNames: [String]
    /// The generator after initialisation (nil for an explicit init and for model jobs).
    var random: SeededGenerator?
    /// A model job's parameter names and shapes; nil for a free-tensor job.
    let layout: ParameterLayout?
    /// Measures the loss and the metrics at given parameters (``metricValues``).
    let measurement: JobMeasurement

    /// Checks the spec and builds its kernel.
    init(_ spec: JobSpec, registries: TrainingRegistries) throws(EngineError) {
        if let model = spec.model {
            self = try PreparedJob(spec, model: model, registries: registries)
        } else {
            self = try PreparedJob(freeTensor: spec, registries: registries)
        }
    }

    init(kernel: any JobKernel, identity: JobIdentity, optimizerStateNames: [String], optimizerScalarNames: [String] = [],
         random: SeededGenerator?, layout: ParameterLayout?, measurement: JobMeasurement) {
        self.kernel = kernel
        self.identity = identity
        self.optimizerStateNames = optimizerStateNames
        self.optimizerScalarNames = optimizerScalarNames
        self.random = random
        self.layout = layout
        self.measurement = measurement
    }

    /// Checks a free-tensor job and builds its kernel.
    private init(freeTensor spec: JobSpec, registries: TrainingRegistries) throws(EngineError) {
        // MARK: Loss and its arguments
        let loss: any Loss
        do {
            loss = try registries.losses.makeLoss(spec.loss.name, options: spec.loss.options)
        } catch {
            throw EngineError.loss(error)
        }
        let descriptor = loss.descriptor
        guard let fitted = descriptor.arguments.first, fitted.isDifferentiable else {
            throw EngineError(.invalidJob, subject: descriptor.name, "\(descriptor.name) has no differentiable first argument to fit")
        }
        var random: SeededGenerator?
        let initial: Tensor
        switch spec.initialization {
        case .tensor(let tensor):
            initial = tensor.floating  // a fitted parameter is float64, whatever its literals
        case .random(let shape, let distribution, let seed):
            guard shape.allSatisfy({ $0 >= 0 }) else {
                throw EngineError(.invalidJob, subject: "init", "init shape \(shape) has a negative dimension")
            }
            switch distribution {
            case .normal(let mean, let std) where !(mean.isFinite && std.isFinite && std >= 0):
                throw EngineError(.invalidJob, subject: "init", "normal init needs a finite mean and std >= 0")
            case .uniform(let low, let high) where !(low.isFinite && high.isFinite && low <= high):
                throw EngineError(.invalidJob, subject: "init", "uniform init needs finite low <= high")
            default: break
            }
            var generator = SeededGenerator(seed: seed)
            initial = Tensor(shape: shape, scalars: generator.values(shape.reduce(1, *), from: distribution))
            random = generator
        }
        guard initial.count > 0 else {
            throw EngineError(.invalidJob, subject: "init", "the fitted tensor is empty: nothing to fit")
        }
        var named = spec.arguments
        let targetName = descriptor.arguments.dropFirst().first { $0.name == "target" || $0.name == "targets" }?.name
            ?? (descriptor.arguments.count > 1 ? descriptor.arguments[1].name : nil)
        if let target = spec.target {
            guard let name = targetName else {
                throw EngineError(.invalidJob, subject: "target", "\(descriptor.name) takes no target")
            }
            guard named[name] == nil else {
                throw EngineError(.invalidJob, subject: name, "the target is given twice (as target and as argument '\(name)')")
            }
            named[name] = target
        }
        for name in named.keys.sorted() where descriptor.argumentIndex(name) == nil || name == fitted.name {
            let reason = name == fitted.name ? "is the fitted tensor; give it as init" : "is not an argument of \(descriptor.name)"
            throw EngineError(.invalidJob, subject: name, "'\(name)' \(reason) (arguments: \(descriptor.arguments.map(\.name).joined(separator: ", ")))")
        }
        var tensors: [Tensor?] = [initial]
        for spec in descriptor.arguments.dropFirst() {
            guard let tensor = named[spec.name] else {
                throw EngineError(.invalidJob, subject: spec.name, "\(descriptor.name) needs the tensor '\(spec.name)': \(spec.summary)")
            }
            if spec.kind == .index {
                do { try Validation.requireIntegral(tensor, spec.name) } catch { throw EngineError.loss(error) }
            }
            tensors.append(tensor)
        }
        let arguments = LossArguments(tensors)
        let outputShape: [Int]
        do {
            outputShape = try loss.validate(arguments)
        } catch {
            throw EngineError.loss(error)
        }
        guard loss.differentiableArguments(arguments).first == true else {
            throw EngineError(.invalidJob, subject: fitted.name, "\(descriptor.name) has no gradient for '\(fitted.name)' here")
        }
        let metrics = try JobMeasurement.evaluator(spec.metrics, loss: descriptor, options: spec.loss.options, fitted: initial,
                                                   targetName: targetName, target: targetName.flatMap { named[$0] })
        var measured = arguments
        measured.tensors[0] = nil  // the parameters of the moment go there
        measurement = JobMeasurement(subject: .freeTensor(loss: loss, arguments: measured, shape: initial.shape,
                                                          outputCount: outputShape.reduce(1, *)),
                                     metrics: metrics)

        // MARK: Optimizer, scheduler, rules
        let (optimizerEntry, optimizer, scheduler, schedulerName) = try PreparedJob.optimization(spec, registries: registries)
        let history = HistoryLog(interval: spec.historyInterval, capacity: spec.historyCapacity, maxSteps: spec.stopping.maxSteps,
                                 constantLearningRate: scheduler == nil ? optimizer.learningRate : nil, metrics: metrics,
                                 output: spec.historyOutput)
        let control = StepControl(rules: spec.stopping, scheduler: scheduler,
                                  baseLearningRate: optimizer.learningRate, history: history,
                                  optimizerScalars: optimizer.initialScalars)
        let setup = KernelSetup(loss: loss, arguments: arguments, outputCount: outputShape.reduce(1, *),
                                chunkSize: spec.chunkSize, control: control)
        kernel = optimizerEntry.makeKernel(optimizer, setup)
        identity = JobIdentity(loss: descriptor.name, optimizer: optimizerEntry.descriptor.name, scheduler: schedulerName,
                               shape: initial.shape, chunkSize: spec.chunkSize)
        optimizerStateNames = optimizer.stateNames
        optimizerScalarNames = optimizer.scalarNames
        self.random = random
        layout = nil
    }

    /// The spec's optimizer (with its registry entry) and scheduler (with its name), after
    /// checking the stopping rules and sizes.
    static func optimization(_ spec: JobSpec, registries: TrainingRegistries)
        throws(EngineError) -> (OptimizerEntry, any TrainingOptimizer, (any LRScheduler)?, String?) {
        let optimizerEntry = try registries.optimizers.entry(named: spec.optimizer.name)
        var optimizer = try optimizerEntry.make(options: spec.optimizer.options)
        var scheduler: (any LRScheduler)?
        var schedulerName: String?
        if let choice = spec.scheduler {
            let entry = try registries.schedulers.entry(named: choice.name)
            scheduler = try entry.make(options: choice.options)
            schedulerName = entry.descriptor.name
            if scheduler!.cyclesMomentum {
                guard let cyclable = optimizer as? any MomentumCyclable else {
                    throw EngineError.option("cycle_momentum", of: entry.descriptor.name,
                                             "\(optimizerEntry.descriptor.name) has neither momentum nor betas: set cycle_momentum: false (PyTorch refuses it too)")
                }
                optimizer = cyclable.cyclingMomentum()
            }
        }
        try PreparedJob.check(spec)
        return (optimizerEntry, optimizer, scheduler, schedulerName)
    }

    private static func check(_ spec: JobSpec) throws(EngineError) {
        let rules = spec.stopping
        guard rules.maxSteps >= 0 else {
            throw EngineError(.invalidJob, subject: "max_steps", "max_steps must be >= 0, got \(rules.maxSteps)")
        }
        if let tolerance = rules.tolerance, tolerance.isNaN {
            throw EngineError(.invalidJob, subject: "tolerance", "tolerance must be a number")
        }
        if let patience = rules.patience, patience < 1 {
            throw EngineError(.invalidJob, subject: "patience", "patience must be >= 1, got \(patience)")
        }
        guard rules.minDelta.isFinite, rules.minDelta >= 0 else {
            throw EngineError(.invalidJob, subject: "min_delta", "min_delta must be finite and >= 0, got \(rules.minDelta)")
        }
        guard spec.chunkSize >= 1 else {
            throw EngineError(.invalidJob, subject: "chunk_size", "chunk size must be >= 1, got \(spec.chunkSize)")
        }
        guard spec.historyInterval >= 0, spec.historyCapacity >= 1 else {
            throw EngineError(.invalidJob, subject: "history", "history interval must be >= 0 and capacity >= 1")
        }
    }

    /// The parameters as a tensor of the init's shape.
    var parameters: Tensor {
        Tensor(shape: identity.shape, scalars: kernel.parameterValues)
    }

    /// A model job's parameters by name, shaped as PyTorch's; nil for a free-tensor job.
    var namedParameters: [(name: String, tensor: Tensor)]? {
        layout?.namedTensors(kernel.parameterValues)
    }

    /// The loss and the configured metrics at the current parameters (see ``JobMeasurement``).
    func metricValues() -> [String: Double] {
        measurement.values(at: kernel.parameterValues)
    }

    /// The configured metrics as last measured by the run, by name: a free-tensor job's latest
    /// history point, a model job's latest epoch; empty without metrics or before the first.
    func latestMetrics() -> [String: Double] {
        guard let metrics = measurement.metrics else { return [:] }
        let values = layout != nil ? kernel.epochs.last?.metrics ?? [] : kernel.control.history.latestMetrics
        guard values.count == metrics.metrics.count else { return [:] }
        return Dictionary(uniqueKeysWithValues: zip(metrics.metrics.map(\.name), values))
    }
}

/// What identifies a job's structure; a checkpoint restores only into a job with the same one.
struct JobIdentity: Sendable, Hashable {
    var loss: String
    var optimizer: String
    var scheduler: String?
    var shape: [Int]
    var chunkSize: Int
    /// A model job's layers and batches; nil for a free-tensor job.
    var model: ModelDescription? = nil
}
