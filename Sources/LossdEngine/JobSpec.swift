// SPDX-License-Identifier: Apache-2.0

public import LossKit

/// A training job: fit `init` toward the target by gradient descent on a registry loss, or
/// (``model`` set) train a model on a dataset.
///
/// The fitted tensor is the loss's first argument (`input`); `target` binds to its argument named
/// `target` (or `targets`), else to its second argument; `arguments` gives any other fixed input
/// by PyTorch name (and may give `target` itself). Every argument of the loss must be supplied.
public struct JobSpec: Sendable {
    /// A registry component chosen by name with raw options (checked when the job is built).
    public struct Component: Sendable, Hashable {
        public var name: String
        public var options: [String: OptionValue]

        public init(_ name: String, options: [String: OptionValue] = [:]) {
            self.name = name
            self.options = options
        }
    }

    /// The starting values of the fitted tensor.
    public var initialization: Initialization
    /// The target, bound as described above; nil when `arguments` supplies every input.
    public var target: Tensor?
    /// Further fixed loss inputs by PyTorch argument name.
    public var arguments: [String: Tensor]
    /// The loss (registry name or PyTorch class name) and its options.
    public var loss: Component
    /// The optimizer (`sgd`, `adam`, ... or `SGD`, `Adam`, ...) and its options.
    public var optimizer: Component
    /// The learning-rate scheduler, if any.
    public var scheduler: Component?
    /// When the job stops.
    public var stopping: StoppingRules
    /// Elements per chunk of a wide job. Part of the job's definition, never derived from the
    /// worker count, so results do not depend on it; the default suits any machine.
    public var chunkSize: Int
    /// Record (step, loss, lr) every `historyInterval` steps (0: no history), keeping the most
    /// recent `historyCapacity` points.
    public var historyInterval: Int
    public var historyCapacity: Int
    /// A model job's model, data and batching; nil for a free-tensor job. When set,
    /// ``initialization``, ``target`` and ``arguments`` are unused: the loss's input is the
    /// model's output and its target comes from the data.
    public var model: ModelJob?
    /// Metrics measured besides the loss (``Metric``), in this order: per history row of a
    /// free-tensor job, per epoch of a model job, and at the end. They never change the training.
    public var metrics: [Metric] = []
    /// Receives a free-tensor job's history in blocks as it is recorded (``HistoryOutput``); nil
    /// keeps the most recent ``historyCapacity`` points in memory. Model jobs keep theirs.
    public var historyOutput: (any HistoryOutput)?

    /// The default ``chunkSize``: 4096 doubles (32 KiB per buffer, a chunk stays in L1/L2 cache).
    public static let defaultChunkSize = 4096

    public init(initialization: Initialization, target: Tensor?, arguments: [String: Tensor] = [:],
                loss: Component, optimizer: Component, scheduler: Component? = nil,
                stopping: StoppingRules, chunkSize: Int = JobSpec.defaultChunkSize,
                historyInterval: Int = 0, historyCapacity: Int = 1024) {
        self.initialization = initialization
        self.target = target
        self.arguments = arguments
        self.loss = loss
        self.optimizer = optimizer
        self.scheduler = scheduler
        self.stopping = stopping
        self.chunkSize = chunkSize
        self.historyInterval = historyInterval
        self.historyCapacity = historyCapacity
        self.model = nil
    }

    /// A model job: trains `model` with `loss` (its input is the model's output, its target the
    /// data's target columns), `optimizer` and `scheduler`. `stopping.maxSteps` counts batches;
    /// tolerance, patience and min_delta are judged once per epoch (see ``ModelJob``).
    public init(model: ModelJob, loss: Component, optimizer: Component, scheduler: Component? = nil,
                stopping: StoppingRules, historyInterval: Int = 0, historyCapacity: Int = 1024) {
        self.init(initialization: .tensor(Tensor(shape: [0], scalars: [])), target: nil, loss: loss, optimizer: optimizer,
                  scheduler: scheduler, stopping: stopping, historyInterval: historyInterval, historyCapacity: historyCapacity)
        self.model = model
    }
}

/// How the fitted tensor starts.
public enum Initialization: Sendable, Hashable {
    /// Explicit values.
    case tensor(Tensor)
    /// Values drawn from ``SeededGenerator`` (see there for the exact recipe).
    case random(shape: [Int], distribution: RandomDistribution, seed: UInt64)
}

/// A distribution for random initialisation.
public enum RandomDistribution: Sendable, Hashable {
    /// Normal with the given mean and standard deviation (Box-Muller).
    case normal(mean: Double, std: Double)
    /// Uniform in [low, high).
    case uniform(low: Double, high: Double)
}

/// When a job stops. Every rule is checked on step k's loss, before update k (see ``TrainingJob``).
/// In a model job `maxSteps` counts batches, and `tolerance`, `patience` and `minDelta` are
/// judged once per epoch, after its last update, on the epoch's validation loss (else its mean
/// training loss); patience then counts epochs (see ``ModelJob``).
public struct StoppingRules: Sendable, Hashable {
    /// The most steps (updates) to take; the job ends `max_steps` after update `maxSteps`.
    public var maxSteps: Int
    /// Stop as `converged` when a step's loss is <= tolerance; nil: never.
    public var tolerance: Double?
    /// Stop as `converged` (plateau) after `patience` consecutive steps without improvement; nil: never.
    public var patience: Int?
    /// The improvement that counts: loss < best - minDelta.
    public var minDelta: Double

    public init(maxSteps: Int, tolerance: Double? = nil, patience: Int? = nil, minDelta: Double = 0) {
        self.maxSteps = maxSteps
        self.tolerance = tolerance
        self.patience = patience
        self.minDelta = minDelta
    }
}
