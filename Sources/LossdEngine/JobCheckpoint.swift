// SPDX-License-Identifier: Apache-2.0


/// A job's whole state at a step boundary: restoring it into a job built from the same spec and
/// running on ends bit-identical to never having stopped.
///
/// It holds the parameters, the optimizer's per-element state by torch's slot names and its
/// scalar state (NAdam's `mu_product`, ...), the step
/// (also the optimizer's update count and the scheduler's epoch), the learning rate, the last
/// loss and gradient, the best-loss and patience counters, the history ring and the random
/// generator's state. Options and tensors are not stored: they come from the spec, and the
/// names, shape and chunk size recorded here must match it.
///
/// ``encoded()`` writes JSON. Doubles are written in their shortest round-trip form (every
/// finite double, -0.0 included, decodes to the same bits), non-finite ones as `NaN`,
/// `Infinity` and `-Infinity` like every state file (checkpoints written before also used the
/// strings "nan", "inf" and "-inf", which still read); generator words as 16-digit hex strings.
public struct JobCheckpoint: Sendable, Hashable {
    /// One optimizer state slot (`exp_avg`, ...), one value per parameter.
    public struct Slot: Sendable, Hashable {
        public var name: String
        public var values: [Double]
    }

    /// One scalar of the optimizer's state besides the update count (`mu_product`, ...).
    public struct Scalar: Sendable, Hashable {
        public var name: String
        public var value: Double
    }

    /// A model job's state besides its flat parameters: what identifies the model and its
    /// batches (a checkpoint restores only into the same), the finished epochs, the current
    /// epoch's accumulators and the epoch rules' counters. The position in the epoch and its
    /// shuffle follow from ``JobCheckpoint/step``.
    public struct ModelState: Sendable, Hashable {
        /// The model as PyTorch prints it (`Sequential(Linear(in_features=4, ...), ReLU(), ...)`).
        public var model: String
        /// Rows, batch size, batches per epoch and order (the shuffle seed).
        public var batches: String
        public var epochs: [EpochRecord]
        /// The current epoch's sum of batch losses, batches, rows and rows classified right.
        public var epochLossSum: Double
        public var epochBatches: Int
        public var epochRows: Int
        public var epochCorrect: Int
        /// The best epoch loss under the min_delta rule and the epochs since (patience).
        public var bestEpochLoss: Double
        public var badEpochs: Int
    }

    /// The scheduler's values besides the learning rate: how often it stepped (`last_epoch`:
    /// the step, or the epochs for ReduceLROnPlateau on a model job's validation loss), the
    /// momentum (or beta1) it set for the next update (`cycle_momentum`), and its own numbers
    /// by name (``LRScheduler/stateNames``). JSON key `schedulerState`; absent in checkpoints
    /// written before it existed (their schedulers had no state: the epoch is the step).
    public struct SchedulerStateRecord: Sendable, Hashable {
        public var epoch: Int
        public var momentum: Double?
        public var values: [String: Double]

        public init(epoch: Int, momentum: Double?, values: [String: Double]) {
            self.epoch = epoch
            self.momentum = momentum
            self.values = values
        }
    }

    /// The layout version of this type.
    public static let currentVersion = 1

    public var version: Int
    public var loss: String
    public var optimizer: String
    public var scheduler: String?
    public var shape: [Int]
    public var chunkSize: Int
    /// Steps taken (== optimizer updates == scheduler epochs when `status` is `running`).
    public var step: Int
    /// The rate of the next update.
    public var learningRate: Double
    /// The last step's loss and gradient sum of squares.
    public var lastLoss: Double
    public var gradientSquares: Double
    public var bestLoss: Double
    public var badSteps: Int
    /// `running`, or the final status (`converged`, ...) with its detail and code.
    public var status: JobStatus
    public var parameters: [Double]
    public var optimizerState: [Slot]
    public var history: [HistoryPoint]
    public var historyRecorded: Int
    /// xoshiro256** words in hex; nil for an explicit init and for model jobs.
    public var randomState: [String]?
    /// A model job's epochs and identity; nil for free-tensor jobs (whose JSON has no `model` key).
    public var model: ModelState? = nil
    /// The scheduler's state; nil without a scheduler (and in older checkpoints).
    public var schedulerState: SchedulerStateRecord? = nil
    /// The optimizer's scalar state by torch's names, in ``Optimizer/scalarNames`` order (JSON
    /// key `optimizerScalars`, written only when there is some; a checkpoint without it has none).
    public var optimizerScalars: [Scalar] = []
    /// A whole-vector optimizer's memory (LBFGS's history, Adafactor's second moments) as named
    /// vectors; nil for element-wise optimizers (whose JSON has no `optimizerMemory` key).
    public var optimizerMemory: [Slot]? = nil
}

// MARK: - Capture and restore

extension PreparedJob {
    /// The checkpoint of the job as it is now (the caller owns the kernel).
    func checkpoint() -> JobCheckpoint {
        let control = kernel.control
        let status = kernel.status
        let count = identity.shape.reduce(1, *)
        let state = kernel.optimizerState
        let slots = optimizerStateNames.enumerated().map { index, name in
            JobCheckpoint.Slot(name: name, values: Array(state[index * count ..< (index + 1) * count]))
        }
        return JobCheckpoint(
            version: JobCheckpoint.currentVersion, loss: identity.loss, optimizer: identity.optimizer,
            scheduler: identity.scheduler, shape: identity.shape, chunkSize: identity.chunkSize,
            step: control.step, learningRate: control.learningRate, lastLoss: control.loss,
            gradientSquares: control.gradientSquares, bestLoss: control.bestLoss, badSteps: control.badSteps,
            status: status.isFinal ? status : .running,
            parameters: kernel.parameterValues, optimizerState: slots,
            history: control.history.orderedPoints, historyRecorded: control.history.recorded,
            randomState: random?.state.map { String($0, radix: 16).leftPadded(to: 16) },
            model: identity.model.map { description in
                let state = kernel.modelState ?? ModelTrainingState()
                return JobCheckpoint.ModelState(
                    model: description.model, batches: description.batches, epochs: state.records,
                    epochLossSum: state.epochLossSum, epochBatches: state.epochBatches, epochRows: state.epochRows,
                    epochCorrect: state.epochCorrect, bestEpochLoss: state.bestLoss, badEpochs: state.badEpochs)
            },
            schedulerState: control.scheduler.map { scheduler in
                JobCheckpoint.SchedulerStateRecord(
                    epoch: control.schedule.epoch, momentum: control.momentum,
                    values: Dictionary(uniqueKeysWithValues: zip(scheduler.stateNames, control.schedule.state.values)))
            },
            optimizerScalars: zip(optimizerScalarNames, control.optimizerScalars).map { JobCheckpoint.Scalar(name: $0, value: $1) },
            optimizerMemory: kernel.optimizerMemory)
    }

    /// Loads a checkpoint taken from a job built from the same spec.
    mutating func restore(_ checkpoint: JobCheckpoint) throws(EngineError) {
        func mismatch(_ what: String, _ saved: String, _ here: String) -> EngineError {
            EngineError(.invalidCheckpoint, subject: what, "the checkpoint's \(what) is \(saved), the job's is \(here)")
        }
        let saved = JobIdentity(loss: checkpoint.loss, optimizer: checkpoint.optimizer, scheduler: checkpoint.scheduler,
                                shape: checkpoint.shape, chunkSize: checkpoint.chunkSize)
        if saved.loss != identity.loss { throw mismatch("loss", saved.loss, identity.loss) }
        if saved.optimizer != identity.optimizer { throw mismatch("optimizer", saved.optimizer, identity.optimizer) }
        if saved.scheduler != identity.scheduler {
            throw mismatch("scheduler", saved.scheduler ?? "none", identity.scheduler ?? "none")
        }
        if saved.shape != identity.shape { throw mismatch("shape", "\(saved.shape)", "\(identity.shape)") }
        if saved.chunkSize != identity.chunkSize { throw mismatch("chunk size", "\(saved.chunkSize)", "\(identity.chunkSize)") }
        let modelState = try restoredModelState(checkpoint.model)
        let count = identity.shape.reduce(1, *)
        guard checkpoint.parameters.count == count else {
            throw mismatch("parameter count", "\(checkpoint.parameters.count)", "\(count)")
        }
        guard checkpoint.optimizerState.map(\.name) == optimizerStateNames,
              checkpoint.optimizerState.allSatisfy({ $0.values.count == count }) else {
            throw mismatch("optimizer state", checkpoint.optimizerState.map(\.name).description, optimizerStateNames.description)
        }
        guard checkpoint.optimizerScalars.map(\.name) == optimizerScalarNames else {
            throw mismatch("optimizer scalars", checkpoint.optimizerScalars.map(\.name).description, optimizerScalarNames.description)
        }
        guard kernel.acceptsMemory(checkpoint.optimizerMemory) else {
            throw EngineError(.invalidCheckpoint, subject: "optimizer memory",
                              "the checkpoint's optimizer memory (\(checkpoint.optimizerMemory?.map(\.name).description ?? "none")) does not fit the job's \(identity.optimizer)")
        }
        guard checkpoint.step >= 0, checkpoint.badSteps >= 0, checkpoint.historyRecorded >= 0 else {
            throw EngineError(.invalidCheckpoint, subject: "step", "negative counters in the checkpoint")
        }
        let status = checkpoint.status
        guard status == .running || status.isFinal else {
            throw EngineError(.invalidCheckpoint, subject: "status", "a checkpoint cannot be \(status.name)")
        }
        guard kernel.control.history.accepts(checkpoint.history, recorded: checkpoint.historyRecorded) else {
            throw EngineError(.invalidCheckpoint, subject: "history",
                              "the checkpoint's history does not follow the job's history interval and learning rate")
        }
        if let words = checkpoint.randomState {
            let values = words.compactMap { UInt64($0, radix: 16) }
            guard values.count == words.count, let generator = SeededGenerator(state: values) else {
                throw EngineError(.invalidCheckpoint, subject: "random_state", "the generator state is not four hex words")
            }
            random = generator
        }
        let schedule = try restoredSchedule(checkpoint)
        kernel.restore(KernelSnapshot(
            step: checkpoint.step, learningRate: checkpoint.learningRate, loss: checkpoint.lastLoss,
            gradientSquares: checkpoint.gradientSquares, bestLoss: checkpoint.bestLoss, badSteps: checkpoint.badSteps,
            status: status, parameters: checkpoint.parameters,
            optimizerState: checkpoint.optimizerState.flatMap(\.values),
            optimizerScalars: checkpoint.optimizerScalars.map(\.value),
            history: checkpoint.history, historyRecorded: checkpoint.historyRecorded, model: modelState,
            schedule: schedule, optimizerMemory: checkpoint.optimizerMemory))
    }

    /// The scheduler's progress from a checkpoint (its rate is the checkpoint's learning rate);
    /// nil without a scheduler. A checkpoint without `schedulerState` restores the epoch as the
    /// step and the state as the scheduler's start left it.
    private func restoredSchedule(_ checkpoint: JobCheckpoint) throws(EngineError) -> SchedulerProgress? {
        let control = kernel.control
        guard let scheduler = control.scheduler else { return nil }
        var schedule = control.schedule
        schedule.learningRate = checkpoint.learningRate
        guard let saved = checkpoint.schedulerState else {
            schedule.epoch = checkpoint.step
            return schedule
        }
        let names = scheduler.stateNames
        guard saved.epoch >= 0, Set(saved.values.keys) == Set(names), (saved.momentum != nil) == control.cyclesMomentum else {
            throw EngineError(.invalidCheckpoint, subject: "schedulerState",
                              "the checkpoint's scheduler state (\(saved.values.keys.sorted())) does not fit the job's \(names)")
        }
        schedule.epoch = saved.epoch
        schedule.momentum = saved.momentum ?? schedule.momentum
        schedule.state.values = names.map { saved.values[$0]! }
        return schedule
    }

    /// A model checkpoint's state, checked against this job's model and batches.
    private func restoredModelState(_ saved: JobCheckpoint.ModelState?) throws(EngineError) -> ModelTrainingState? {
        switch (identity.model, saved) {
        case (nil, nil):
            return nil
        case (nil, .some):
            throw EngineError(.invalidCheckpoint, subject: "model", "the checkpoint is a model job's; this job fits a tensor")
        case (.some, nil):
            throw EngineError(.invalidCheckpoint, subject: "model", "the checkpoint is a free-tensor job's; this job trains a model")
        case (let here?, let saved?):
            guard saved.model == here.model else {
                throw EngineError(.invalidCheckpoint, subject: "model", "the checkpoint's model is \(saved.model), the job's is \(here.model)")
            }
            guard saved.batches == here.batches else {
                throw EngineError(.invalidCheckpoint, subject: "batches", "the checkpoint's batches are \(saved.batches), the job's are \(here.batches)")
            }
            guard saved.epochBatches >= 0, saved.epochRows >= 0, saved.epochCorrect >= 0, saved.badEpochs >= 0 else {
                throw EngineError(.invalidCheckpoint, subject: "model", "negative epoch counters in the checkpoint")
            }
            return ModelTrainingState(records: saved.epochs, epochLossSum: saved.epochLossSum, epochBatches: saved.epochBatches,
                                      epochRows: saved.epochRows, epochCorrect: saved.epochCorrect,
                                      bestLoss: saved.bestEpochLoss, badEpochs: saved.badEpochs)
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
