// SPDX-License-Identifier: Apache-2.0

/// A table of examples: `rows` rows of `featureCount` features and `targetWidth` targets, both
/// row-major `[Double]`s.
///
/// A dataset is a value. Its arrays are copy-on-write, so copies of a dataset (one per job, say)
/// share one copy of the numbers; a ``DatasetLoader`` hands every job that loads the same file
/// the same arrays. ``subset(_:)`` and ``split(validationFraction:seed:)`` make new arrays.
public struct Dataset: Sendable {
    /// What the data came from, for messages: the CSV path, `"x.npy, y.npy"`, `"synthetic regression"`.
    public let source: String
    /// The number of examples.
    public let rows: Int
    /// One name per feature column (the CSV header's, or `x0`, `x1`, ... for NPY and synthetic data).
    public let featureNames: [String]
    /// rows x featureCount values, row-major.
    public let features: [Double]
    /// One name per target column (the CSV header's, or `y` / `y0`, `y1`, ...).
    public let targetNames: [String]
    /// rows x targetWidth values, row-major.
    public let targets: [Double]
    /// What a synthetic generator drew the data from (`coefficients`, `intercept`, `centers`; see
    /// ``SyntheticData``), so that a study can compare what a model recovered with the truth. nil
    /// for files.
    public let truth: [String: [Double]]?

    /// Where each row came from, for located errors.
    let locator: RowLocator
    /// Keeps the loader's cache entry alive while any copy of this dataset lives (see ``DatasetLoader``).
    let sharing: SharedDatasets?

    /// The number of feature columns.
    public var featureCount: Int { featureNames.count }
    /// The number of target columns (1 for a single target column or class indices).
    public var targetWidth: Int { targetNames.count }

    /// A dataset from arrays in memory (rows are located as `"<source> row <i>"`, 0-based).
    /// `features` must hold rows x featureNames.count values and `targets` rows x targetNames.count.
    public init(source: String, rows: Int, featureNames: [String], features: [Double], targetNames: [String],
                targets: [Double], truth: [String: [Double]]? = nil) {
        self.init(source: source, rows: rows, featureNames: featureNames, features: features, targetNames: targetNames,
                  targets: targets, truth: truth, locator: RowLocator(.rows(prefix: source)))
    }

    init(source: String, rows: Int, featureNames: [String], features: [Double], targetNames: [String], targets: [Double],
         truth: [String: [Double]]?, locator: RowLocator, sharing: SharedDatasets? = nil) {
        precondition(rows >= 0 && features.count == rows * featureNames.count && targets.count == rows * targetNames.count,
                     "dataset arrays do not match rows x columns")
        self.source = source
        self.rows = rows
        self.featureNames = featureNames
        self.features = features
        self.targetNames = targetNames
        self.targets = targets
        self.truth = truth
        self.locator = locator
        self.sharing = sharing
    }

    /// Where row `row` (0-based, of this dataset) came from: `"data/iris.csv:17"` (the header is
    /// line 1), `"y.npy row 16"`, `"synthetic regression row 16"`. Rows of a subset or split name
    /// their place in the original file.
    public func location(ofRow row: Int) -> String {
        locator.location(ofRow: row)
    }

    /// The targets as class indices: one target column whose values are integers in 0..<classCount,
    /// or equal to `ignoring` (a loss's `ignore_index`, whose rows PyTorch skips; kept as is).
    /// The first bad row is reported with its location (`iris.csv:17: column 'species': class 3 is
    /// out of range 0..<3`).
    public func classIndices(classCount: Int, ignoring: Int? = nil) throws(DataError) -> [Int] {
        guard classCount > 0 else {
            throw DataError(.invalidArgument, "the class count must be positive, not \(classCount)")
        }
        guard targetWidth == 1 else {
            throw DataError(.malformed, file: source, "class indices need exactly one target column; there are \(targetWidth)"
                            + (targetNames.isEmpty ? "" : " (\(targetNames.joined(separator: ", ")))"))
        }
        var classes = [Int](repeating: 0, count: rows)
        for row in 0..<rows {
            let value = targets[row]
            if let ignoring, value == Double(ignoring) {
                classes[row] = ignoring
                continue
            }
            guard value == value.rounded(), value >= 0, value < Double(classCount) else {
                let what = value == value.rounded() ? "class \(Self.integral(value)) is out of range 0..<\(classCount)"
                    : "class \(value) is not an integer"
                throw locator.error(.invalidValue, ofRow: row, column: targetNames[0], what)
            }
            classes[row] = Int(value)
        }
        return classes
    }

    private static func integral(_ value: Double) -> String {
        abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }
}
