// SPDX-License-Identifier: Apache-2.0

import Testing
import LossKit
import LossdData

@Suite struct SplitTests {
    /// rows x 1 features 0, 1, ..., rows-1 (so a row's feature is its original index).
    static func numbered(_ rows: Int) -> Dataset {
        Dataset(source: "numbered", rows: rows, featureNames: ["i"], features: (0..<rows).map(Double.init),
                targetNames: ["y"], targets: (0..<rows).map { Double($0 % 3) })
    }

    static let cases: [(rows: Int, fraction: Double, seed: UInt64)] = [(10, 0.2, 0), (150, 0.2, 42), (7, 0.5, 9), (569, 0.25, 1)]

    @Test(arguments: cases)
    func validationIsTheFirstRowsOfTheSeedsPermutation(rows: Int, fraction: Double, seed: UInt64) throws {
        let dataset = Self.numbered(rows)
        let (train, validation) = try dataset.split(validationFraction: fraction, seed: seed)
        // The documented rule, written out: Fisher–Yates from SplitMix64(seed), j = next() mod (i+1).
        var generator = SplitMix64(seed: seed)
        var permutation = Array(0..<rows)
        for i in stride(from: rows - 1, to: 0, by: -1) { permutation.swapAt(i, Int(generator.next() % UInt64(i + 1))) }
        let count = Int((fraction * Double(rows)).rounded())
        let validationRows = permutation.prefix(count).sorted()
        #expect(validation.features == validationRows.map(Double.init))
        #expect(train.features == (0..<rows).filter { !validationRows.contains($0) }.map(Double.init))
        #expect(validation.targets == validationRows.map { Double($0 % 3) })
        #expect(train.rows + validation.rows == rows && validation.rows == count)
        let again = try dataset.split(validationFraction: fraction, seed: seed)
        #expect(again.validation.features == validation.features && again.train.features == train.features)
    }

    @Test func anotherSeedSplitsOtherwise() throws {
        let dataset = Self.numbered(100)
        #expect(try dataset.split(validationFraction: 0.3, seed: 1).validation.features
                != dataset.split(validationFraction: 0.3, seed: 2).validation.features)
    }

    static let refused: [(rows: Int, fraction: Double, expected: String)] = [
        (10, 0, "the validation fraction must be in (0, 1), not 0.0"),
        (10, 1, "the validation fraction must be in (0, 1), not 1.0"),
        (10, -0.5, "must be in (0, 1)"),
        (10, .nan, "must be in (0, 1), not nan"),
        (3, 0.1, "a validation fraction of 0.1 of 3 rows leaves the validation set empty"),
        (3, 0.9, "a validation fraction of 0.9 of 3 rows leaves the training set empty"),
    ]

    @Test(arguments: refused)
    func fractionsThatLeaveASideEmptyAreRefused(rows: Int, fraction: Double, expected: String) {
        #expect {
            try Self.numbered(rows).split(validationFraction: fraction, seed: 0)
        } throws: { error in
            guard let description = (error as? DataError)?.description else { return false }
            return description.hasPrefix("numbered: ") && description.contains(expected)
        }
    }

    @Test func splitRowsKeepTheirFileLines() throws {
        let path = Fixtures.path("good/table.csv")
        let dataset = try DatasetLoader().load(.csv(path: path, features: ["a"], target: ["y"]))
        let (train, validation) = try dataset.split(validationFraction: 0.5, seed: 3)
        for part in [train, validation] {
            for row in 0..<part.rows {
                // Row r of the file (feature a = r/2 - 1.25) is on line r + 2.
                let original = Int((part.features[row] + 1.25) * 2)
                #expect(part.location(ofRow: row) == "\(path):\(original + 2)")
            }
        }
    }
}
