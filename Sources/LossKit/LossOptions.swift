// SPDX-License-Identifier: Apache-2.0

/// The options a loss is created with, checked against its ``LossDescriptor``.
///
/// Creating a `LossOptions` rejects unknown names (with a suggestion) and values of the wrong
/// type, so a loss's initializer only reads typed values; absent options take PyTorch's default.
public struct LossOptions: Sendable, Hashable {
    /// The options given explicitly.
    public private(set) var values: [String: OptionValue]
    /// The descriptor's options, searched by name (a handful: a scan beats hashing).
    private let specs: [OptionSpec]

    /// Options that PyTorch deprecated and lossd refuses, with the replacement.
    static let legacyOptions: [String: String] = [
        "size_average": "use reduction='mean' or reduction='sum'",
        "reduce": "use reduction='none' to get per-element values",
    ]

    /// Checks `values` against `descriptor`'s options.
    public init(_ values: [String: OptionValue], for descriptor: LossDescriptor) throws(LossError) {
        specs = descriptor.options
        var checked: [String: OptionValue] = [:]
        for name in values.keys.sorted() {
            let value = values[name]!
            guard let spec = descriptor.options.first(where: { $0.name == name }) else {
                if let hint = LossOptions.legacyOptions[name] {
                    throw LossError(.unknownOption, subject: name,
                                    "option '\(name)' of \(descriptor.pytorchName) is a deprecated PyTorch argument and is not supported: \(hint)")
                }
                let known = descriptor.options.map(\.name)
                throw LossError(.unknownOption, subject: name,
                                "\(descriptor.name) has no option '\(EchoedText.escaped(name))'" + Suggestions.didYouMean(name, among: known)
                                    + " (options: \(known.isEmpty ? "none" : known.joined(separator: ", ")))")
            }
            // null for an option whose default is None (and no tensor): as if not given.
            if value == .null, spec.defaultValue == .null, spec.kind != .optionalTensor { continue }
            checked[name] = try LossOptions.check(value, against: spec)
        }
        self.values = checked
    }

    private static func check(_ value: OptionValue, against spec: OptionSpec) throws(LossError) -> OptionValue {
        func mismatch() -> LossError {
            .option(spec.name, "expected \(spec.kind.displayName), got \(value.typeName) (\(value))")
        }
        switch (spec.kind, value) {
        case (.bool, .bool), (.integer, .integer), (.number, .number), (.optionalTensor, .tensor), (.optionalTensor, .null):
            if case .number(let number) = value, !number.isFinite {
                // inf is a legitimate margin or beta in PyTorch only in theory; lossd keeps options finite.
                throw .option(spec.name, "must be finite, got \(number)")
            }
            if case .tensor(let tensor) = value, !tensor.scalars.allSatisfy(\.isFinite) {
                throw .option(spec.name, "tensor holds a non-finite value")
            }
            return value
        case (.number, .integer(let integer)):
            return .number(Double(integer))
        case (.integer, .number(let number)) where number.rounded() == number && abs(number) < 1e15:
            return .integer(Int(number))
        case (.choice, .null) where spec.defaultValue == .null:
            return value  // a choice whose PyTorch default is None (LBFGS's line_search_fn)
        case (.choice(let allowed), .string(let string)):
            guard allowed.contains(string) else {
                throw .option(spec.name, "'\(string)' is not one of \(allowed.map { "'\($0)'" }.joined(separator: ", "))"
                              + Suggestions.didYouMean(string, among: allowed))
            }
            return value
        case (.mappings, .mappings):
            return value
        case (.optionalTensor, .number(let number)):
            return .tensor(Tensor(scalar: number))
        case (.optionalTensor, .integer(let integer)):
            return .tensor(Tensor(scalar: Double(integer)))
        default:
            throw mismatch()
        }
    }

    private func value(_ name: String) -> OptionValue {
        guard let spec = specs.first(where: { $0.name == name }) else { preconditionFailure("option '\(name)' is not declared by its loss") }
        return values[name] ?? spec.defaultValue
    }

    /// A boolean option.
    public func bool(_ name: String) -> Bool {
        if case .bool(let value) = value(name) { return value }
        preconditionFailure("option '\(name)' is not a bool")
    }

    /// An integer option.
    public func integer(_ name: String) -> Int {
        if case .integer(let value) = value(name) { return value }
        preconditionFailure("option '\(name)' is not an integer")
    }

    /// A real option.
    public func number(_ name: String) -> Double {
        switch value(name) {
        case .number(let value): return value
        case .integer(let value): return Double(value)
        default: preconditionFailure("option '\(name)' is not a number")
        }
    }

    /// A choice option.
    public func choice(_ name: String) -> String {
        if case .string(let value) = value(name) { return value }
        preconditionFailure("option '\(name)' is not a choice")
    }

    /// A choice option whose default is None: its value, or `nil` for None.
    public func optionalChoice(_ name: String) -> String? {
        if case .string(let value) = value(name) { return value }
        return nil
    }

    /// A tensor option, or `nil` for None.
    public func tensor(_ name: String) -> Tensor? {
        if case .tensor(let value) = value(name) { return value }
        return nil
    }

    /// The `reduction` option.
    public var reduction: Reduction { Reduction(rawValue: choice("reduction"))! }
}
