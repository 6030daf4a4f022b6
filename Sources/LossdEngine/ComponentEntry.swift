// SPDX-License-Identifier: Apache-2.0

public import LossKit

/// One entry of a ``ComponentRegistry``: a registered optimizer or learning-rate scheduler.
///
/// ``OptimizerEntry`` and ``SchedulerEntry`` conform; what differs between the two kinds (their
/// kind, what an entry builds, the built-in types) lives there.
public protocol ComponentEntry: Sendable {
    /// What the entry creates (`any Optimizer`, `any LRScheduler`).
    associatedtype Component

    /// Which kind of component: it names the kind in messages and picks the error codes.
    static var kind: ComponentKind { get }

    /// Registers every built-in component of this kind, in listing order.
    static func registerBuiltins(_ builder: inout ComponentRegistry<Self>.Builder) throws(EngineError)
    /// The registry of the built-in components, built once (stored here: a generic type cannot
    /// store a static property). ``ComponentRegistry/builtins`` reads it.
    static var builtinRegistry: ComponentRegistry<Self> { get }

    /// Its names and options.
    var descriptor: ComponentDescriptor { get }
    /// Where it comes from (`built-in`).
    var origin: String { get }
    /// Creates the component from checked options.
    var make: @Sendable (ComponentOptions) throws(EngineError) -> Component { get }
}

extension ComponentEntry {
    /// Creates the component from raw options, checking names, types and ranges.
    public func make(options: [String: OptionValue]) throws(EngineError) -> Component {
        try make(ComponentOptions(options, for: descriptor))
    }
}
