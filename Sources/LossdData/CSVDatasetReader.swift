// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit

/// Reads chosen columns of a CSV file with a header line into a ``Dataset``, streaming: the file
/// passes through a ``LineReader`` one chunk at a time and each row's numbers go straight into
/// the feature and target arrays, so memory holds the arrays and one chunk, never the whole text.
///
/// Every error names FILE:LINE (the header is line 1) and the column where one is at fault.
/// Blank lines are skipped (and counted). Cells must be finite numbers as Swift's `Double(_:)`
/// reads them; NaN and infinite values are refused.
struct CSVDatasetReader {
    let path: String
    let features: [String]
    let targets: [String]
    let limits: DataLimits
    /// The file's size, to reserve the arrays once the first rows show the bytes per row.
    let fileSize: Int?

    func read() throws(DataError) -> Dataset {
        let handle = try DataFile.openForReading(path)
        defer { try? handle.close() }
        var reader = LineReader(handle: handle, file: path)
        var line = [UInt8]()
        var fields = CSVFields()

        let header = try readHeader(&reader, &line, &fields)
        let headerBytes = reader.bytesRead
        let layout = try ColumnLayout(header: header, features: features, targets: targets, file: path)

        // The rows.
        let width = layout.featureNames.count + layout.targetNames.count
        var featureValues = [Double](), targetValues = [Double]()
        var rowValues = [Double](repeating: 0, count: width)
        var rows = 0
        var skips: [(row: Int, skipped: Int)] = []
        var skipped = 0
        while try reader.nextLine(into: &line) {
            let lineNumber = reader.lineNumber
            guard !Self.isBlank(line) else {
                skipped += 1
                if skips.last?.row == rows { skips[skips.count - 1].skipped = skipped } else { skips.append((rows, skipped)) }
                continue
            }
            try split(line, &fields, lineNumber: lineNumber, header: header)
            guard fields.ranges.count == header.count else {
                throw DataError(.malformed, file: path, line: lineNumber,
                                "the row has \(fields.ranges.count) field\(fields.ranges.count == 1 ? "" : "s"), the header \(header.count)")
            }
            guard (rows + 1) * width <= limits.maxCells else {
                throw DataError(.tooLarge, file: path, line: lineNumber,
                                "the data exceeds the limit of \(limits.maxCells) values (\(rows + 1) rows x \(width) chosen columns)")
            }
            for (field, slot) in layout.slots where slot >= 0 {
                rowValues[slot] = try number(line, fields, field: field, column: header[field], lineNumber: lineNumber)
            }
            featureValues.append(contentsOf: rowValues[..<layout.featureNames.count])
            targetValues.append(contentsOf: rowValues[layout.featureNames.count...])
            rows += 1
            if rows == 1024, let fileSize {
                // Reserve once for the whole file, estimated from the first rows' bytes.
                let bytesPerRow = max(1, (reader.bytesRead - headerBytes) / rows)
                let estimate = min(fileSize / bytesPerRow + fileSize / bytesPerRow / 16 + 16, limits.maxCells / max(width, 1))
                featureValues.reserveCapacity(estimate * layout.featureNames.count)
                targetValues.reserveCapacity(estimate * layout.targetNames.count)
            }
        }
        guard rows > 0 else {
            throw DataError(.malformed, file: path, line: 1, "the file has a header line but no data rows")
        }
        return Dataset(source: path, rows: rows, featureNames: layout.featureNames, features: featureValues,
                       targetNames: layout.targetNames, targets: targetValues, truth: nil,
                       locator: RowLocator(.csv(file: path, skips: skips)))
    }

    /// The column names of the file's header line (``DatasetLoader/csvColumns(path:)``).
    static func columns(path: String) throws(DataError) -> [String] {
        let handle = try DataFile.openForReading(path)
        defer { try? handle.close() }
        var reader = LineReader(handle: handle, file: path)
        var line = [UInt8]()
        var fields = CSVFields()
        return try CSVDatasetReader(path: path, features: [], targets: [], limits: .default, fileSize: nil)
            .readHeader(&reader, &line, &fields)
    }

    /// The header's names: line 1, present, not blank, no name twice.
    private func readHeader(_ reader: inout LineReader, _ line: inout [UInt8], _ fields: inout CSVFields) throws(DataError) -> [String] {
        let hasHeader = try reader.nextLine(into: &line)
        guard hasHeader, !Self.isBlank(line) else {
            if hasHeader, try hasMoreText(&reader) { throw DataError(.malformed, file: path, line: 1, "the header line is empty") }
            throw DataError(.malformed, file: path, "the file is empty (a header line is needed)")
        }
        try split(line, &fields, lineNumber: 1, header: nil)
        let header = (0..<fields.ranges.count).map { fields.text($0, of: line) }
        var seen = [String: Int]()
        for (index, name) in header.enumerated() {
            if let first = seen[name] {
                throw DataError(.malformed, file: path, line: 1, column: name,
                                "the header names this column twice (fields \(first + 1) and \(index + 1))")
            }
            seen[name] = index
        }
        return header
    }

    /// Whether any non-blank line follows (a file that starts with a blank line is not empty).
    private func hasMoreText(_ reader: inout LineReader) throws(DataError) -> Bool {
        var line = [UInt8]()
        while try reader.nextLine(into: &line) {
            if !Self.isBlank(line) { return true }
        }
        return false
    }

    private func split(_ line: [UInt8], _ fields: inout CSVFields, lineNumber: Int, header: [String]?) throws(DataError) {
        do { try fields.split(line) } catch {
            let field: Int
            let message: String
            switch error {
            case .unterminatedQuote(let index): (field, message) = (index, "a quoted field is not closed on its line")
            case .textAfterQuote(let index): (field, message) = (index, "text follows the closing quote")
            }
            let column = header.flatMap { field < $0.count ? $0[field] : nil }
            throw DataError(.malformed, file: path, line: lineNumber, column: column,
                            column == nil ? "field \(field + 1): \(message)" : message)
        }
    }

    /// The number in a cell, or a located error: empty, not a number, NaN or infinite.
    private func number(_ line: [UInt8], _ fields: CSVFields, field: Int, column: String, lineNumber: Int) throws(DataError) -> Double {
        let range = fields.ranges[field]
        guard !range.isEmpty else {
            throw DataError(.invalidValue, file: path, line: lineNumber, column: column, "the cell is empty")
        }
        guard let value = DecimalText.number(line, range) else {
            let text = String(decoding: line[range], as: UTF8.self)
            throw DataError(.invalidValue, file: path, line: lineNumber, column: column, "not a number: '\(Self.shortened(text))'")
        }
        guard value.isFinite else {
            let text = String(decoding: line[range], as: UTF8.self)
            throw DataError(.invalidValue, file: path, line: lineNumber, column: column,
                            "'\(Self.shortened(text))' is not finite (NaN and infinite values are refused)")
        }
        return value
    }

    /// Whether a line holds nothing but spaces and tabs.
    static func isBlank(_ line: [UInt8]) -> Bool { line.allSatisfy(CSVFields.isBlank) }

    static func shortened(_ text: String) -> String {
        text.count <= 40 ? text : String(text.prefix(40)) + "..."
    }
}

/// Which header fields hold the chosen feature and target columns.
struct ColumnLayout {
    let featureNames: [String]
    let targetNames: [String]
    /// For each header field with a chosen column: (field, slot), the slot being the feature index,
    /// or featureCount + the target index.
    let slots: [(field: Int, slot: Int)]

    init(header: [String], features: [String], targets: [String], file: String) throws(DataError) {
        func field(_ name: String) throws(DataError) -> Int {
            guard let index = header.firstIndex(of: name) else {
                throw DataError(.missingColumn, file: file, line: 1, column: name,
                                "no such column in the header" + Suggestions.didYouMean(name, among: header))
            }
            return index
        }
        for (list, kind) in [(features, "feature"), (targets, "target")] {
            var chosen = Set<String>()
            for name in list where !chosen.insert(name).inserted {
                throw DataError(.malformed, file: file, line: 1, column: name, "chosen twice as a \(kind) column")
            }
        }
        if let both = features.first(where: targets.contains) {
            throw DataError(.malformed, file: file, line: 1, column: both, "chosen both as a feature and as a target")
        }
        let targetFields = try targets.map { (name: String) throws(DataError) -> Int in try field(name) }
        let featureFields = features.isEmpty
            ? header.indices.filter { !targetFields.contains($0) && !header[$0].isEmpty }
            : try features.map { (name: String) throws(DataError) -> Int in try field(name) }
        guard !featureFields.isEmpty else {
            throw DataError(.malformed, file: file, line: 1, "no feature columns: every named column is a target")
        }
        featureNames = featureFields.map { header[$0] }
        targetNames = targets
        slots = (featureFields.enumerated().map { ($1, $0) } + targetFields.enumerated().map { ($1, featureFields.count + $0) })
            .sorted { $0.0 < $1.0 }
    }
}
