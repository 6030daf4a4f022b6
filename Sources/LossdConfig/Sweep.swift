// SPDX-License-Identifier: Apache-2.0

import LossKit

/// A job's `sweep`: the study it stands for, one job per combination of its dimensions.
///
/// Dimensions, in the order written (the cartesian product, the last varying fastest):
/// - a grid axis: a key (possibly dotted, `optimizer.lr`) with a list of values;
/// - a `zip` group: keys whose lists (of equal length) are varied together, one dimension per
///   group (`zip: [{init: [...], target: [...]}]`);
/// - the sampled keys (`{uniform: [a, b]}`, ... see ``SampledAxis``), together one dimension of
///   `samples: N` points, placed where the first sampled key is written; `seed: S` (a number, not a
///   list) seeds them;
/// - `repeat: N`: N copies, copy r (1...N) with the job's seed plus r - 1.
/// `early_stopping` is read by the study's early-stopping reader; `search` (model-based search) is
/// refused with the reason.
///
/// Generated names: the job's name, then for each dimension in order: a grid axis `.KEY-VALUE`,
/// where KEY is the key's last part (the whole key if two keys share it) and VALUE the value's
/// text with characters outside letters, digits, `.`, `_`, `-` replaced by `_` (a mapping value
/// is named by its `name` or `random` entry); when values of a key would not get distinct names
/// that way, they are numbered from 1 instead: `lr-grid.lr-0.01.loss-l1`, `grid.init-1`. A zip
/// group: `.KEY-VALUE` for each of its keys whose values get distinct names, or `.KEY-I` of its
/// first key when none does. The sampled points: `.sample-I`; the copies: `.repeat-I`.
struct Sweep {
    struct Axis {
        var key: String
        var parts: [String]
        var keyNode: ConfigNode
        var path: KeyPath
        var values: [ConfigNode]
        var labels: [String]
        var display: String
        /// Whether ``labels`` are the values' own names (not numbers).
        var named: Bool
    }

    struct Dimension {
        enum Kind { case grid, zip, sampled, repeats }
        var kind: Kind
        /// Indices into ``Sweep/axes`` (none for `repeat`); each has ``count`` values.
        var axes: [Int]
        var count: Int
    }

    var axes: [Axis]
    var dimensions: [Dimension]
    /// The `repeat` value's node (the seeds of the copies are located there).
    var repeatNode: ConfigNode?
    /// The `early_stopping` entry as written, for the study's early-stopping reader.
    var earlyStopping: MappingView.Entry?

    /// Keys whose value is a mapping, into which a dotted sweep key may reach.
    static let mappingKeys: Set<String> = ["loss", "optimizer", "scheduler", "inputs", "model", "data"]
    /// Keys of a sweep that are not swept job keys.
    static let studyKeys = ["zip", "repeat", "samples", "seed", "search", "early_stopping"]
    /// Values per key, copies, samples.
    static let maxValues = 1_000

    /// Reads `sweep`. `jobSeed` is the job's `seed` (its own or from defaults), which seeds the
    /// sampled keys when the sweep has no `seed`.
    init?(_ node: ConfigNode, _ path: KeyPath, diagnostics: Diagnostics, limits: ConfigLimits, remaining: Int, jobSeed: ConfigNode? = nil) {
        guard let map = diagnostics.mapping(node, path, what: "sweep") else { return nil }
        var reader = Reader(diagnostics: diagnostics, path: path)
        for entry in map.entries { reader.read(entry) }
        guard reader.valid else { return nil }
        guard !reader.dimensions.isEmpty || !reader.sampled.isEmpty else {
            diagnostics.report(.invalidSweep, at: node, path: path,
                               "sweep is empty; give at least one key with a list of values (or zip, repeat, or a sampled key with samples)")
            return nil
        }
        let sampled = reader.placeSamples(node: node, jobSeed: jobSeed)
        guard reader.valid else { return nil }
        var axes = reader.axes
        var dimensions = reader.dimensions
        if let sampled {
            let first = axes.count
            axes += sampled.axes
            dimensions.insert(Dimension(kind: .sampled, axes: Array(first..<axes.count), count: sampled.count), at: sampled.position)
        }
        var combinations = 1
        for dimension in dimensions {
            let (product, overflow) = combinations.multipliedReportingOverflow(by: dimension.count)
            combinations = product
            if overflow || combinations > remaining {
                diagnostics.report(.limit, at: node, path: path, "sweep expands to more jobs than the limit of \(limits.maxJobs) jobs in all")
                return nil
            }
        }
        for index in axes.indices where axes.filter({ $0.display == axes[index].display }).count > 1 {
            axes[index].display = axes[index].key
        }
        self.axes = axes
        self.dimensions = dimensions
        repeatNode = reader.repeatNode
        earlyStopping = reader.earlyStopping
    }

    /// The number of jobs the sweep generates.
    var jobCount: Int { dimensions.reduce(1) { $0 * $1.count } }

    // MARK: - Combinations

    /// Every combination as one index per dimension.
    func combinations() -> [[Int]] {
        var result: [[Int]] = [[]]
        for dimension in dimensions {
            result = result.flatMap { prefix in (0..<dimension.count).map { prefix + [$0] } }
        }
        return result
    }

    /// The generated job name.
    func name(base: String, _ combination: [Int]) -> String {
        var name = base
        for (dimension, index) in zip(dimensions, combination) {
            switch dimension.kind {
            case .grid, .zip:
                let shown = dimension.axes.filter { axes[$0].named || dimension.kind == .grid }
                for axis in shown.isEmpty ? [dimension.axes[0]] : shown {
                    name += "." + axes[axis].display + "-" + axes[axis].labels[index]
                }
            case .sampled: name += ".sample-\(index + 1)"
            case .repeats: name += ".repeat-\(index + 1)"
            }
        }
        return name
    }

    /// The chosen values as text, for ``SweepOrigin``: every swept key in the order of the
    /// dimensions, then `repeat` with the copy's number (1...N).
    func assignments(_ combination: [Int]) -> [SweepOrigin.Assignment] {
        var assignments: [SweepOrigin.Assignment] = []
        for (dimension, index) in zip(dimensions, combination) {
            for axis in dimension.axes.map({ axes[$0] }) {
                assignments.append(SweepOrigin.Assignment(key: axis.key, value: Sweep.text(axis.values[index]) ?? axis.labels[index]))
            }
            if dimension.kind == .repeats { assignments.append(SweepOrigin.Assignment(key: "repeat", value: String(index + 1))) }
        }
        return assignments
    }

    /// The copy (0-based) a combination is, if the sweep has `repeat`.
    func repetition(_ combination: [Int]) -> Int? {
        zip(dimensions, combination).first { $0.0.kind == .repeats }?.1
    }

    /// The job's entries with the combination's values set; whole keys before dotted ones.
    /// A copy (`repeat`) then gets the job's seed (0 when unset) plus its number - 1; a seed
    /// that is not an integer is left for the job's checks to report.
    func apply(_ combination: [Int], to entries: [MappingView.Entry], diagnostics: Diagnostics) -> [MappingView.Entry]? {
        var entries = entries
        var valueIndex = Array(repeating: 0, count: axes.count)
        for (dimension, index) in zip(dimensions, combination) {
            for axis in dimension.axes { valueIndex[axis] = index }
        }
        let order = axes.indices.sorted { axes[$0].parts.count < axes[$1].parts.count }
        for axisIndex in order {
            let axis = axes[axisIndex]
            let value = axis.values[valueIndex[axisIndex]]
            let head = axis.parts[0]
            let position = entries.firstIndex { $0.key == head }
            let current = position.map { entries[$0].value }
            guard let updated = Sweep.set(Array(axis.parts.dropFirst()), to: value, in: current, axis: axis, diagnostics: diagnostics) else { return nil }
            if let position {
                entries[position].value = updated
            } else {
                entries.append(MappingView.Entry(key: head, keyNode: Sweep.keyNode(head, at: axis.keyNode), value: updated))
            }
        }
        if let copy = repetition(combination), let repeatNode = repeatNode {
            let position = entries.firstIndex { $0.key == "seed" }
            var base: UInt64 = 0
            if let position, let scalar = entries[position].value.scalar {
                switch ScalarValue(resolving: scalar, tag: entries[position].value.tag) {
                case .integer(let seed) where seed >= 0: base = UInt64(seed)
                case .null: break
                default: return entries
                }
            }
            let seed = ConfigNode(.scalar(ConfigNode.Scalar(text: String(base &+ UInt64(copy)), isPlain: true)), at: repeatNode.location)
            if let position {
                entries[position].value = seed
            } else {
                entries.append(MappingView.Entry(key: "seed", keyNode: Sweep.keyNode("seed", at: repeatNode), value: seed))
            }
        }
        return entries
    }

    /// `node` with the value at `parts` replaced by `value` (`node` itself when `parts` is empty).
    private static func set(_ parts: [String], to value: ConfigNode, in node: ConfigNode?, axis: Axis, diagnostics: Diagnostics) -> ConfigNode? {
        guard let part = parts.first else { return value }
        var pairs: [ConfigNode.Pair] = []
        var location = axis.keyNode.location
        if let node {
            location = node.location
            switch node.content {
            case .mapping(let existing):
                pairs = existing
            case .scalar(let scalar) where ScalarValue(resolving: scalar, tag: node.tag) == .null:
                break
            case .scalar:
                // The short form `optimizer: adam` is `{name: adam}`.
                pairs = [ConfigNode.Pair(key: keyNode("name", at: node), value: node)]
            case .sequence:
                diagnostics.report(.invalidSweep, at: axis.keyNode, path: axis.path,
                                   "cannot sweep '\(axis.key)': the job's '\(axis.parts[0])' is a list, not a mapping")
                return nil
            }
        }
        let rest = Array(parts.dropFirst())
        if let index = pairs.firstIndex(where: { $0.key.scalar?.text == part }) {
            guard let updated = set(rest, to: value, in: pairs[index].value, axis: axis, diagnostics: diagnostics) else { return nil }
            pairs[index].value = updated
        } else {
            guard let created = set(rest, to: value, in: nil, axis: axis, diagnostics: diagnostics) else { return nil }
            pairs.append(ConfigNode.Pair(key: keyNode(part, at: axis.keyNode), value: created))
        }
        return ConfigNode(.mapping(pairs), at: location)
    }

    /// A key node written by the sweep, positioned at the sweep key.
    private static func keyNode(_ key: String, at node: ConfigNode) -> ConfigNode {
        ConfigNode(.scalar(ConfigNode.Scalar(text: key, isPlain: true)), at: node.location)
    }

    // MARK: - Names

    /// A scalar's text, or a mapping's `name` / `random` entry.
    static func text(_ node: ConfigNode) -> String? {
        switch node.content {
        case .scalar(let scalar): return scalar.text
        case .mapping(let pairs):
            return pairs.first { ["name", "random"].contains($0.key.scalar?.text) }?.value.scalar?.text
        case .sequence: return nil
        }
    }

    /// The values' names, or their numbers from 1 when the names would not be distinct.
    static func labels(_ values: [ConfigNode]) -> (labels: [String], named: Bool) {
        let texts = values.map { text($0).map(sanitize) }
        let named = texts.compactMap { $0 }
        if named.count == values.count, Set(named).count == named.count, !named.contains("") { return (named, true) }
        return (values.indices.map { String($0 + 1) }, false)
    }

    private static func sanitize(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(40).map { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "._-".unicodeScalars.contains(scalar)) ? scalar : "_"
        }))
    }
}
