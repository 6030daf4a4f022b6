// SPDX-License-Identifier: Apache-2.0

public import LossKit
public import LossdData
public import LossdEngine

/// What makes a job a model job (YAML keys `model`, `data`, `batch_size`, `shuffle`,
/// `drop_last`, `epochs`), checked and loaded: the layers against the layer registry and the
/// data's widths, the data through the loader's ``DatasetLoader``, `model.init` against the
/// model's parameters. ``JobConfiguration/spec(losses:)`` turns it into the engine's ``ModelJob``.
///
/// Two configurations are equal when everything that affects training is: the datasets and the
/// initial parameters compare by content digest (see ``ConfigHash``), not by their arrays.
public struct ModelConfiguration: Sendable, Hashable {
    /// The layers in order: registry name (`linear`, also when the file says `Linear`) and
    /// complete options (absent ones hold PyTorch's default).
    public var layers: [JobSpec.Component]
    /// `model.init`: the file (absolute path) and its tensors by `state_dict` name, in the
    /// model's parameter order; nil: PyTorch's default init drawn from the job's seed.
    public var initialParameters: InitialParameters?
    /// `data.train`.
    public var train: LoadedData
    /// `data.validation`: a file of its own, or `{split: f}` of the training data (then
    /// ``train`` holds the remaining rows); nil: no validation.
    public var validation: LoadedData?
    /// `batch_size`; nil: the whole training set in one batch.
    public var batchSize: Int?
    /// `shuffle` (default true): each epoch visits the rows in a permutation drawn from the seed.
    public var shuffle: Bool
    /// `drop_last` (default false): a short last batch is dropped.
    public var dropLast: Bool
    /// `epochs`; nil: only `max_steps` bounds the run.
    public var epochs: Int?
    /// The number of feature columns, which is the first layer's `in_features`.
    public var inputWidth: Int
    /// The model's output width: the class count with class-index targets, else the target width.
    public var outputWidth: Int
    /// Whether the loss reads class indices (see ``ModelTargets``).
    public var classIndexTargets: Bool

    /// Batches in one epoch: ceil(N / B), or floor(N / B) with ``dropLast`` (N rows of ``train``,
    /// B the batch size, N without one).
    public var batchesPerEpoch: Int {
        let rows = train.dataset.rows
        let size = batchSize ?? rows
        guard size > 0 else { return 0 }
        return dropLast ? rows / size : (rows + size - 1) / size
    }

    /// The engine's model job.
    public func modelJob(seed: UInt64) -> ModelJob {
        ModelJob(layers: layers, initialParameters: initialParameters?.tensors.map { ($0.name, $0.tensor) },
                 train: train.dataset, validation: validation?.dataset, batchSize: batchSize, shuffle: shuffle,
                 dropLast: dropLast, epochs: epochs, seed: seed)
    }
}

/// A dataset as a job uses it, with what it was read from and a digest of its content.
public struct LoadedData: Sendable, Hashable, CustomStringConvertible {
    /// Which part of a file or generator a job trains or validates on.
    public enum Origin: Sendable, Hashable {
        /// The whole source.
        case whole(DataSource)
        /// The training rows of `{split: fraction}` with `seed`.
        case splitTrain(DataSource, fraction: Double, seed: UInt64)
        /// The validation rows of `{split: fraction}` with `seed`.
        case splitValidation(DataSource, fraction: Double, seed: UInt64)
    }

    public var origin: Origin
    /// The source as the user wrote it (paths relative to the working directory), for messages.
    public var display: String
    /// The rows; shared with every job that loaded the same data (see ``DatasetLoader``).
    public let dataset: Dataset
    /// ``DataDigest`` of the rows' column names and values.
    public let digest: UInt64

    public init(origin: Origin, display: String, dataset: Dataset, digest: UInt64) {
        self.origin = origin
        self.display = display
        self.dataset = dataset
        self.digest = digest
    }

    public var description: String { "\(display) (\(dataset.rows) rows)" }

    public static func == (lhs: LoadedData, rhs: LoadedData) -> Bool {
        lhs.origin == rhs.origin && lhs.digest == rhs.digest && lhs.dataset.rows == rhs.dataset.rows
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(origin)
        hasher.combine(digest)
    }
}

/// `model.init`: parameters read from a safetensors file.
public struct InitialParameters: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        /// The `state_dict` name (`0.weight`).
        public var name: String
        public var tensor: Tensor

        public init(name: String, tensor: Tensor) {
            self.name = name
            self.tensor = tensor
        }
    }

    /// The file, absolute.
    public var path: String
    /// One entry per model parameter, in the model's `state_dict` order.
    public var tensors: [Entry]

    public init(path: String, tensors: [Entry]) {
        self.path = path
        self.tensors = tensors
    }
}
