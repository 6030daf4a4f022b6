// SPDX-License-Identifier: Apache-2.0

extension Dataset: CustomStringConvertible {
    /// `"iris.csv: 150 rows, 4 features, 1 target"`: the shape, never the values (a dataset may
    /// hold millions of them).
    public var description: String {
        func count(_ value: Int, _ noun: String) -> String { "\(value) \(noun)\(value == 1 ? "" : "s")" }
        return "\(source): \(count(rows, "row")), \(count(featureCount, "feature")), \(count(targetWidth, "target"))"
    }
}
