// SPDX-License-Identifier: Apache-2.0

import Foundation

/// Reads a features `.npy` and a targets `.npy` into a ``Dataset``.
///
/// Features: shape (N, F), or (N) read as (N, 1). Targets: (N) (one column `y`) or (N, k)
/// (`y0`, ..., `y(k-1)`). Element types `<f8`, `<f4`, `<i8`, `<i4`, `|u1`, converted to `Double`
/// (integers beyond 2^53 round). C order only. Both headers are checked, shapes matched and the
/// size checked against ``DataLimits`` before any data is read; the data is read in chunks.
/// NaN and infinite values are refused.
struct NumPyDatasetReader {
    let featuresPath: String
    let targetsPath: String
    let limits: DataLimits

    func read() throws(DataError) -> Dataset {
        let featureFile = try NumPyFile(path: featuresPath)
        let targetFile = targetsPath.isEmpty ? nil : try NumPyFile(path: targetsPath)
        let (rows, featureCount) = try featureFile.table(role: "features")
        var targetWidth = 0
        if let targetFile {
            let (targetRows, width) = try targetFile.table(role: "targets")
            guard rows == targetRows else {
                throw DataError(.malformed, file: targetsPath, "features have \(rows) rows, targets \(targetRows) (\(featuresPath) has shape "
                                + "\(NumPyHeader.describe(featureFile.header.shape)), \(targetsPath) \(NumPyHeader.describe(targetFile.header.shape)))")
            }
            targetWidth = width
        }
        let (cells, overflow) = rows.multipliedReportingOverflow(by: featureCount + targetWidth)
        guard !overflow, cells <= limits.maxCells else {
            throw DataError(.tooLarge, file: featuresPath, "\(rows) rows x \(featureCount + targetWidth) columns (features and targets) "
                            + "exceed the limit of \(limits.maxCells) values")
        }
        let features = try featureFile.values(width: featureCount)
        let targets = try targetFile?.values(width: targetWidth) ?? []
        let targetNames = targetFile.map { $0.header.shape.count == 1 ? ["y"] : (0..<targetWidth).map { "y\($0)" } } ?? []
        return Dataset(source: targetsPath.isEmpty ? featuresPath : "\(featuresPath), \(targetsPath)", rows: rows,
                       featureNames: (0..<featureCount).map { "x\($0)" }, features: features, targetNames: targetNames,
                       targets: targets, truth: nil, locator: RowLocator(.rows(prefix: targetsPath.isEmpty ? featuresPath : targetsPath)))
    }
}

/// One open `.npy` file whose header has been read.
struct NumPyFile {
    let path: String
    let handle: FileHandle
    let header: NumPyHeader

    init(path: String) throws(DataError) {
        self.path = path
        let size = try DataFile.stamp(path).size
        handle = try DataFile.openForReading(path)
        let start = try Self.read(handle, 12, file: path)
        let (preludeSize, dictLength) = try NumPyHeader.prelude(start, file: path)
        var dict = Array(start.dropFirst(preludeSize))
        if dict.count < dictLength { dict += try Self.read(handle, dictLength - dict.count, file: path) }
        guard dict.count >= dictLength else { throw NumPyHeader.truncatedHeader(path) }
        let dataStart = Array(dict[dictLength...])
        dict.removeLast(dict.count - dictLength)
        header = try NumPyHeader(dict: dict, dataOffset: preludeSize + dictLength, file: path)
        let expected = header.dataOffset + header.count * header.elementType.size
        guard size >= expected else {
            throw DataError(.malformed, file: path, "truncated data: shape \(NumPyHeader.describe(header.shape)) of \(header.elementType.rawValue) "
                            + "needs \(header.count * header.elementType.size) bytes of data, the file holds \(size - header.dataOffset)")
        }
        guard size == expected else {
            throw DataError(.malformed, file: path, "\(size - expected) bytes follow the data of shape \(NumPyHeader.describe(header.shape))")
        }
        leftover = dataStart
    }

    /// Data bytes read together with the header.
    private var leftover: [UInt8]

    /// (rows, columns) of a 1-D or 2-D array; an error names the role and the shape otherwise.
    func table(role: String) throws(DataError) -> (rows: Int, columns: Int) {
        let shape = header.shape
        switch shape.count {
        case 1 where shape[0] > 0: return (shape[0], 1)
        case 2 where shape[0] > 0 && shape[1] > 0: return (shape[0], shape[1])
        case 1, 2: throw DataError(.malformed, file: path, "the \(role) array of shape \(NumPyHeader.describe(shape)) is empty")
        default:
            throw DataError(.malformed, file: path, "\(role) must have shape (N, k) or (N), not \(NumPyHeader.describe(shape))")
        }
    }

    /// All elements as Doubles, read in chunks; a NaN or infinity is refused with its row and column.
    func values(width: Int) throws(DataError) -> [Double] {
        let type = header.elementType
        var values = [Double]()
        values.reserveCapacity(header.count)
        var pending = leftover
        let chunkElements = (1 << 20) / type.size
        while values.count < header.count {
            let wanted = min(chunkElements, header.count - values.count) * type.size
            if pending.count < wanted { pending += try Self.read(handle, wanted - pending.count, file: path) }
            guard pending.count >= wanted else {
                throw DataError(.malformed, file: path, "truncated data: the file ended after \(values.count) of \(header.count) elements")
            }
            let first = values.count
            Self.convert(pending[..<wanted], type: type, into: &values)
            pending.removeFirst(wanted)
            if let bad = values[first...].firstIndex(where: { !$0.isFinite }) {
                throw DataError(.invalidValue, file: path,
                                "row \(bad / width), column \(bad % width): \(values[bad]) is not finite (NaN and infinite values are refused)")
            }
        }
        try? handle.close()
        return values
    }

    /// Appends the little-endian elements in `bytes` (a whole number of them) as Doubles.
    static func convert(_ bytes: ArraySlice<UInt8>, type: NumPyHeader.ElementType, into values: inout [Double]) {
        // Raw loads: each offset is below bytes.count - size (the loop bound), so every load is in bounds.
        bytes.withUnsafeBytes { raw in
            let count = raw.count / type.size
            switch type {
            case .float64: for i in 0..<count { values.append(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)))) }
            case .float32: for i in 0..<count { values.append(Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))))) }
            case .int64: for i in 0..<count { values.append(Double(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: Int64.self)))) }
            case .int32: for i in 0..<count { values.append(Double(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)))) }
            case .uint8: for i in 0..<count { values.append(Double(raw[i])) }
            }
        }
    }

    /// Up to `count` bytes (fewer at the end of the file).
    static func read(_ handle: FileHandle, _ count: Int, file: String) throws(DataError) -> [UInt8] {
        var bytes = [UInt8]()
        while bytes.count < count {
            let chunk: Data?
            do { chunk = try handle.read(upToCount: count - bytes.count) } catch {
                throw DataError(.unreadable, file: file, "cannot read: \(error.localizedDescription)")
            }
            guard let chunk, !chunk.isEmpty else { break }
            bytes += chunk
        }
        return bytes
    }
}
