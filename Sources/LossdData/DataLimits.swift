// SPDX-License-Identifier: Apache-2.0

/// Bounds on what a ``DatasetLoader`` loads, so that a huge file is refused with a clear error
/// instead of exhausting memory.
public struct DataLimits: Sendable, Hashable {
    /// The most values (rows x (feature columns + target columns)) one dataset may hold. The default,
    /// 100,000,000, is 800 MB of `Double`s. NPY files are checked against it from their header before
    /// any data is read; CSV files while they stream, at the first row past the limit.
    public var maxCells: Int

    /// A limit below 1 refuses every dataset.
    public init(maxCells: Int = 100_000_000) {
        self.maxCells = maxCells
    }

    /// 100,000,000 values.
    public static let `default` = DataLimits()
}
