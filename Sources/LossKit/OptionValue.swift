// SPDX-License-Identifier: Apache-2.0

/// A loss option's value as it arrives from a config file, the command line or JSON.
///
/// Integers and real numbers stay apart so that integer options (`ignore_index`, `blank`, `p` of
/// `MultiMarginLoss`) can reject `1.5`; a real option accepts an integer.
public enum OptionValue: Sendable, Hashable, CustomStringConvertible {
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case tensor(Tensor)
    /// Python's `None` (for example `weight: null`).
    case null
    /// A list of component mappings, each with its `name` (a composite scheduler's `schedulers`).
    case mappings([[String: OptionValue]])

    public var description: String {
        switch self {
        case .bool(let value): value ? "True" : "False"
        case .integer(let value): String(value)
        case .number(let value): String(value)
        case .string(let value): "'\(value)'"
        case .tensor(let value): "tensor of shape \(value.shapeDescription)"
        case .null: "None"
        case .mappings(let items): "list of \(items.count) mappings"
        }
    }

    /// A short name of the value's type, for error messages.
    public var typeName: String {
        switch self {
        case .bool: "a boolean"
        case .integer: "an integer"
        case .number: "a number"
        case .string: "a string"
        case .tensor: "a tensor"
        case .null: "null"
        case .mappings: "a list of mappings"
        }
    }
}

/// The type an option accepts.
public enum OptionKind: Sendable, Hashable {
    case bool
    case integer
    case number
    /// One of the listed strings (`reduction`).
    case choice([String])
    /// A tensor, or `null` for none (`weight`, `pos_weight`).
    case optionalTensor
    /// A list of `{name: ..., option: ...}` mappings of components of the given kind
    /// (`scheduler`: a composite scheduler's children).
    case mappings(String)

    /// How the type is written in `lossd losses` and the docs.
    public var displayName: String {
        switch self {
        case .bool: "bool"
        case .integer: "int"
        case .number: "float"
        case .choice(let values): values.joined(separator: "|")
        case .optionalTensor: "tensor"
        case .mappings(let kind): "list of \(kind)s"
        }
    }
}

/// One option a loss takes, spelled as PyTorch spells the keyword argument.
public struct OptionSpec: Sendable, Hashable {
    public var name: String
    public var kind: OptionKind
    /// PyTorch's default.
    public var defaultValue: OptionValue
    public var summary: String
    /// An option added to a loss after job hashes were published: left out of a job's complete
    /// options (and so of its hash) while it has its default, so that a job that does not use
    /// it keeps the hash, the result and the checkpoint it had before the option existed.
    public var omittedAtDefault = false

    public init(_ name: String, _ kind: OptionKind, default defaultValue: OptionValue, _ summary: String) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.summary = summary
    }

    /// Whether a job's complete options list this option at `value` (see ``omittedAtDefault``).
    public func isListed(at value: OptionValue) -> Bool {
        !(omittedAtDefault && value == defaultValue)
    }

    /// `reduction` with PyTorch's default `mean`.
    public static let reduction = OptionSpec(
        "reduction", .choice(["none", "mean", "sum"]), default: .string("mean"),
        "'none': per-element output; 'mean': average; 'sum': total")

    /// `weight`: a tensor option defaulting to None.
    public static func weight(_ summary: String) -> OptionSpec {
        OptionSpec("weight", .optionalTensor, default: .null, summary)
    }
}
