// SPDX-License-Identifier: Apache-2.0

public import LossKit

/// Everything the registry and the documentation know about a layer type without creating it.
public struct LayerDescriptor: Sendable, Hashable {
    /// The registry name, as `torch.nn.functional` spells it (`linear`, `leaky_relu`).
    public var name: String
    /// The `torch.nn` class (`Linear`, `LeakyReLU`), also accepted as a name.
    public var pytorchName: String
    /// One line for listings.
    public var summary: String
    /// The options, named as the `torch.nn` class's keyword arguments, with PyTorch's defaults.
    public var options: [OptionSpec]

    public init(name: String, pytorchName: String, summary: String, options: [OptionSpec]) {
        self.name = name
        self.pytorchName = pytorchName
        self.summary = summary
        self.options = options
    }
}
