// SPDX-License-Identifier: Apache-2.0

import LossKit

/// A job's `sweep`: keys (possibly dotted, `optimizer.lr`) each with a list of values; the job is
/// repeated for every combination (the cartesian product, the last key varying fastest).
///
/// Generated names: the job's name, then for each key in the order written `.KEY-VALUE`, where KEY
/// is the key's last part (the whole key if two keys share it) and VALUE the value's text with
/// characters outside letters, digits, `.`, `_`, `-` replaced by `_` (a mapping value is named by
/// its `name` or `random` entry). When values of a key would not get distinct names that way, they
/// are numbered from 1 instead: `lr-grid.lr-0.01.loss-l1`, `grid.init-1`.
struct Sweep {
    struct Axis {
        var key: String
        var parts: [String]
        var keyNode: ConfigNode
        var path: KeyPath
        var values: [ConfigNode]
        var labels: [String]
        var display: String
    }

    var axes: [Axis]

    /// Keys whose value is a mapping, into which a dotted sweep key may reach.
    static let mappingKeys: Set<String> = ["loss", "optimizer", "scheduler", "inputs", "model", "data"]
    /// Values per key.
    static let maxValues = 1_000

    init?(_ node: ConfigNode, _ path: KeyPath, diagnostics: Diagnostics, limits: ConfigLimits, remaining: Int) {
        guard let map = diagnostics.mapping(node, path, what: "sweep") else { return nil }
        guard !map.entries.isEmpty else {
            diagnostics.report(.invalidSweep, at: node, path: path, "sweep is empty; give at least one key with a list of values")
            return nil
        }
        let sweepable = JobDecoder.defaultKeys
        var axes: [Axis] = []
        var valid = true
        var combinations = 1
        for entry in map.entries {
            let keyPath = path.key(entry.key)
            let parts = entry.key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard let head = parts.first, !parts.contains(where: \.isEmpty) else {
                diagnostics.report(.invalidSweep, at: entry.keyNode, path: keyPath, "sweep key '\(entry.key)' has an empty part")
                valid = false
                continue
            }
            guard sweepable.contains(head) else {
                let close = Suggestions.closest(to: head, among: sweepable).map { ([$0] + parts.dropFirst()).joined(separator: ".") }
                let hint = close.isEmpty ? "" : ", did you mean " + close.map { "'\($0)'" }.joined(separator: " or ") + "?"
                let extra = head == "name" || head == "sweep" ? " ('\(head)' cannot be swept)" : ""
                diagnostics.report(.invalidSweep, at: entry.keyNode, path: keyPath, "sweep over unknown key '\(entry.key)'\(hint)\(extra)")
                valid = false
                continue
            }
            guard parts.count == 1 || Sweep.mappingKeys.contains(head) else {
                diagnostics.report(.invalidSweep, at: entry.keyNode, path: keyPath,
                                   "cannot sweep '\(entry.key)': '\(head)' is not a mapping; sweep '\(head)' itself")
                valid = false
                continue
            }
            guard case .sequence(let values) = entry.value.content, !values.isEmpty, values.count <= Sweep.maxValues else {
                diagnostics.report(.invalidSweep, at: entry.value, path: keyPath,
                                   "sweep values of '\(entry.key)' must be a list of 1 to \(Sweep.maxValues) values, got \(entry.value.kindDescription)")
                valid = false
                continue
            }
            combinations = combinations.multipliedReportingOverflow(by: values.count).partialValue
            if combinations > remaining || combinations < 0 {
                diagnostics.report(.limit, at: entry.value, path: keyPath,
                                   "sweep expands to more jobs than the limit of \(limits.maxJobs) jobs in all")
                return nil
            }
            axes.append(Axis(key: entry.key, parts: parts, keyNode: entry.keyNode, path: keyPath, values: values,
                             labels: Sweep.labels(values), display: parts.last!))
        }
        guard valid else { return nil }
        for index in axes.indices where axes.filter({ $0.display == axes[index].display }).count > 1 {
            axes[index].display = axes[index].key
        }
        self.axes = axes
    }

    // MARK: - Combinations

    /// Every combination as one value index per axis.
    func combinations() -> [[Int]] {
        var result: [[Int]] = [[]]
        for axis in axes {
            result = result.flatMap { prefix in axis.values.indices.map { prefix + [$0] } }
        }
        return result
    }

    /// The generated job name.
    func name(base: String, _ combination: [Int]) -> String {
        zip(axes, combination).reduce(base) { name, pair in name + "." + pair.0.display + "-" + pair.0.labels[pair.1] }
    }

    /// The chosen values as text, for ``SweepOrigin``.
    func assignments(_ combination: [Int]) -> [SweepOrigin.Assignment] {
        zip(axes, combination).map { axis, index in
            SweepOrigin.Assignment(key: axis.key, value: Sweep.text(axis.values[index]) ?? axis.labels[index])
        }
    }

    /// The job's entries with the combination's values set; whole keys before dotted ones.
    func apply(_ combination: [Int], to entries: [MappingView.Entry], diagnostics: Diagnostics) -> [MappingView.Entry]? {
        var entries = entries
        let order = axes.indices.sorted { axes[$0].parts.count < axes[$1].parts.count }
        for axisIndex in order {
            let axis = axes[axisIndex]
            let value = axis.values[combination[axisIndex]]
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
    private static func text(_ node: ConfigNode) -> String? {
        switch node.content {
        case .scalar(let scalar): return scalar.text
        case .mapping(let pairs):
            return pairs.first { ["name", "random"].contains($0.key.scalar?.text) }?.value.scalar?.text
        case .sequence: return nil
        }
    }

    private static func labels(_ values: [ConfigNode]) -> [String] {
        let texts = values.map { text($0).map(sanitize) }
        let named = texts.compactMap { $0 }
        if named.count == values.count, Set(named).count == named.count, !named.contains("") { return named }
        return values.indices.map { String($0 + 1) }
    }

    private static func sanitize(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(40).map { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "._-".unicodeScalars.contains(scalar)) ? scalar : "_"
        }))
    }
}
