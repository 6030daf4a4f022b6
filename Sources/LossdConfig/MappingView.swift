// SPDX-License-Identifier: Apache-2.0

import LossKit

/// A YAML mapping with string keys, checked for duplicate and unknown keys.
struct MappingView: Sendable {
    struct Entry: Sendable {
        var key: String
        var keyNode: ConfigNode
        var value: ConfigNode
    }

    /// The mapping node itself.
    var node: ConfigNode
    /// First occurrences, in file order.
    var entries: [Entry]

    /// The value of `key`, if present.
    func value(_ key: String) -> ConfigNode? {
        entries.first { $0.key == key }?.value
    }

    /// The entry of `key`, if present.
    func entry(_ key: String) -> Entry? {
        entries.first { $0.key == key }
    }

    /// Whether `key` is present.
    func has(_ key: String) -> Bool { entries.contains { $0.key == key } }
}

extension Diagnostics {
    /// Reads `node` as a mapping: reports a non-mapping, non-scalar or null keys, duplicate keys
    /// (libyaml accepts them) and, when `allowed` is given, unknown keys with a suggestion.
    /// `hints` adds advice for particular unknown keys.
    func mapping(_ node: ConfigNode, _ path: KeyPath, what: String, allowed: [String]? = nil, hints: [String: String] = [:]) -> MappingView? {
        guard case .mapping(let pairs) = node.content else {
            report(.wrongType, at: node, path: path, "\(what) must be a mapping (key: value), got \(node.kindDescription)")
            return nil
        }
        if let tag = node.tag {
            report(.wrongType, at: node, path: path, "unsupported YAML tag \(ScalarValue.shortTag(tag)) on \(what)")
        }
        var entries: [MappingView.Entry] = []
        var firstSeen: [String: Location] = [:]
        for pair in pairs {
            guard let scalar = pair.key.scalar else {
                report(.wrongType, at: pair.key, path: path, "a key in \(what) must be a plain name, got \(pair.key.kindDescription)")
                continue
            }
            guard !(scalar.isPlain && ScalarValue.core(scalar.text) == .null) else {
                report(.wrongType, at: pair.key, path: path, "empty or null key in \(what)")
                continue
            }
            let key = scalar.text
            if let first = firstSeen[key] {
                report(.duplicateKey, at: pair.key, path: path.key(key),
                       "duplicate key '\(key)' in \(what) (first at \(first.mark)); libyaml keeps both, lossd refuses")
                continue
            }
            firstSeen[key] = pair.key.location
            if let allowed, !allowed.contains(key) {
                let suggestion = Suggestions.didYouMean(key, among: allowed)
                let advice = suggestion.isEmpty ? hints[key].map { ": '\(key)' is \($0)" } : nil
                report(.unknownKey, at: pair.key, path: path.key(key),
                       "unknown key '\(key)' in \(what)" + (advice ?? suggestion + " (allowed: \(allowed.joined(separator: ", ")))"))
                continue
            }
            entries.append(MappingView.Entry(key: key, keyNode: pair.key, value: pair.value))
        }
        return MappingView(node: node, entries: entries)
    }

    /// Reads `node` as a list.
    func sequence(_ node: ConfigNode, _ path: KeyPath, what: String) -> [ConfigNode]? {
        guard case .sequence(let items) = node.content else {
            report(.wrongType, at: node, path: path, "\(what) must be a list, got \(node.kindDescription)")
            return nil
        }
        if let tag = node.tag {
            report(.wrongType, at: node, path: path, "unsupported YAML tag \(ScalarValue.shortTag(tag)) on \(what)")
        }
        return items
    }
}
