// SPDX-License-Identifier: Apache-2.0

public import LossKit

/// The optimizers lossd knows, by name: an immutable value built once and passed explicitly.
///
/// Adding an optimizer: write its type in `Optimizers/`, then add one line to
/// `BuiltinOptimizers.swift`. Registration is generic so that the engine's step loop is
/// specialised for the concrete optimizer type.
public struct OptimizerRegistry: Sendable {
    /// One registered optimizer.
    public struct Entry: Sendable {
        public var descriptor: OptimizerDescriptor
        /// Where it comes from (`built-in`).
        public var origin: String
        /// Creates the optimizer from checked options.
        public var make: @Sendable (ComponentOptions) throws(EngineError) -> any Optimizer
        /// Builds a job's step loop, specialised for this optimizer type.
        let makeKernel: @Sendable (any Optimizer, KernelSetup) -> any JobKernel
    }

    /// Every entry, in registration order.
    public let entries: [Entry]
    private let index: [String: Int]

    /// The built-in optimizers.
    public static let builtins: OptimizerRegistry = Builder.builtins.build()

    /// The entry registered under `name` (its snake_case name or its PyTorch class name).
    public func entry(named name: String) throws(EngineError) -> Entry {
        if let position = index[name] { return entries[position] }
        let names = entries.map(\.descriptor.name)
        throw EngineError(.unknownOptimizer, subject: name, "unknown optimizer '\(name)'"
                          + Suggestions.didYouMean(name, among: names, orAmong: entries.map(\.descriptor.pytorchName))
                          + " (known: \(names.joined(separator: ", ")))")
    }

    /// Creates the named optimizer from raw options, checking names, types and ranges.
    public func makeOptimizer(_ name: String, options: [String: OptionValue] = [:]) throws(EngineError) -> any Optimizer {
        let entry = try entry(named: name)
        return try entry.make(ComponentOptions(options, component: entry.descriptor.name,
                                               pytorchName: entry.descriptor.pytorchName, specs: entry.descriptor.options))
    }

    /// Checks a name and options as ``makeOptimizer(_:options:)`` does, for config validation.
    public func validate(_ name: String, options: [String: OptionValue] = [:]) throws(EngineError) {
        _ = try makeOptimizer(name, options: options)
    }

    /// The registry names, in registration order.
    public var names: [String] { entries.map(\.descriptor.name) }

    /// Collects registrations; `build()` freezes them.
    public struct Builder: Sendable {
        private var entries: [Entry] = []
        private var index: [String: Int] = [:]

        /// An empty builder.
        public init() {}

        /// Registers an optimizer type. A name already taken is an error naming both origins.
        public mutating func register<O: Optimizer>(_ type: O.Type, origin: String = "built-in") throws(EngineError) {
            let descriptor = O.descriptor
            for key in Set([descriptor.name, descriptor.pytorchName]) where index[key] != nil {
                let existing = entries[index[key]!]
                throw EngineError(.duplicateName, subject: key,
                                  "optimizer name '\(key)' from \(origin) is already registered by \(existing.origin) (\(existing.descriptor.name))")
            }
            index[descriptor.name] = entries.count
            index[descriptor.pytorchName] = entries.count
            entries.append(Entry(
                descriptor: descriptor, origin: origin,
                make: { options throws(EngineError) in try O(options: options) },
                makeKernel: { optimizer, setup in KernelFactory.make(optimizer as! O, setup) }))
        }

        /// The frozen registry.
        public func build() -> OptimizerRegistry {
            OptimizerRegistry(entries: entries, index: index)
        }
    }
}
