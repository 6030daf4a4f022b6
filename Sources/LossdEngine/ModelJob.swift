// SPDX-License-Identifier: Apache-2.0

public import LossKit
public import LossdData

/// What makes a job a model job: an `nn.Sequential` trained on a dataset in mini-batches.
///
/// One step is one batch: `opt.zero_grad(); loss(model(x_b), y_b).backward(); opt.step();
/// sched.step()`. An epoch is ceil(N / batchSize) steps (floor with `dropLast`); `epochs` and
/// the job's `max_steps` both bound the run, whichever ends it first.
///
/// Batches are taken in file order, or (``shuffle``) in the order of a permutation that depends
/// on (``seed``, epoch) only: see ``BatchOrder`` for the exact recipe. It does not reproduce
/// torch's `DataLoader` order (torch's generator is not reimplemented).
public struct ModelJob: Sendable {
    /// The layers in order, each a registry name or PyTorch class name with its options.
    public var layers: [JobSpec.Component]
    /// The starting parameters by `state_dict` name (`0.weight`, ...): every parameter exactly
    /// once, with its shape. nil: PyTorch's default init scheme drawn from ``seed``.
    public var initialParameters: [(name: String, tensor: Tensor)]?
    /// The training set.
    public var train: Dataset
    /// The validation set, evaluated after every epoch (the stopping rules then watch its loss).
    public var validation: Dataset?
    /// Rows per batch; nil: the whole training set (full-batch).
    public var batchSize: Int?
    /// Whether each epoch visits the rows in a seeded permutation (else in file order).
    public var shuffle: Bool
    /// Whether a short last batch is dropped (PyTorch's `drop_last`).
    public var dropLast: Bool
    /// The most epochs to run; nil: only `max_steps` (and the other stopping rules) end the job.
    public var epochs: Int?
    /// Seeds the default init and the shuffle.
    public var seed: UInt64

    public init(layers: [JobSpec.Component], initialParameters: [(name: String, tensor: Tensor)]? = nil,
                train: Dataset, validation: Dataset? = nil, batchSize: Int? = nil, shuffle: Bool = true,
                dropLast: Bool = false, epochs: Int? = nil, seed: UInt64 = 0) {
        self.layers = layers
        self.initialParameters = initialParameters
        self.train = train
        self.validation = validation
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.epochs = epochs
        self.seed = seed
    }
}
