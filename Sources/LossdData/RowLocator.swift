// SPDX-License-Identifier: Apache-2.0

/// Where the rows of a dataset came from: CSV lines (the header is line 1; blank lines are
/// skipped, so rows after one sit a line further down) or numbered rows of a file or generator.
/// A subset keeps the original row of each of its rows.
struct RowLocator: Sendable {
    enum Origin: Sendable {
        /// Row r is on line `r + 2 + (skipped lines before it)`. `skips` holds, in row order, the
        /// first row after each run of skipped lines and the total skipped lines so far.
        case csv(file: String, skips: [(row: Int, skipped: Int)])
        /// `"<prefix> row <r>"` (0-based).
        case rows(prefix: String)
    }

    var origin: Origin
    /// The original row of each row, or nil when row r is original row r.
    var originalRows: [Int]?

    init(_ origin: Origin, originalRows: [Int]? = nil) {
        self.origin = origin
        self.originalRows = originalRows
    }

    /// The locator of `rows` of this dataset, in that order.
    func subset(_ rows: [Int]) -> RowLocator {
        RowLocator(origin, originalRows: originalRows.map { original in rows.map { original[$0] } } ?? rows)
    }

    func location(ofRow row: Int) -> String {
        switch origin {
        case .csv(let file, _): "\(file):\(line(ofRow: row) ?? 0)"
        case .rows(let prefix): "\(prefix) row \(originalRows?[row] ?? row)"
        }
    }

    /// The CSV line of a row, or nil for other origins.
    func line(ofRow row: Int) -> Int? {
        guard case .csv(_, let skips) = origin else { return nil }
        let original = originalRows?[row] ?? row
        // The last skip entry at or before the row (binary search: skips are in row order).
        var low = 0, high = skips.count
        while low < high {
            let middle = (low + high) / 2
            if skips[middle].row <= original { low = middle + 1 } else { high = middle }
        }
        return original + 2 + (low > 0 ? skips[low - 1].skipped : 0)
    }

    /// An error about a row: `FILE:LINE` for CSV rows, the file and `row r` for others.
    func error(_ code: DataError.Code, ofRow row: Int, column: String?, _ message: String) -> DataError {
        switch origin {
        case .csv(let file, _): DataError(code, file: file, line: line(ofRow: row), column: column, message)
        case .rows(let prefix): DataError(code, file: prefix, column: column, "row \(originalRows?[row] ?? row): \(message)")
        }
    }
}
