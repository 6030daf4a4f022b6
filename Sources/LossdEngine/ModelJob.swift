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
/// on (``seed``, epoch) only (``batchOrder(rows:seed:epoch:)``; the recipe is documented in
/// `Kernels/BatchOrder.swift`). It does not reproduce torch's `DataLoader` order (torch's
/// generator is not reimplemented). Resuming needs only the step: the position in the epoch is
/// the step modulo the batches per epoch.
///
/// The loss's input is the model's output (rows, C); its target comes from the data: class
/// indices of shape (rows) for `cross_entropy` with one target column and for losses whose
/// target is an index (`nll`, `multi_margin`), else the k target columns as (rows, k) with k == C.
/// Per epoch an ``EpochRecord``; `tolerance`, `patience` (in epochs) and `min_delta` are judged
/// on the validation loss when there is validation data, else on the epoch's mean training
/// loss; divergence (a batch loss or gradient not finite) is judged every step. A model job that
/// runs out of epochs ends as `max_steps`.
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

    /// The row order of epoch `epoch` (0 for the first) of a shuffled job over `rows` rows: the
    /// permutation ``BatchOrder`` documents, for reproducing a run elsewhere (feed it to PyTorch).
    public static func batchOrder(rows: Int, seed: UInt64, epoch: Int) -> [Int] {
        var order = Array(0..<Swift.max(rows, 0))
        BatchOrder(rows: rows, batchSize: Swift.max(rows, 1), dropLast: false, seed: seed)?.fill(&order, epoch: epoch)
        return order
    }
}
