// SPDX-License-Identifier: Apache-2.0

public import LossKit

/// An optimizer or learning-rate scheduler as the configuration knows it: names, options with
/// PyTorch's defaults, and the range checks on them.
///
/// The engine provides its own descriptors through ``ConfigVocabulary``; ``ConfigVocabulary/standard``
/// holds the torch.optim set until then.
public struct ComponentDescriptor: Sendable {
    /// The registry name, snake_case (`sgd`, `step_lr`).
    public var name: String
    /// The PyTorch class (`SGD`, `StepLR`), also accepted as a name.
    public var pytorchName: String
    /// One line for listings.
    public var summary: String
    /// The options, spelled as PyTorch's keyword arguments, with PyTorch's defaults. An option
    /// listed in ``required`` has no default (its `defaultValue` is `.null`).
    public var options: [OptionSpec]
    /// Options a configuration must set (`step_size` of `step_lr`).
    public var required: [String]
    /// Range checks on the complete options (defaults filled in); each problem names its option.
    public var check: @Sendable ([String: OptionValue]) -> [OptionProblem]

    public init(
        name: String, pytorchName: String, summary: String, options: [OptionSpec], required: [String] = [],
        check: @escaping @Sendable ([String: OptionValue]) -> [OptionProblem] = { _ in [] }
    ) {
        self.name = name
        self.pytorchName = pytorchName
        self.summary = summary
        self.options = options
        self.required = required
        self.check = check
    }

    /// The spec of option `name`.
    public func option(_ name: String) -> OptionSpec? {
        options.first { $0.name == name }
    }
}

/// A value a range check rejects: the option and a sentence (`"must be > 0, got -1"`).
public struct OptionProblem: Sendable, Hashable {
    public var option: String
    public var message: String

    public init(_ option: String, _ message: String) {
        self.option = option
        self.message = message
    }
}

/// Range checks for ``ComponentDescriptor/check``, reading options by kind.
public struct OptionChecks: Sendable {
    public let options: [String: OptionValue]
    public private(set) var problems: [OptionProblem] = []

    public init(_ options: [String: OptionValue]) {
        self.options = options
    }

    /// The option as a real number (integers converted), or nil.
    public func number(_ name: String) -> Double? {
        switch options[name] {
        case .number(let value)?: value
        case .integer(let value)?: Double(value)
        default: nil
        }
    }

    /// The option's tensor elements, or nil.
    public func values(_ name: String) -> [Double]? {
        if case .tensor(let tensor)? = options[name] { return tensor.scalars }
        return nil
    }

    /// Records `message` for `name` unless `condition` holds.
    public mutating func require(_ condition: Bool, _ name: String, _ message: @autoclosure () -> String) {
        if !condition { problems.append(OptionProblem(name, message())) }
    }

    /// `name` > 0.
    public mutating func positive(_ name: String) {
        if let value = number(name) { require(value > 0, name, "must be > 0, got \(ScalarValue.format(value))") }
    }

    /// `name` >= 0.
    public mutating func nonNegative(_ name: String) {
        if let value = number(name) { require(value >= 0, name, "must be >= 0, got \(ScalarValue.format(value))") }
    }

    /// `low <= name <= high`, each end open or closed.
    public mutating func within(_ name: String, _ low: Double, _ high: Double, openLow: Bool = false, openHigh: Bool = false) {
        guard let value = number(name) else { return }
        let fits = (openLow ? value > low : value >= low) && (openHigh ? value < high : value <= high)
        let range = (openLow ? "(" : "[") + ScalarValue.format(low) + ", " + ScalarValue.format(high) + (openHigh ? ")" : "]")
        require(fits, name, "must be in \(range), got \(ScalarValue.format(value))")
    }
}
