// SPDX-License-Identifier: Apache-2.0

public import LossKit

/// Everything the registry and the config loader know about an optimizer without creating it.
public struct OptimizerDescriptor: Sendable, Hashable {
    /// The registry name, snake_case as in `torch.optim.sgd` (`sgd`, `adamw`).
    public var name: String
    /// The `torch.optim` class (`SGD`, `AdamW`), also accepted as a name.
    public var pytorchName: String
    /// One line for listings.
    public var summary: String
    /// The keyword arguments lossd accepts, spelled and defaulted as in PyTorch.
    public var options: [OptionSpec]

    public init(name: String, pytorchName: String, summary: String, options: [OptionSpec]) {
        self.name = name
        self.pytorchName = pytorchName
        self.summary = summary
        self.options = options
    }
}
