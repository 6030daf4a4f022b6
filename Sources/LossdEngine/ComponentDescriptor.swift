// SPDX-License-Identifier: Apache-2.0

public import LossKit

/// Everything the registries and the config loader know about an optimizer or a learning-rate
/// scheduler without creating it.
public struct ComponentDescriptor: Sendable, Hashable {
    /// The registry name, snake_case (`sgd`, `adamw`, `step_lr`).
    public var name: String
    /// The `torch.optim` or `torch.optim.lr_scheduler` class (`AdamW`, `StepLR`), also accepted
    /// as a name.
    public var pytorchName: String
    /// One line for listings.
    public var summary: String
    /// The keyword arguments lossd accepts, spelled and defaulted as in PyTorch. A default of
    /// `.null` means PyTorch has none: the option is required.
    public var options: [OptionSpec]

    public init(name: String, pytorchName: String, summary: String, options: [OptionSpec]) {
        self.name = name
        self.pytorchName = pytorchName
        self.summary = summary
        self.options = options
    }
}
