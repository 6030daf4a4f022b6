// SPDX-License-Identifier: Apache-2.0

public import LossKit

/// The options an optimizer or scheduler is created with, checked against its `[OptionSpec]`.
///
/// Names and types are checked as for losses (LossKit's rules: unknown names get a suggestion,
/// integers are accepted for real options, numbers must be finite); range checks happen in each
/// type's initializer through ``check(_:_:_:)``. List options (`betas`, `milestones`) use the
/// tensor kind: a config list arrives as a one-dimensional tensor. A spec whose default is
/// `.null` on a non-tensor kind, or a tensor option documented as required, has no PyTorch default.
public struct ComponentOptions: Sendable {
    /// The registry name of the component, for messages.
    public let component: String
    private let options: LossOptions

    /// Checks `values` against the options `component` declares; errors name the option.
    public init(_ values: [String: OptionValue], for component: ComponentDescriptor) throws(EngineError) {
        self.component = component.name
        let descriptor = LossDescriptor(name: component.name, pytorchName: component.pytorchName, summary: "",
                                        arguments: [], options: component.options)
        do {
            options = try LossOptions(values, for: descriptor)
        } catch {
            let code: EngineError.Code = error.code == .unknownOption ? .unknownOption : .invalidOption
            throw EngineError(code, subject: error.subject, error.message)
        }
    }

    /// The options given explicitly (after type checks).
    public var values: [String: OptionValue] { options.values }

    /// A real option (given or default).
    public func number(_ name: String) -> Double { options.number(name) }
    /// A boolean option (given or default).
    public func bool(_ name: String) -> Bool { options.bool(name) }
    /// An integer option (given or default).
    public func integer(_ name: String) -> Int { options.integer(name) }
    /// A choice option (given or default).
    public func choice(_ name: String) -> String { options.choice(name) }
    /// A list-of-mappings option (a composite scheduler's `schedulers`), or nil when not given.
    public func mappings(_ name: String) -> [[String: OptionValue]]? {
        if case .mappings(let items)? = options.values[name] { return items }
        return nil
    }

    /// A choice option whose PyTorch default is None: the choice, or nil for None.
    public func optionalChoice(_ name: String) -> String? { options.optionalChoice(name) }

    /// A real option PyTorch has no default for.
    public func requiredNumber(_ name: String) throws(EngineError) -> Double {
        guard options.values[name] != nil else { throw missing(name) }
        return options.number(name)
    }

    /// An integer option PyTorch has no default for.
    public func requiredInteger(_ name: String) throws(EngineError) -> Int {
        guard options.values[name] != nil else { throw missing(name) }
        return options.integer(name)
    }

    /// A list option (`betas`, `milestones`) as its values, or nil when it is null.
    public func numbers(_ name: String) -> [Double]? {
        options.tensor(name)?.scalars
    }

    /// A list option's values, or nil when it is null; refuses a single number or a nested list
    /// (PyTorch iterates such an option, which fails on a number).
    public func list(_ name: String) throws(EngineError) -> [Double]? {
        guard let tensor = options.tensor(name) else { return nil }
        let first = tensor.scalars.first ?? 0
        let written = first.rounded() == first && abs(first) < 1e15 ? "\(Int(first))" : "\(first)"
        try check(tensor.shape.count == 1, name, tensor.shape.isEmpty
                  ? "must be a list, got the single number \(written)"
                  : "must be a flat list, got a nested list of shape \(Tensor.describe(tensor.shape))")
        return tensor.scalars
    }

    /// Throws `invalidOption` naming `name` unless `condition` holds.
    public func check(_ condition: Bool, _ name: String, _ message: @autoclosure () -> String) throws(EngineError) {
        if !condition { throw EngineError.option(name, of: component, message()) }
    }

    private func missing(_ name: String) -> EngineError {
        EngineError(.missingOption, subject: name, "\(component) needs the option '\(name)' (PyTorch has no default)")
    }
}
