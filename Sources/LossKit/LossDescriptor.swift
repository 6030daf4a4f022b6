// SPDX-License-Identifier: Apache-2.0

/// One tensor argument of a loss, named as in PyTorch's `forward` (`input`, `target`, `var`, ...).
public struct ArgumentSpec: Sendable, Hashable {
    /// What the argument holds.
    public enum Kind: Sendable, Hashable {
        /// Real values; `differentiable` says whether lossd reports a gradient for it, exactly
        /// when PyTorch's autograd produces one.
        case real(differentiable: Bool)
        /// Integral values: class indices or lengths.
        case index
    }

    public var name: String
    public var kind: Kind
    public var summary: String

    public init(_ name: String, _ kind: Kind, _ summary: String) {
        self.name = name
        self.kind = kind
        self.summary = summary
    }

    /// Whether a gradient is reported for this argument.
    public var isDifferentiable: Bool {
        if case .real(let differentiable) = kind { return differentiable }
        return false
    }
}

/// Everything the registry and the command line know about a loss without creating it.
public struct LossDescriptor: Sendable, Hashable {
    /// The registry name, snake_case (`mse`, `cross_entropy`).
    public var name: String
    /// The PyTorch class (`MSELoss`), also accepted as a name.
    public var pytorchName: String
    /// One line for `lossd losses`.
    public var summary: String
    /// The tensor arguments in PyTorch's `forward` order. The first is the one a training job fits.
    public var arguments: [ArgumentSpec]
    /// The options with PyTorch's defaults.
    public var options: [OptionSpec]

    public init(name: String, pytorchName: String, summary: String, arguments: [ArgumentSpec], options: [OptionSpec]) {
        self.name = name
        self.pytorchName = pytorchName
        self.summary = summary
        self.arguments = arguments
        self.options = options
    }

    /// The position of the named argument.
    public func argumentIndex(_ name: String) -> Int? {
        arguments.firstIndex { $0.name == name }
    }

    /// `input` (differentiable) and `target` (differentiable, same shape), the common pair.
    public static let inputTarget: [ArgumentSpec] = [
        ArgumentSpec("input", .real(differentiable: true), "predictions, any shape (*)"),
        ArgumentSpec("target", .real(differentiable: true), "same shape as input"),
    ]
}
