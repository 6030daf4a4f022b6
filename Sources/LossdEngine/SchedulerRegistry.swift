// SPDX-License-Identifier: Apache-2.0

public import LossKit

/// The learning-rate schedulers lossd knows, by name: an immutable value built once.
///
/// Adding a scheduler: write its type in `Schedulers/`, then add one line to `BuiltinSchedulers.swift`.
public struct SchedulerRegistry: Sendable {
    /// One registered scheduler.
    public struct Entry: Sendable {
        public var descriptor: SchedulerDescriptor
        /// Where it comes from (`built-in`).
        public var origin: String
        /// Creates the scheduler from checked options.
        public var make: @Sendable (ComponentOptions) throws(EngineError) -> any LRScheduler
    }

    /// Every entry, in registration order.
    public let entries: [Entry]
    private let index: [String: Int]

    /// The built-in schedulers.
    public static let builtins: SchedulerRegistry = Builder.builtins.build()

    /// The entry registered under `name` (its snake_case name or its PyTorch class name).
    public func entry(named name: String) throws(EngineError) -> Entry {
        if let position = index[name] { return entries[position] }
        let names = entries.map(\.descriptor.name)
        throw EngineError(.unknownScheduler, subject: name, "unknown scheduler '\(name)'"
                          + Suggestions.didYouMean(name, among: names, orAmong: entries.map(\.descriptor.pytorchName))
                          + " (known: \(names.joined(separator: ", ")))")
    }

    /// Creates the named scheduler from raw options, checking names, types and ranges.
    public func makeScheduler(_ name: String, options: [String: OptionValue] = [:]) throws(EngineError) -> any LRScheduler {
        let entry = try entry(named: name)
        return try entry.make(ComponentOptions(options, component: entry.descriptor.name,
                                               pytorchName: entry.descriptor.pytorchName, specs: entry.descriptor.options))
    }

    /// Checks a name and options as ``makeScheduler(_:options:)`` does, for config validation.
    public func validate(_ name: String, options: [String: OptionValue] = [:]) throws(EngineError) {
        _ = try makeScheduler(name, options: options)
    }

    /// The registry names, in registration order.
    public var names: [String] { entries.map(\.descriptor.name) }

    /// Collects registrations; `build()` freezes them.
    public struct Builder: Sendable {
        private var entries: [Entry] = []
        private var index: [String: Int] = [:]

        /// An empty builder.
        public init() {}

        /// Registers a scheduler type. A name already taken is an error naming both origins.
        public mutating func register<S: LRScheduler>(_ type: S.Type, origin: String = "built-in") throws(EngineError) {
            let descriptor = S.descriptor
            for key in Set([descriptor.name, descriptor.pytorchName]) where index[key] != nil {
                let existing = entries[index[key]!]
                throw EngineError(.duplicateName, subject: key,
                                  "scheduler name '\(key)' from \(origin) is already registered by \(existing.origin) (\(existing.descriptor.name))")
            }
            index[descriptor.name] = entries.count
            index[descriptor.pytorchName] = entries.count
            entries.append(Entry(descriptor: descriptor, origin: origin,
                                 make: { options throws(EngineError) in try S(options: options) }))
        }

        /// The frozen registry.
        public func build() -> SchedulerRegistry {
            SchedulerRegistry(entries: entries, index: index)
        }
    }
}
