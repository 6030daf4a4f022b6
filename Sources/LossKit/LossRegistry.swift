// SPDX-License-Identifier: Apache-2.0

/// The losses lossd knows, by name: an immutable value built once and passed explicitly.
///
/// A reload builds a new registry and swaps it in; nothing here is global or locked.
/// ```swift
/// var builder = LossRegistry.Builder.builtins
/// try builder.register(descriptor: plugin.descriptor, origin: "plugin libfocal.so 1.0") { options in ... }
/// let registry = builder.build()
/// ```
public struct LossRegistry: Sendable {
    /// One registered loss.
    public struct Entry: Sendable {
        public var descriptor: LossDescriptor
        /// Where it comes from: `built-in`, or a plugin file and version.
        public var origin: String
        /// Creates the loss from checked options.
        public var make: @Sendable (LossOptions) throws(LossError) -> any Loss
    }

    /// Every entry, in registration order.
    public let entries: [Entry]
    private let index: [String: Int]

    /// The built-in losses.
    public static let builtins: LossRegistry = Builder.builtins.build()

    /// The entry registered under `name` (its snake_case name or its PyTorch class name).
    public func entry(named name: String) throws(LossError) -> Entry {
        if let position = index[name] { return entries[position] }
        let names = entries.flatMap { [$0.descriptor.name, $0.descriptor.pytorchName] }
        throw LossError(.unknownLoss, subject: name,
                        "unknown loss '\(EchoedText.escaped(name))'" + Suggestions.didYouMean(name, among: names) + " (see 'lossd losses')")
    }

    /// Creates the named loss from raw options, checking names, types and ranges.
    public func makeLoss(_ name: String, options: [String: OptionValue] = [:]) throws(LossError) -> any Loss {
        let entry = try entry(named: name)
        return try entry.make(LossOptions(options, for: entry.descriptor))
    }

    /// The registry names, in registration order.
    public var names: [String] { entries.map(\.descriptor.name) }

    /// Collects registrations; `build()` freezes them.
    public struct Builder: Sendable {
        private var entries: [Entry] = []
        private var index: [String: Int] = [:]

        /// An empty builder.
        public init() {}

        /// A builder holding `registry`'s entries, to extend it (with plugins).
        public init(_ registry: LossRegistry) {
            entries = registry.entries
            index = registry.index
        }

        /// Registers a built-in loss type.
        public mutating func register<L: BuiltinLoss>(_ type: L.Type, origin: String = "built-in") throws(LossError) {
            try register(descriptor: L.descriptor, origin: origin) { options throws(LossError) in try L.make(options) }
        }

        /// Registers a loss by descriptor and factory (plugins come through here). A name or alias
        /// already taken is an error naming both origins: nothing is ever silently replaced.
        public mutating func register(
            descriptor: LossDescriptor, origin: String,
            make: @escaping @Sendable (LossOptions) throws(LossError) -> any Loss
        ) throws(LossError) {
            for key in Set([descriptor.name, descriptor.pytorchName]) {
                if let existing = index[key] {
                    throw LossError(.duplicateLoss, subject: key,
                                    "loss name '\(key)' from \(origin) is already registered by \(entries[existing].origin) (\(entries[existing].descriptor.name))")
                }
            }
            guard !descriptor.name.isEmpty, !descriptor.pytorchName.isEmpty else {
                throw LossError(.invalidOption, subject: descriptor.name, "a loss from \(origin) has an empty name")
            }
            index[descriptor.name] = entries.count
            index[descriptor.pytorchName] = entries.count
            entries.append(Entry(descriptor: descriptor, origin: origin, make: make))
        }

        /// The frozen registry.
        public func build() -> LossRegistry {
            LossRegistry(entries: entries, index: index)
        }
    }
}
