// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import LossdData

/// A large CSV streams; the cap refuses a file past it at the first row over, naming the line.
@Suite struct LargeFileTests {
    /// Writes `rows` rows `i,i%7,i%3` (with header `a,b,y`), a megabyte at a time.
    static func writeCSV(rows: Int, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var text = "a,b,y\n"
        for i in 0..<rows {
            text += "\(i),\(i % 7),\(i % 3)\n"
            if text.utf8.count > 1 << 20 {
                try handle.write(contentsOf: Data(text.utf8))
                text = ""
            }
        }
        try handle.write(contentsOf: Data(text.utf8))
    }

    @Test func twoMillionRowsStream() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("big.csv").path
        let rows = 2_000_000
        try Self.writeCSV(rows: rows, to: path)
        let dataset = try DatasetLoader().load(.csv(path: path, features: ["a", "b"], target: ["y"]))
        #expect(dataset.rows == rows && dataset.features.count == 2 * rows && dataset.targets.count == rows)
        #expect(dataset.features[2 * 1_234_567] == 1_234_567 && dataset.features[2 * 1_234_567 + 1] == Double(1_234_567 % 7))
        #expect(dataset.targets.reduce(0, +) == Double((0..<rows).reduce(0) { $0 + $1 % 3 }))
        #expect(dataset.location(ofRow: rows - 1) == "\(path):\(rows + 1)")

        // A cap of 1000 values: 333 rows of 3 columns fit, row 334 (line 335) does not.
        #expect {
            try DatasetLoader(limits: DataLimits(maxCells: 1000)).load(.csv(path: path, features: ["a", "b"], target: ["y"]))
        } throws: { error in
            (error as? DataError)?.description == "\(path):335: the data exceeds the limit of 1000 values (334 rows x 3 chosen columns)"
        }
    }

    @Test func npyPastTheCapIsRefusedFromItsHeader() {
        #expect {
            try DatasetLoader(limits: DataLimits(maxCells: 17))
                .load(.npy(features: Fixtures.path("good/x_f8.npy"), target: Fixtures.path("good/y_i8.npy")))
        } throws: { error in
            (error as? DataError)?.description
                == Fixtures.path("good/x_f8.npy") + ": 6 rows x 3 columns (features and targets) exceed the limit of 17 values"
        }
    }
}
