// SPDX-License-Identifier: Apache-2.0

import LossdSync

/// Loads datasets, each file once: N jobs that train on one file share one copy of its arrays.
///
/// The cache is keyed by the ``DataSource`` (paths and chosen columns, or the generator settings)
/// and each file's size and modification time, so an edited file is read again. It holds its
/// datasets weakly: an entry lives while any job (any copy of the ``Dataset``) still uses it, and
/// its memory goes when the last one ends. Two threads asking for the same data at once wait for
/// one read. Errors are not cached.
public final class DatasetLoader: Sendable {
    /// The bounds every load is checked against.
    public let limits: DataLimits

    private struct Key: Hashable, Sendable {
        var source: DataSource
        var stamps: [DataFile.Stamp]
    }

    /// One cache entry; its lock is held while the data is read, so that concurrent loads of the
    /// same key read once.
    private final class Slot: Sendable {
        struct Reference { weak var shared: SharedDataset? }
        let reference = Locked(Reference())
    }

    private let slots = Locked([Key: Slot]())

    public init(limits: DataLimits = .default) {
        self.limits = limits
    }

    /// The dataset of `source`: from the cache when the same data (same files, unchanged, same
    /// columns) is still in use, else read (or generated) and cached.
    public func load(_ source: DataSource) throws(DataError) -> Dataset {
        let stamps = try source.paths.map { (path: String) throws(DataError) -> DataFile.Stamp in try DataFile.stamp(path) }
        let key = Key(source: source, stamps: stamps)
        let slot = slots.withLock { slots in
            if let slot = slots[key] { return slot }
            let slot = Slot()
            slots[key] = slot
            return slot
        }
        return try slot.reference.withLock { (reference: inout Slot.Reference) throws(DataError) -> Dataset in
            if let shared = reference.shared { return shared.dataset() }
            let loaded = try read(source, stamps: stamps)
            let shared = SharedDataset(loaded)
            reference.shared = shared
            return shared.dataset()
        }
    }

    private func read(_ source: DataSource, stamps: [DataFile.Stamp]) throws(DataError) -> Dataset {
        switch source {
        case .csv(let path, let features, let target):
            try CSVDatasetReader(path: path, features: features, targets: target, limits: limits, fileSize: stamps.first?.size).read()
        case .npy(let features, let target):
            try NumPyDatasetReader(featuresPath: features, targetsPath: target, limits: limits).read()
        case .synthetic(let spec):
            try spec.generate(limits: limits)
        }
    }
}

/// The arrays of a loaded dataset, referenced by every copy the loader hands out (so that the
/// loader's weak reference lives exactly as long as some job uses the data). It holds the parts,
/// not a ``Dataset``, since a dataset refers back to it.
final class SharedDataset: Sendable {
    private let source: String
    private let rows: Int
    private let featureNames: [String]
    private let features: [Double]
    private let targetNames: [String]
    private let targets: [Double]
    private let truth: [String: [Double]]?
    private let locator: RowLocator

    init(_ dataset: Dataset) {
        source = dataset.source
        rows = dataset.rows
        featureNames = dataset.featureNames
        features = dataset.features
        targetNames = dataset.targetNames
        targets = dataset.targets
        truth = dataset.truth
        locator = dataset.locator
    }

    /// A dataset over these arrays (no copy) that keeps this object alive.
    func dataset() -> Dataset {
        Dataset(source: source, rows: rows, featureNames: featureNames, features: features, targetNames: targetNames,
                targets: targets, truth: truth, locator: locator, sharing: self)
    }
}
