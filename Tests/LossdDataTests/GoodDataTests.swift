// SPDX-License-Identifier: Apache-2.0

import Testing
import LossdData

/// Good files: each is read and compared with the same table read from another file (the CSVs
/// and the typed .npy files are written from one table by Fixtures/make-npy-fixtures.py).
@Suite struct GoodDataTests {
    static let reference: Dataset = {
        // The float64 .npy pair is the reference table.
        try! DatasetLoader().load(.npy(features: Fixtures.path("good/x_f8.npy"), target: Fixtures.path("good/y_i8.npy")))
    }()

    @Test func theReferenceTableIsTheGeneratorsTable() {
        // Written as arange(12).reshape(6, 2) / 4 - 1.25 and classes [0, 1, 2, 1, 0, 2].
        #expect(Self.reference.rows == 6 && Self.reference.featureCount == 2 && Self.reference.targetWidth == 1)
        #expect(Self.reference.features == (0..<12).map { Double($0) / 4 - 1.25 })
        #expect(Self.reference.targets == [0, 1, 2, 1, 0, 2])
        #expect(Self.reference.featureNames == ["x0", "x1"] && Self.reference.targetNames == ["y"])
    }

    static let csvCases: [(file: String, features: [String])] = [
        ("good/table.csv", ["a", "b"]),
        ("good/table.csv", []),  // every column but the target
        ("good/table_styled.csv", ["a, first", "b"]),
        ("good/table_pandas_index.csv", []),  // the unnamed index column is left out
    ]

    @Test(arguments: csvCases)
    func csvReadsAsTheNumPyPair(file: String, features: [String]) throws {
        let dataset = try DatasetLoader().load(.csv(path: Fixtures.path(file), features: features, target: ["y"]))
        #expect(dataset.rows == Self.reference.rows)
        #expect(dataset.features == Self.reference.features)
        #expect(dataset.targets == Self.reference.targets)
        #expect(dataset.featureNames == (features.isEmpty ? ["a", "b"] : features))
        #expect(dataset.targetNames == ["y"])
    }

    @Test func csvColumnsAreTheHeadersNames() throws {
        #expect(try DatasetLoader.csvColumns(path: Fixtures.path("good/table_styled.csv")) == ["name", "y", "b", "a, first"])
        #expect(try DatasetLoader.csvColumns(path: Fixtures.path("good/table_pandas_index.csv")) == ["", "a", "b", "y"])
        #expect(throws: DataError.self) { try DatasetLoader.csvColumns(path: Fixtures.path("broken/duplicate_header.csv")) }
    }

    @Test func csvRowsNameTheirLinesPastBlankLines() throws {
        let path = Fixtures.path("good/table_styled.csv")
        let dataset = try DatasetLoader().load(.csv(path: path, features: ["b"], target: ["y"]))
        // Header on line 1, rows 0-2 on lines 2-4, two blank lines, rows 3-5 on lines 7-9.
        #expect((0..<6).map(dataset.location(ofRow:)) == [2, 3, 4, 7, 8, 9].map { "\(path):\($0)" })
        let subset = dataset.subset([5, 0])
        #expect(subset.location(ofRow: 0) == "\(path):9" && subset.location(ofRow: 1) == "\(path):2")
    }

    @Test func csvWithoutTargetsHasNone() throws {
        let dataset = try DatasetLoader().load(.csv(path: Fixtures.path("good/table.csv"), features: ["b"], target: []))
        #expect(dataset.targetWidth == 0 && dataset.targets.isEmpty && dataset.rows == 6)
        #expect(dataset.description == Fixtures.path("good/table.csv") + ": 6 rows, 1 feature, 0 targets")
        #expect(dataset.features == stride(from: 1, to: 12, by: 2).map { Double($0) / 4 - 1.25 })
    }

    /// Each typed .npy file and the reference table's features mapped as the script wrote them.
    static let npyCases: [(file: String, scale: Double, offset: Double, width: Int)] = [
        ("good/x_f8_v2.npy", 1, 0, 2), ("good/x_f8_v3.npy", 1, 0, 2), ("good/x_f4.npy", 1, 0, 2),
        ("good/x_i8.npy", 4, 0, 2), ("good/x_i4.npy", 4, 0, 2), ("good/x_u1.npy", 4, 5, 2), ("good/x_1d.npy", 1, 0, 1),
    ]

    @Test(arguments: npyCases)
    func npyReadsAsTheReference(file: String, scale: Double, offset: Double, width: Int) throws {
        let dataset = try DatasetLoader().load(.npy(features: Fixtures.path(file), target: Fixtures.path("good/y_i8.npy")))
        let expected = (0..<6).flatMap { row in (0..<width).map { Self.reference.features[row * 2 + $0] * scale + offset } }
        #expect(dataset.featureCount == width)
        #expect(dataset.features == expected)
        #expect(dataset.targets == Self.reference.targets)
    }

    @Test func npyWithoutTargetsHasNone() throws {
        let dataset = try DatasetLoader().load(.npy(features: Fixtures.path("good/x_f8.npy"), target: ""))
        #expect(dataset.targetWidth == 0 && dataset.targets.isEmpty && dataset.features == Self.reference.features)
    }

    @Test func npyTwoDimensionalTargetsKeepTheirColumns() throws {
        let dataset = try DatasetLoader().load(.npy(features: Fixtures.path("good/x_f8.npy"), target: Fixtures.path("good/y_f8_2d.npy")))
        #expect(dataset.targetWidth == 2 && dataset.targetNames == ["y0", "y1"])
        #expect(dataset.targets == Self.reference.targets.flatMap { [$0, -$0] })
        #expect(dataset.location(ofRow: 4) == Fixtures.path("good/y_f8_2d.npy") + " row 4")
    }
}
