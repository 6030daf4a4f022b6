// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdData
import LossdModel

extension PreparedJob {
    /// Checks a model job and builds its kernel: the Sequential, the loss on its output, the
    /// data's targets, the batches, the initial parameters, the optimizer and the rules.
    init(_ spec: JobSpec, model job: ModelJob, registries: TrainingRegistries) throws(EngineError) {
        let model = try Self.model(job.layers, inputWidth: job.train.featureCount, registries: registries)
        guard model.layout.count > 0 else {
            throw EngineError(.invalidJob, subject: "model.layers", "the model has no parameters to train (add a linear layer)")
        }

        // MARK: Loss and data
        let loss = try Self.loss(spec.loss, registries: registries)
        let binding = try ModelLoss(loss, options: spec.loss.options, outputWidth: model.outputWidth, targetNames: job.train.targetNames)
        let training = try ModelPass.check(job.train, model: model, role: "training")
        try binding.checkTargets(of: training, role: "training")
        let validation = try job.validation.map { data throws(EngineError) in
            try ModelPass(model: model, binding: binding, data: data, role: "validation")
        }
        let batchSize = job.batchSize ?? job.train.rows
        guard batchSize >= 1 else {
            throw EngineError(.invalidJob, subject: "batch_size", "batch_size must be >= 1, got \(batchSize)")
        }
        guard let order = BatchOrder(rows: job.train.rows, batchSize: batchSize, dropLast: job.dropLast,
                                     seed: job.shuffle ? job.seed : nil) else {
            throw EngineError(.invalidJob, subject: "batch_size",
                              "drop_last with batch_size \(batchSize) leaves no batch of the \(job.train.rows) training rows")
        }
        var buffers = [try ModelLossBuffers(binding, rows: batchSize, wantGradient: true)]
        if order.lastBatchRows != batchSize {
            buffers.append(try ModelLossBuffers(binding, rows: order.lastBatchRows, wantGradient: true))
        }

        // MARK: Parameters
        let parameters: [Double]
        if let given = job.initialParameters {
            parameters = try Self.parameters(given, model: model)
        } else {
            var generator = SeededGenerator(seed: job.seed)
            parameters = model.defaultParameters { bound in -bound + 2 * bound * generator.nextUnit() }
        }

        // MARK: Optimizer, scheduler, rules
        let (optimizerEntry, optimizer, scheduler, schedulerName) = try PreparedJob.optimization(spec, registries: registries)
        var maxSteps = spec.stopping.maxSteps
        if let epochs = job.epochs {
            guard epochs >= 1 else { throw EngineError(.invalidJob, subject: "epochs", "epochs must be >= 1, got \(epochs)") }
            let (steps, overflow) = epochs.multipliedReportingOverflow(by: order.batchesPerEpoch)
            if !overflow { maxSteps = Swift.min(maxSteps, steps) }
        }
        let history = HistoryLog(interval: spec.historyInterval, capacity: spec.historyCapacity, maxSteps: maxSteps,
                                 constantLearningRate: scheduler == nil ? optimizer.learningRate : nil)
        let control = StepControl(rules: StoppingRules(maxSteps: maxSteps), scheduler: scheduler,
                                  baseLearningRate: optimizer.learningRate, history: history)
        let rules = EpochRules(tolerance: spec.stopping.tolerance, patience: spec.stopping.patience, minDelta: spec.stopping.minDelta)
        let setup = ModelKernelSetup(model: model, binding: binding, order: order, rules: rules, train: training,
                                     validation: validation, buffers: buffers, parameters: parameters, control: control)
        let description = ModelDescription(model: model, batches: order)
        self.init(kernel: optimizerEntry.makeModelKernel(optimizer, setup),
                  identity: JobIdentity(loss: loss.descriptor.name, optimizer: optimizerEntry.descriptor.name, scheduler: schedulerName,
                                        shape: [model.layout.count], chunkSize: spec.chunkSize, model: description),
                  optimizerStateNames: optimizer.stateNames, random: nil, layout: model.layout)
    }

    /// The Sequential of `layers` on `inputWidth` inputs.
    static func model(_ layers: [JobSpec.Component], inputWidth: Int, registries: TrainingRegistries)
        throws(EngineError) -> Sequential {
        guard !layers.isEmpty else {
            throw EngineError(.invalidJob, subject: "model.layers", "a model needs at least one layer")
        }
        var made: [any Layer] = []
        for (index, component) in layers.enumerated() {
            do {
                made.append(try registries.layers.makeLayer(component.name, options: component.options))
            } catch {
                throw EngineError(.invalidJob, subject: "model.layers", "layer \(index) (\(component.name)): \(error)")
            }
        }
        do {
            return try Sequential(layers: made, inputWidth: inputWidth)
        } catch {
            throw EngineError(.invalidJob, subject: "model.layers", "\(error) (the data has \(inputWidth) feature columns)")
        }
    }

    /// The job's loss from the registry.
    static func loss(_ component: JobSpec.Component, registries: TrainingRegistries) throws(EngineError) -> any Loss {
        do {
            return try registries.losses.makeLoss(component.name, options: component.options)
        } catch {
            throw EngineError.loss(error)
        }
    }

    /// The flat parameter vector from named tensors: every parameter exactly once, with its shape.
    static func parameters(_ given: [(name: String, tensor: Tensor)], model: Sequential) throws(EngineError) -> [Double] {
        do {
            return try model.flatParameters(given)
        } catch {
            throw EngineError(.invalidJob, subject: "model.init", error.message)
        }
    }
}

/// What identifies a model job's structure in its checkpoints: the layers with their options and
/// the batches (rows, batch size, order). A checkpoint of another model or other batches is refused.
struct ModelDescription: Sendable, Hashable {
    var model: String
    var batches: String

    init(model: String, batches: String) {
        self.model = model
        self.batches = batches
    }

    /// The model as PyTorch prints it (`Sequential(Linear(in_features=4, out_features=8, bias=True), ReLU(), ...)`:
    /// aliases and options left at their defaults describe the same model) and its batches.
    init(model: Sequential, batches: BatchOrder) {
        self.model = model.description
        self.batches = batches.summary
    }
}
