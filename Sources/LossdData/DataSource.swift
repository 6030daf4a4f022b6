// SPDX-License-Identifier: Apache-2.0

/// Where a dataset comes from. Paths are used as given (the caller resolves them, for example
/// against the configuration file's folder) and name the file in errors.
public enum DataSource: Sendable, Hashable {
    /// A CSV file with a header line: the feature columns and target columns by header name.
    /// An empty `features` list takes every named column that is not a target, in header order (an
    /// unnamed column, such as the index pandas writes first, is left out); an
    /// empty `target` list gives a dataset without targets (for predictions).
    case csv(path: String, features: [String], target: [String])
    /// Two NumPy `.npy` files: features of shape (N, F) or (N) and targets of shape (N) or (N, k).
    /// An empty `target` path gives a dataset without targets (for predictions).
    case npy(features: String, target: String)
    /// Data drawn by a seeded generator.
    case synthetic(SyntheticData)

    /// The files the source reads.
    var paths: [String] {
        switch self {
        case .csv(let path, _, _): [path]
        case .npy(let features, let target): target.isEmpty ? [features] : [features, target]
        case .synthetic: []
        }
    }
}
