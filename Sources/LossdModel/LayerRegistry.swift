// SPDX-License-Identifier: Apache-2.0

public import LossKit

/// The layers lossd knows, by the name `torch.nn.functional` uses (`leaky_relu`) or the `torch.nn`
/// class name (`LeakyReLU`): an immutable value built once and passed explicitly.
public struct LayerRegistry: Sendable {
    /// One registered layer type.
    public struct Entry: Sendable {
        public var descriptor: LayerDescriptor
        /// Creates the layer from checked options.
        public var make: @Sendable (LayerOptions) throws(ModelError) -> any Layer
    }

    /// Every entry, in listing order.
    public let entries: [Entry]
    private let index: [String: Int]

    /// The built-in layers.
    public static let builtins = LayerRegistry(builtinTypes.map { type in
        Entry(descriptor: type.descriptor) { options throws(ModelError) in try type.init(options: options) }
    })

    init(_ entries: [Entry]) {
        self.entries = entries
        var index: [String: Int] = [:]
        for (position, entry) in entries.enumerated() {
            precondition(index[entry.descriptor.name] == nil && index[entry.descriptor.pytorchName] == nil,
                         "layer '\(entry.descriptor.name)' registered twice")
            index[entry.descriptor.name] = position
            index[entry.descriptor.pytorchName] = position
        }
        self.index = index
    }

    /// The descriptors, in listing order.
    public var descriptors: [LayerDescriptor] { entries.map(\.descriptor) }

    /// The registry names, in listing order.
    public var names: [String] { entries.map(\.descriptor.name) }

    /// The entry registered under `name` (its registry name or its PyTorch class name).
    public func entry(named name: String) throws(ModelError) -> Entry {
        if let position = index[name] { return entries[position] }
        let suggestion = Suggestions.didYouMean(name, among: names, orAmong: entries.map(\.descriptor.pytorchName))
        throw ModelError(.unknownLayer, subject: name,
                         "unknown layer '\(EchoedText.escaped(name))'" + suggestion + " (layers: \(names.joined(separator: ", ")))")
    }

    /// Creates the named layer from raw options, checking names, types and ranges.
    public func makeLayer(_ name: String, options: [String: OptionValue] = [:]) throws(ModelError) -> any Layer {
        let entry = try entry(named: name)
        return try entry.make(LayerOptions(options, for: entry.descriptor))
    }
}
