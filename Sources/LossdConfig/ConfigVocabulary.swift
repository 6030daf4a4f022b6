// SPDX-License-Identifier: Apache-2.0

public import LossKit

/// The names a configuration may use: losses, optimizers and schedulers with their options.
///
/// The daemon passes the registries it really runs with (plugins included); ``standard`` is the
/// built-in losses with the torch.optim optimizers and schedulers lossd implements.
public struct ConfigVocabulary: Sendable {
    public var losses: LossRegistry
    public var optimizers: [ComponentDescriptor]
    public var schedulers: [ComponentDescriptor]

    public init(losses: LossRegistry, optimizers: [ComponentDescriptor], schedulers: [ComponentDescriptor]) {
        self.losses = losses
        self.optimizers = optimizers
        self.schedulers = schedulers
    }

    /// The built-in losses, ``ComponentDescriptor/standardOptimizers`` and
    /// ``ComponentDescriptor/standardSchedulers``.
    public static let standard = ConfigVocabulary(
        losses: .builtins, optimizers: ComponentDescriptor.standardOptimizers,
        schedulers: ComponentDescriptor.standardSchedulers)

    /// The optimizer registered under `name` (registry or PyTorch name).
    public func optimizer(named name: String) -> ComponentDescriptor? {
        optimizers.first { $0.name == name || $0.pytorchName == name }
    }

    /// The scheduler registered under `name` (registry or PyTorch name).
    public func scheduler(named name: String) -> ComponentDescriptor? {
        schedulers.first { $0.name == name || $0.pytorchName == name }
    }
}
