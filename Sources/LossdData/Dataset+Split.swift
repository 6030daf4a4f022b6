// SPDX-License-Identifier: Apache-2.0

public import LossKit

extension Dataset {
    /// The rows `rows` (0-based, any order, repeats allowed) as a new dataset with its own arrays.
    /// Rows keep their location in the original file.
    public func subset(_ rows: [Int]) -> Dataset {
        Dataset(source: source, rows: rows.count, featureNames: featureNames,
                features: Self.gather(features, width: featureCount, rows: rows), targetNames: targetNames,
                targets: Self.gather(targets, width: targetWidth, rows: rows), truth: truth,
                locator: locator.subset(rows))
    }

    /// A deterministic split into training and validation rows.
    ///
    /// Rule: p = ``Permutation/fisherYates(count:seed:)`` of the N rows; the validation set is the
    /// rows p[0], ..., p[v-1] with v = round(validationFraction x N) (halves away from zero), the
    /// training set the others; both keep file order. The same data, fraction and seed always give
    /// the same split.
    ///
    /// Refused: a fraction outside (0, 1) and a split that leaves either side empty.
    public func split(validationFraction: Double, seed: UInt64) throws(DataError) -> (train: Dataset, validation: Dataset) {
        guard validationFraction > 0, validationFraction < 1 else {
            throw DataError(.invalidArgument, file: source, "the validation fraction must be in (0, 1), not \(validationFraction)")
        }
        let validationRows = Int((validationFraction * Double(rows)).rounded(.toNearestOrAwayFromZero))
        guard validationRows > 0, validationRows < rows else {
            throw DataError(.invalidArgument, file: source,
                            "a validation fraction of \(validationFraction) of \(rows) rows leaves "
                            + (validationRows == 0 ? "the validation set" : "the training set") + " empty")
        }
        let permutation = Permutation.fisherYates(count: rows, seed: seed)
        let validation = permutation[..<validationRows].sorted()
        let train = permutation[validationRows...].sorted()
        return (subset(train), subset(validation))
    }

    /// rows.count x width values: the given rows of a row-major table, in order.
    static func gather(_ table: [Double], width: Int, rows: [Int]) -> [Double] {
        var gathered = [Double]()
        gathered.reserveCapacity(rows.count * width)
        for row in rows {
            gathered.append(contentsOf: table[row * width ..< (row + 1) * width])
        }
        return gathered
    }
}

/// Reproducible permutations of row indices.
public enum Permutation {
    /// A permutation of 0..<count by Fisher–Yates from ``SplitMix64``(seed):
    ///
    ///     p = [0, 1, ..., count-1]
    ///     for i in count-1 down to 1: j = next() mod (i + 1); swap p[i], p[j]
    ///
    /// (`next()` is the generator's next 64-bit output; the modulo bias, below 2^-40 for fewer than
    /// 2^24 rows, is accepted so that the rule stays this simple.)
    public static func fisherYates(count: Int, seed: UInt64) -> [Int] {
        var generator = SplitMix64(seed: seed)
        return fisherYates(count: count, generator: &generator)
    }

    /// ``fisherYates(count:seed:)`` drawing from `generator`.
    public static func fisherYates(count: Int, generator: inout SplitMix64) -> [Int] {
        var permutation = Array(0..<count)
        var i = count - 1
        while i > 0 {
            let j = Int(generator.next() % UInt64(i + 1))
            permutation.swapAt(i, j)
            i -= 1
        }
        return permutation
    }
}
