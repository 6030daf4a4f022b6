// SPDX-License-Identifier: Apache-2.0

public import LossKit

/// Everything the registry and the config loader know about a learning-rate scheduler.
public struct SchedulerDescriptor: Sendable, Hashable {
    /// The registry name, snake_case (`step_lr`, `cosine_annealing_lr`).
    public var name: String
    /// The `torch.optim.lr_scheduler` class (`StepLR`), also accepted as a name.
    public var pytorchName: String
    /// One line for listings.
    public var summary: String
    /// The keyword arguments lossd accepts (not `last_epoch`: the engine owns the epoch count).
    /// A default of `.null` means PyTorch has none: the option is required.
    public var options: [OptionSpec]

    public init(name: String, pytorchName: String, summary: String, options: [OptionSpec]) {
        self.name = name
        self.pytorchName = pytorchName
        self.summary = summary
        self.options = options
    }
}
