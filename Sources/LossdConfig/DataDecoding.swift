// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdData

/// What a job asks of the data loader: one source, whole or one part of a split.
struct DataRequest: Hashable {
    var source: DataSource
    var split: Split?

    struct Split: Hashable {
        var fraction: Double
        var seed: UInt64
    }
}

/// Why data could not be loaded: the loader's error, and whether the split (not the source) is at fault.
struct DataProblem: Error {
    var error: DataError
    var bySplit = false
}

/// A data source as written, with the nodes that errors about it point at.
struct WrittenSource {
    var source: DataSource
    /// The paths as shown in messages (relative to the working directory), by the path given to the loader.
    var display: [String: String]
    /// The mapping node.
    var node: ConfigNode
    var path: KeyPath
    /// Nodes to point at for an error about a column (CSV) or a file (NPY), by its name.
    var columnNodes: [String: (node: ConfigNode, path: KeyPath)]
    /// Nodes to point at for an error about a generator setting, by its YAML key.
    var settingNodes: [String: (node: ConfigNode, path: KeyPath)]

    /// How messages name the source: the display path(s) or the generator.
    var displayName: String {
        switch source {
        case .csv(let path, _, _): display[path] ?? path
        case .npy(let features, let target): "\(display[features] ?? features), \(display[target] ?? target)"
        case .synthetic(let spec): spec.name
        }
    }
}

extension JobDecoder {
    /// Keys of a CSV source, of a pair of `.npy` files, and of `synthetic`.
    static let csvKeys = ["path", "features", "target"]
    static let syntheticKeys = ["synthetic"]
    static let regressionKeys = ["kind", "rows", "features", "noise", "outlier_fraction", "outlier_scale", "coefficients", "intercept", "seed"]
    static let classificationKeys = ["kind", "rows", "features", "classes", "imbalance", "spread", "center_range", "seed"]

    /// A data source: `{path: F.csv, features: [...], target: COLUMN or [...]}`,
    /// `{features: x.npy, target: y.npy}` or `{synthetic: {kind: ..., ...}}`. `seed` seeds a
    /// generator that sets none.
    func dataSource(_ node: ConfigNode, _ path: KeyPath, what: String, seed: UInt64) -> WrittenSource? {
        guard case .mapping = node.content else {
            diagnostics.report(.wrongType, at: node, path: path,
                               "\(what) must be a mapping: {path: FILE.csv, target: COLUMN}, {features: x.npy, target: y.npy} or {synthetic: {kind: regression, ...}}, got \(node.kindDescription)")
            return nil
        }
        guard let map = diagnostics.mapping(node, path, what: what, allowed: JobDecoder.csvKeys + JobDecoder.syntheticKeys) else { return nil }
        if let synthetic = map.entry("synthetic") {
            for entry in map.entries where entry.key != "synthetic" {
                diagnostics.report(.unknownKey, at: entry.keyNode, path: path.key(entry.key),
                                   "'\(entry.key)' does not go with 'synthetic' (generated data has no file or columns to choose)")
                return nil
            }
            return self.synthetic(synthetic.value, path.key("synthetic"), seed: seed, node: node, path: path)
        }
        guard let targetNode = map.value("target") else {
            diagnostics.report(.missingKey, at: node, path: path, "\(what) needs a 'target' (a column, a list of columns, or a .npy file)")
            return nil
        }
        if let pathNode = map.value("path") {
            guard let file = self.path(pathNode, path.key("path"), what: "\(what).path") else { return nil }
            var columnNodes: [String: (node: ConfigNode, path: KeyPath)] = [file.absolute: (pathNode, path.key("path"))]
            var features: [String] = []
            if let featuresNode = map.value("features") {
                guard let names = columns(featuresNode, path.key("features"), what: "features", nodes: &columnNodes) else { return nil }
                guard !names.isEmpty else {
                    diagnostics.report(.invalidValue, at: featuresNode, path: path.key("features"),
                                       "features is empty; list the feature columns, or leave 'features' out to take every column but the target")
                    return nil
                }
                features = names
            }
            guard let target = columns(targetNode, path.key("target"), what: "target", nodes: &columnNodes) else { return nil }
            guard !target.isEmpty else {
                diagnostics.report(.invalidValue, at: targetNode, path: path.key("target"), "target is empty; name the target column")
                return nil
            }
            return WrittenSource(source: .csv(path: file.absolute, features: features, target: target), display: [file.absolute: file.display],
                                 node: node, path: path, columnNodes: columnNodes, settingNodes: [:])
        }
        guard let featuresNode = map.value("features") else {
            diagnostics.report(.missingKey, at: node, path: path,
                               "\(what) needs 'path' (a CSV file) or 'features' and 'target' (.npy files), or 'synthetic'")
            return nil
        }
        guard featuresNode.scalar != nil else {
            diagnostics.report(.wrongType, at: featuresNode, path: path.key("features"),
                               "features without 'path' is a .npy file, got \(featuresNode.kindDescription); a CSV source names its file in 'path'")
            return nil
        }
        guard let features = self.path(featuresNode, path.key("features"), what: "features"),
              let target = self.path(targetNode, path.key("target"), what: "target") else { return nil }
        return WrittenSource(source: .npy(features: features.absolute, target: target.absolute),
                             display: [features.absolute: features.display, target.absolute: target.display], node: node, path: path,
                             columnNodes: [features.absolute: (featuresNode, path.key("features")), target.absolute: (targetNode, path.key("target"))],
                             settingNodes: [:])
    }

    /// A file path, relative to the directory of the file that holds the node: the path the
    /// loader opens (absolute) and the one messages show.
    func path(_ node: ConfigNode, _ path: KeyPath, what: String) -> (absolute: String, display: String)? {
        guard let text = diagnostics.string(node, path, what: what) else { return nil }
        guard !text.isEmpty, !text.utf8.contains(0) else {
            diagnostics.report(.invalidValue, at: node, path: path, "\(what) must be a non-empty path")
            return nil
        }
        let holder = diagnostics.fileName(of: node.location) ?? "."
        let display = text.hasPrefix("/") ? Paths.normalize(text) : Paths.resolve(text, against: Paths.directory(of: holder))
        return (Paths.resolve(display, against: workingDirectory), display)
    }

    /// A column name or a list of them.
    private func columns(_ node: ConfigNode, _ path: KeyPath, what: String,
                         nodes: inout [String: (node: ConfigNode, path: KeyPath)]) -> [String]? {
        if node.scalar != nil {
            guard let name = diagnostics.string(node, path, what: "\(what) column") else { return nil }
            nodes[name] = (node, path)
            return [name]
        }
        guard let items = diagnostics.sequence(node, path, what: "\(what) (a column or a list of columns)") else { return nil }
        var names: [String] = []
        for (index, item) in items.enumerated() {
            guard let name = diagnostics.string(item, path.index(index), what: "\(what) column") else { return nil }
            if nodes[name] != nil || names.contains(name) {
                diagnostics.report(.invalidValue, at: item, path: path.index(index), "column '\(name)' is chosen twice")
                return nil
            }
            nodes[name] = (item, path.index(index))
            names.append(name)
        }
        return names
    }

    // MARK: - Synthetic

    /// `{kind: regression, rows, features, noise, outlier_fraction, outlier_scale, coefficients,
    /// intercept, seed}` or `{kind: classification, rows, features, classes, imbalance, spread,
    /// center_range, seed}`.
    private func synthetic(_ node: ConfigNode, _ path: KeyPath, seed jobSeed: UInt64, node outer: ConfigNode, path outerPath: KeyPath) -> WrittenSource? {
        guard let map = diagnostics.mapping(node, path, what: "synthetic",
                                            allowed: Array(Set(JobDecoder.regressionKeys + JobDecoder.classificationKeys)).sorted()) else { return nil }
        guard let kindNode = map.value("kind") else {
            diagnostics.report(.missingKey, at: node, path: path, "synthetic needs a 'kind': regression or classification")
            return nil
        }
        guard let kind = diagnostics.string(kindNode, path.key("kind"), what: "synthetic kind") else { return nil }
        let keys: [String]
        switch kind {
        case "regression": keys = JobDecoder.regressionKeys
        case "classification": keys = JobDecoder.classificationKeys
        default:
            diagnostics.report(.invalidValue, at: kindNode, path: path.key("kind"),
                               "unknown synthetic kind '\(kind)'" + Suggestions.didYouMean(kind, among: ["regression", "classification"]) + " (regression or classification)")
            return nil
        }
        var valid = true
        var settings: [String: (node: ConfigNode, path: KeyPath)] = [:]
        for entry in map.entries {
            guard keys.contains(entry.key) else {
                diagnostics.report(.unknownKey, at: entry.keyNode, path: path.key(entry.key),
                                   "'\(entry.key)' does not apply to synthetic \(kind) (it takes \(keys.dropFirst().joined(separator: ", ")))")
                valid = false
                continue
            }
            settings[entry.key] = (entry.value, path.key(entry.key))
        }
        func integer(_ key: String, atLeast minimum: Int) -> Int? {
            guard let (node, keyPath) = settings[key] else {
                diagnostics.report(.missingKey, at: map.node, path: path, "synthetic \(kind) needs '\(key)'")
                return nil
            }
            guard let value = diagnostics.integer(node, keyPath, what: key) else { return nil }
            return diagnostics.require(value >= minimum, node, keyPath, "\(key) must be >= \(minimum), got \(value)") ? value : nil
        }
        func number(_ key: String, _ fallback: Double?, within range: ClosedRange<Double>, _ rangeText: String) -> Double?? {
            guard let (node, keyPath) = settings[key] else { return .some(fallback) }
            guard let value = diagnostics.number(node, keyPath, what: key) else { return nil }
            return diagnostics.require(range.contains(value), node, keyPath, "\(key) must be \(rangeText), got \(ScalarValue.format(value))") ? value : nil
        }
        var seed = jobSeed
        if let (node, keyPath) = settings["seed"] {
            guard let value = diagnostics.integer(node, keyPath, what: "seed"),
                  diagnostics.require(value >= 0, node, keyPath, "seed must be >= 0, got \(value)") else { return nil }
            seed = UInt64(value)
        }
        let rows = integer("rows", atLeast: 1)
        let features = integer("features", atLeast: 1)
        let spec: SyntheticData
        if kind == "regression" {
            let noise = number("noise", 0, within: 0...Double.greatestFiniteMagnitude, ">= 0")
            let fraction = number("outlier_fraction", 0, within: 0...1, "in [0, 1]")
            let scale = number("outlier_scale", 10, within: 0...Double.greatestFiniteMagnitude, ">= 0")
            let intercept = number("intercept", nil, within: -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude, "finite")
            var coefficients: [Double]?? = .some(nil)
            if let (node, keyPath) = settings["coefficients"] {
                coefficients = diagnostics.sequence(node, keyPath, what: "coefficients").flatMap { items in
                    let values = items.enumerated().compactMap { diagnostics.number($0.element, keyPath.index($0.offset), what: "a coefficient") }
                    return values.count == items.count ? values : nil
                }
                if let count = coefficients??.count, let features, count != features {
                    diagnostics.report(.invalidValue, at: node, path: keyPath, "coefficients has \(count) values for \(features) features (one per feature)")
                    coefficients = nil
                }
            }
            guard valid, let rows, let features, let noise = noise ?? nil, let fraction = fraction ?? nil, let scale = scale ?? nil,
                  let intercept, let coefficients else { return nil }
            spec = .regression(.init(rows: rows, features: features, noise: noise, outlierFraction: fraction, outlierScale: scale,
                                     coefficients: coefficients, intercept: intercept, seed: seed))
        } else {
            let classes = integer("classes", atLeast: 2)
            let imbalance = number("imbalance", 1, within: 1...Double.greatestFiniteMagnitude, ">= 1")
            let spread = number("spread", 1, within: 0...Double.greatestFiniteMagnitude, ">= 0")
            let range = number("center_range", 5, within: 0...Double.greatestFiniteMagnitude, ">= 0")
            guard valid, let rows, let features, let classes, let imbalance = imbalance ?? nil, let spread = spread ?? nil, let range = range ?? nil else { return nil }
            spec = .classification(.init(rows: rows, features: features, classes: classes, imbalance: imbalance, spread: spread,
                                         centerRange: range, seed: seed))
        }
        return WrittenSource(source: .synthetic(spec), display: [:], node: outer, path: outerPath, columnNodes: [:], settingNodes: settings)
    }
}
