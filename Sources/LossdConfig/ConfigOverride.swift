// SPDX-License-Identifier: Apache-2.0

import LossKit

/// Command-line overrides (`lossd run CONFIG KEY=VALUE ...`, `lossd check`), applied to the main
/// file's YAML tree before anything is read from it, so every check applies to the result.
///
/// - `KEY=VALUE` replaces a key that is set: `daemon.workers=1`, `jobs.seed-mse.optimizer.lr=0.1`.
///   `jobs.NAME` is the job written with that `name` (the longest name that fits, as names may
///   hold dots); a job key set only in `defaults` counts as set (the override then applies to
///   that job alone); a short form (`optimizer: adam`) counts as `{name: adam}`; a list item is
///   its index (`jobs.mlp.model.layers.1.out_features=64`). Inside `sweep`, a dotted key is one
///   key (`jobs.grid.sweep.optimizer.lr=[0.1,1]`).
/// - `+KEY=VALUE` adds a key that is not set (creating mappings on the way); it is an error
///   when the key is set, as `KEY=VALUE` is when it is not.
/// - VALUE is YAML: a scalar resolved as in the file (`0.1`, `true`, `"0.1"` a string), or flow
///   (`[1, 2, 3]`, `{name: adam, lr: 0.01}`); an empty VALUE is null.
///
/// Overrides apply in order (a later one sees the earlier ones). Override N is a file of its own
/// for messages, named `override N 'TEXT'`: a problem in its key is located at the key's part,
/// and one in its value (found by the usual checks) at the value.
struct ConfigOverride {
    /// One part of the key and its column in the override's text.
    struct Part {
        var text: String
        var column: Int
    }

    let text: String
    let file: Int32
    let diagnostics: Diagnostics
    let limits: ConfigLimits
    private(set) var adds = false
    private(set) var parts: [Part] = []
    private var valueColumn = 1

    /// The name override `number` (1-based) has in messages.
    static func displayName(_ number: Int, _ text: String) -> String {
        "override \(number) '\(text)'"
    }

    /// Registers the override's text with `diagnostics`; ``apply(to:)`` does the rest.
    init(_ text: String, number: Int, diagnostics: Diagnostics, limits: ConfigLimits) {
        self.text = text
        self.diagnostics = diagnostics
        self.limits = limits
        file = diagnostics.add(file: Self.displayName(number, text), text: SourceText(Array(text.utf8)))
    }

    /// `root` with the override applied, or nil (reported).
    mutating func apply(to root: ConfigNode) -> ConfigNode? {
        guard parseKey(), let value = parseValue() else { return nil }
        let defaults = root.mappingValue("defaults")
        return set(parts[...], in: root, to: value, path: .root, context: .root, defaults: defaults)
    }

    // MARK: - Text

    private mutating func parseKey() -> Bool {
        var body = Substring(text)
        var column = 1
        if body.hasPrefix("+") {
            adds = true
            body = body.dropFirst()
            column += 1
        }
        guard let equals = body.firstIndex(of: "="), equals != body.startIndex else {
            report(1, "an override is KEY=VALUE, or +KEY=VALUE to add a key (e.g. jobs.NAME.optimizer.lr=0.1)")
            return false
        }
        for piece in body[..<equals].split(separator: ".", omittingEmptySubsequences: false) {
            guard !piece.isEmpty, !piece.contains(where: \.isWhitespace) else {
                report(column, "the key '\(body[..<equals])' has an empty part or a space; parts are separated by single dots")
                return false
            }
            parts.append(Part(text: String(piece), column: column))
            column += piece.utf8.count + 1
        }
        valueColumn = column
        return true
    }

    /// The value as YAML, located in the override's text (it is parsed with the key's width of
    /// spaces before it, so that libyaml's positions are the text's).
    private func parseValue() -> ConfigNode? {
        let value = Array(text.utf8.dropFirst(valueColumn - 1))
        let padded = Array(repeating: UInt8(ascii: " "), count: valueColumn - 1) + value
        let node: ConfigNode?
        do throws(YAMLLoadError) {
            node = try YAMLParser(bytes: padded, file: file, limits: limits).loadSingleDocument()
        } catch {
            // libyaml puts an error at the end of the text on the next line: keep it on the text's line.
            let at = error.location.line == 1 ? error.location : location(text.utf8.count + 1)
            diagnostics.report(error.code, at: at, path: .root, "the value is not valid YAML: " + error.message)
            return nil
        }
        return node ?? ConfigNode(.scalar(ConfigNode.Scalar(text: "", isPlain: true)), at: location(valueColumn))
    }

    // MARK: - Tree

    /// Where the walk is: which rules apply to the next part.
    enum Context { case root, jobs, job, sweep, inside }

    private func set(_ parts: ArraySlice<Part>, in node: ConfigNode, to value: ConfigNode, path: KeyPath, context: Context,
                     defaults: ConfigNode?) -> ConfigNode? {
        guard let part = parts.first else { return value }
        switch node.content {
        case .sequence(let items) where context == .jobs:
            return setJob(parts, items: items, in: node, to: value, path: path, defaults: defaults)
        case .sequence(var items):
            guard let index = Int(part.text), items.indices.contains(index) else {
                report(part.column, "\(described(part)) is a list of \(items.count); '\(part.text)' is not one of its indices (0 to \(items.count - 1))")
                return nil
            }
            guard let updated = set(parts.dropFirst(), in: items[index], to: value, path: path.index(index), context: .inside, defaults: nil) else { return nil }
            items[index] = updated
            return relocated(ConfigNode(.sequence(items), at: node.location, tag: node.tag), context: context, part: part)
        case .scalar(let scalar):
            if ScalarValue(resolving: scalar, tag: node.tag) == .null {
                return set(parts, in: ConfigNode(.mapping([]), at: node.location), to: value, path: path, context: context, defaults: defaults)
            }
            if let last = path.lastKey, ["loss", "optimizer", "scheduler"].contains(last), context == .inside {
                // The short form `optimizer: adam` is `{name: adam}`.
                let expanded = ConfigNode(.mapping([ConfigNode.Pair(key: key("name", at: node.location), value: node)]), at: node.location)
                return set(parts, in: expanded, to: value, path: path, context: context, defaults: defaults)
            }
            report(part.column, "\(described(part)) is \(node.kindDescription), not a mapping: it has no key '\(part.text)'")
            return nil
        case .mapping(var pairs):
            let keys = pairs.map { $0.key.scalar?.text }
            var length = parts.count
            while length > 0, !keys.contains(parts.prefix(length).map(\.text).joined(separator: ".")) { length -= 1 }
            var existing = length > 0 ? keys.firstIndex(of: parts.prefix(length).map(\.text).joined(separator: ".")) : nil
            if existing == nil, context == .job, let defaults, case .mapping(let defaultPairs) = defaults.content,
               let inherited = defaultPairs.first(where: { $0.key.scalar?.text == part.text }) {
                // A key the job takes from defaults: the override sets it for this job alone.
                pairs.append(ConfigNode.Pair(key: key(part.text, at: location(part.column)), value: inherited.value))
                existing = pairs.count - 1
                length = 1
            }
            if let existing {
                let name = parts.prefix(length).map(\.text).joined(separator: ".")
                let rest = parts.dropFirst(length)
                if rest.isEmpty, adds {
                    report(part.column, "'\(keyText)' is already set\(currentText(pairs[existing].value)); drop the '+' to override it")
                    return nil
                }
                let next: Context = switch context {
                case .root: name == "jobs" ? .jobs : .inside
                case .job: name == "sweep" ? .sweep : .inside
                case .jobs, .sweep, .inside: .inside
                }
                guard let updated = set(rest, in: pairs[existing].value, to: value, path: path.key(name), context: next, defaults: defaults) else { return nil }
                pairs[existing].value = updated
            } else {
                guard adds else {
                    let names = keys.compactMap { $0 }
                    let hint = Suggestions.didYouMean(part.text, among: names)
                    let listing = names.isEmpty ? "" : " (keys: \(Self.list(names)))"
                    report(part.column, "\(described(part)) has no key '\(part.text)'\(hint)\(listing); to add it, write +\(keyText)=...")
                    return nil
                }
                // Inside a sweep a dotted key is one key (`optimizer.lr`), also in a sweep added here.
                var created = Array(parts)
                if context == .sweep {
                    created = [Part(text: parts.map(\.text).joined(separator: "."), column: part.column)]
                } else if context == .job, part.text == "sweep", parts.count > 1 {
                    created = [part, Part(text: parts.dropFirst().map(\.text).joined(separator: "."), column: parts.dropFirst().first!.column)]
                }
                let nested = created.dropFirst().reversed().reduce(value) { inner, piece in
                    ConfigNode(.mapping([ConfigNode.Pair(key: key(piece.text, at: location(piece.column)), value: inner)]), at: location(piece.column))
                }
                pairs.append(ConfigNode.Pair(key: key(created[0].text, at: location(part.column)), value: nested))
            }
            return relocated(ConfigNode(.mapping(pairs), at: node.location, tag: node.tag), context: context, part: part)
        }
    }

    /// `jobs.NAME...`: the job named by the longest run of parts that is a job's name.
    private func setJob(_ parts: ArraySlice<Part>, items: [ConfigNode], in node: ConfigNode, to value: ConfigNode, path: KeyPath,
                        defaults: ConfigNode?) -> ConfigNode? {
        let names = items.map { $0.mappingValue("name")?.scalar?.text }
        var length = parts.count
        while length > 0, !names.contains(parts.prefix(length).map(\.text).joined(separator: ".")) { length -= 1 }
        guard length > 0, let index = names.firstIndex(of: parts.prefix(length).map(\.text).joined(separator: ".")) else {
            let known = names.compactMap { $0 }
            let name = parts.first!.text
            report(parts.first!.column, "no job named '\(name)'" + Suggestions.didYouMean(name, among: known)
                       + " (jobs: \(known.isEmpty ? "none" : Self.list(known))); overrides name the jobs written in the main file")
            return nil
        }
        let rest = parts.dropFirst(length)
        guard !rest.isEmpty else {
            report(parts.last!.column, "give a key of the job: jobs.\(names[index]!).KEY=VALUE (a job cannot be replaced whole)")
            return nil
        }
        guard rest.first!.text != "name" else {
            report(rest.first!.column, "a job's name cannot be overridden (results and checkpoints are kept under it)")
            return nil
        }
        var items = items
        guard let updated = set(rest, in: items[index], to: value, path: path.index(index), context: .job, defaults: defaults) else { return nil }
        items[index] = updated
        return ConfigNode(.sequence(items), at: node.location, tag: node.tag)
    }

    // MARK: - Pieces

    /// A mapping or list changed inside a job's (or a section's) value takes the override's
    /// location: what the override changed is located there, and values read once per location
    /// (tensors) are read anew.
    private func relocated(_ node: ConfigNode, context: Context, part: Part) -> ConfigNode {
        guard context == .inside || context == .sweep else { return node }
        var moved = node
        moved.location = location(part.column)
        return moved
    }

    /// The key as written, without `+`.
    private var keyText: String {
        parts.map(\.text).joined(separator: ".")
    }

    /// What holds `part`: `'jobs.a.optimizer'` (the key's text before it), or the configuration.
    private func described(_ part: Part) -> String {
        let start = adds ? 1 : 0
        let prefix = text.utf8.dropFirst(start).prefix(max(0, part.column - 2 - start))
        return prefix.isEmpty ? "the configuration" : "'\(String(decoding: prefix, as: UTF8.self))'"
    }

    private func currentText(_ node: ConfigNode) -> String {
        guard let scalar = node.scalar else { return " (to \(node.kindDescription))" }
        return " (to \(scalar.text.prefix(40)))"
    }

    private func key(_ text: String, at location: Location) -> ConfigNode {
        ConfigNode(.scalar(ConfigNode.Scalar(text: text, isPlain: true)), at: location)
    }

    private func location(_ column: Int) -> Location {
        Location(file: file, line: 1, column: Int32(column))
    }

    private func report(_ column: Int, _ message: String) {
        diagnostics.report(.invalidValue, at: location(column), path: .root, message)
    }

    /// At most 10 names, then how many more.
    static func list(_ names: [String]) -> String {
        names.count <= 10 ? names.joined(separator: ", ") : names.prefix(10).joined(separator: ", ") + ", ... (\(names.count - 10) more)"
    }
}

extension ConfigNode {
    /// The value of `key` when this is a mapping that has it.
    func mappingValue(_ key: String) -> ConfigNode? {
        guard case .mapping(let pairs) = content else { return nil }
        return pairs.first { $0.key.scalar?.text == key }?.value
    }
}

extension KeyPath {
    /// The last key of the path (nil at the top or after an index).
    var lastKey: String? {
        guard !description.hasSuffix("]") else { return nil }
        return description.split(separator: ".").last.map(String.init)
    }
}
