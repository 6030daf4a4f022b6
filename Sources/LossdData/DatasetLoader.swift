// SPDX-License-Identifier: Apache-2.0

import LossdSync

/// Loads datasets, each file once: N jobs that train on one file share one copy of its arrays,
/// and N jobs that split one file alike (``split(_:validationFraction:seed:)``) share both parts.
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
        /// The split's fraction and seed, for ``split(_:validationFraction:seed:)``.
        var split: Split?
    }

    private struct Split: Hashable, Sendable {
        var validationFraction: Double
        var seed: UInt64
    }

    /// One cache entry: a weak reference to the loaded data, and a lock held while it is read, so
    /// that concurrent loads of the same key read once.
    private final class Slot: Sendable {
        struct Reference { weak var shared: SharedDatasets? }
        let reference = Locked(Reference())
        let loading = Locked(())

        var isEmpty: Bool { reference.withLock { $0.shared == nil } }
    }

    /// A slot and the number of calls using it (a slot in use is never dropped).
    private struct Entry {
        let slot: Slot
        var users: Int
    }

    private let entries = Locked([Key: Entry]())

    public init(limits: DataLimits = .default) {
        self.limits = limits
    }

    /// The dataset of `source`: from the cache when the same data (same files, unchanged, same
    /// columns) is still in use, else read (or generated) and cached.
    public func load(_ source: DataSource) throws(DataError) -> Dataset {
        let stamps = try Self.stamps(source)
        return try cached(Key(source: source, stamps: stamps, split: nil)) { () throws(DataError) in
            [try read(source, stamps: stamps)]
        }[0]
    }

    /// ``Dataset/split(validationFraction:seed:)`` of the dataset of `source`, cached as
    /// ``load(_:)`` caches: jobs that split one file with the same fraction and seed share both parts.
    public func split(_ source: DataSource, validationFraction: Double, seed: UInt64) throws(DataError)
        -> (train: Dataset, validation: Dataset) {
        let stamps = try Self.stamps(source)
        let key = Key(source: source, stamps: stamps, split: Split(validationFraction: validationFraction, seed: seed))
        let parts = try cached(key) { () throws(DataError) in
            let (train, validation) = try load(source).split(validationFraction: validationFraction, seed: seed)
            return [train, validation]
        }
        return (parts[0], parts[1])
    }

    /// The column names in the header line of a CSV file (reading that line only), for example to
    /// learn whether a file has a target column; the header's errors are ``load(_:)``'s.
    public static func csvColumns(path: String) throws(DataError) -> [String] {
        try CSVDatasetReader.columns(path: path)
    }

    /// The number of cache entries (for tests).
    var entryCount: Int { entries.withLock { $0.count } }

    private static func stamps(_ source: DataSource) throws(DataError) -> [DataFile.Stamp] {
        try source.paths.map { (path: String) throws(DataError) -> DataFile.Stamp in try DataFile.stamp(path) }
    }

    /// The datasets cached under `key`, or `make()`'s, cached. Entries whose data no job uses any
    /// more are dropped on the way.
    private func cached(_ key: Key, make: () throws(DataError) -> [Dataset]) throws(DataError) -> [Dataset] {
        let slot = entries.withLock { entries in
            entries = entries.filter { $0.key == key || $0.value.users > 0 || !$0.value.slot.isEmpty }
            var entry = entries[key] ?? Entry(slot: Slot(), users: 0)
            entry.users += 1
            entries[key] = entry
            return entry.slot
        }
        defer { entries.withLock { $0[key]?.users -= 1 } }
        return try slot.loading.withLock { (_: inout Void) throws(DataError) -> [Dataset] in
            if let shared = slot.reference.withLock({ $0.shared }) { return shared.datasets() }
            let shared = SharedDatasets(try make())
            slot.reference.withLock { $0.shared = shared }
            return shared.datasets()
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

/// The datasets of one cache entry, referenced by every copy the loader hands out, so that the
/// loader's weak reference lives exactly as long as some job uses the data. It holds the datasets
/// without that reference (a dataset refers back to it).
final class SharedDatasets: Sendable {
    private let parts: [Dataset]

    init(_ parts: [Dataset]) { self.parts = parts }

    /// The datasets over these arrays (no copy), each keeping this object alive.
    func datasets() -> [Dataset] {
        parts.map { Dataset(source: $0.source, rows: $0.rows, featureNames: $0.featureNames, features: $0.features,
                            targetNames: $0.targetNames, targets: $0.targets, truth: $0.truth, locator: $0.locator, sharing: self) }
    }
}
