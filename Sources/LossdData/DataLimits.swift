// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Bounds on what a ``DatasetLoader`` loads, so that a huge file is refused with a clear error
/// instead of exhausting memory.
public struct DataLimits: Sendable, Hashable {
    /// The most values (rows x (feature columns + target columns)) one dataset may hold. The
    /// default is what the machine's physical memory holds as `Double`s: a sanity bound only, as
    /// the configuration's memory limit (the jobs' memory estimate) bounds the data of the jobs.
    /// NPY files are checked against it from their header before any data is read; CSV files
    /// while they stream, at the first row past the limit.
    public var maxCells: Int

    /// A limit below 1 refuses every dataset.
    public init(maxCells: Int = DataLimits.physicalCells) {
        self.maxCells = maxCells
    }

    /// The physical memory in 8-byte values (2^28, 2 GiB, if the system does not say).
    public static let physicalCells: Int = {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, size > 0 else { return 1 << 28 }
        return pages / 8 * size
    }()

    /// The default bound.
    public static let `default` = DataLimits()
}
