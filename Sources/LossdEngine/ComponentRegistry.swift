// SPDX-License-Identifier: Apache-2.0

public import LossKit

/// The components of one kind lossd knows, by name: an immutable value built once and passed
/// explicitly. ``OptimizerRegistry`` and ``SchedulerRegistry`` are its two kinds.
///
/// Each entry answers to its registry name and to its PyTorch class name.
public struct ComponentRegistry<Entry: ComponentEntry>: Sendable {
    /// Every entry, in registration order.
    public let entries: [Entry]
    private let index: [String: Int]

    /// The entry registered under `name` (its snake_case name or its PyTorch class name).
    public func entry(named name: String) throws(EngineError) -> Entry {
        if let position = index[name] { return entries[position] }
        let names = self.names
        throw EngineError(Entry.kind.unknownNameCode, subject: name, "unknown \(Entry.kind.rawValue) '\(name)'"
                          + Suggestions.didYouMean(name, among: names, orAmong: entries.map(\.descriptor.pytorchName))
                          + " (known: \(names.joined(separator: ", ")))")
    }

    /// Creates the named component from raw options, checking names, types and ranges.
    public func make(_ name: String, options: [String: OptionValue] = [:]) throws(EngineError) -> Entry.Component {
        try entry(named: name).make(options: options)
    }

    /// Checks a name and options as ``make(_:options:)`` does, for config validation.
    public func validate(_ name: String, options: [String: OptionValue] = [:]) throws(EngineError) {
        _ = try make(name, options: options)
    }

    /// The built-in components of this kind.
    public static var builtins: ComponentRegistry { Entry.builtinRegistry }

    /// The registry names, in registration order.
    public var names: [String] { entries.map(\.descriptor.name) }

    /// Collects registrations; `build()` freezes them. Each kind adds its generic `register`.
    public struct Builder: Sendable {
        private var entries: [Entry] = []
        private var index: [String: Int] = [:]

        /// An empty builder.
        public init() {}

        /// A builder holding every built-in component of this kind, in listing order.
        public static var builtins: Builder {
            var builder = Builder()
            do {
                try Entry.registerBuiltins(&builder)
            } catch {
                preconditionFailure("built-in \(Entry.kind.rawValue)s clash: \(error)")
            }
            return builder
        }

        /// Adds `entry` under both its names. A name already taken is an error naming both origins.
        mutating func add(_ entry: Entry) throws(EngineError) {
            let descriptor = entry.descriptor
            for key in [descriptor.name, descriptor.pytorchName] {
                guard let taken = index[key] else { continue }
                let existing = entries[taken]
                throw EngineError(.duplicateName, subject: key,
                                  "\(Entry.kind.rawValue) name '\(key)' from \(entry.origin) is already registered by \(existing.origin) (\(existing.descriptor.name))")
            }
            index[descriptor.name] = entries.count
            index[descriptor.pytorchName] = entries.count
            entries.append(entry)
        }

        /// The frozen registry.
        public func build() -> ComponentRegistry {
            ComponentRegistry(entries: entries, index: index)
        }
    }
}
