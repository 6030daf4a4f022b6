// SPDX-License-Identifier: Apache-2.0

/// The learning-rate schedulers lossd knows, by name.
///
/// Adding a scheduler: write its type in `Schedulers/`, then add one line to `BuiltinSchedulers.swift`.
public typealias SchedulerRegistry = ComponentRegistry<SchedulerEntry>

/// One registered scheduler.
public struct SchedulerEntry: ComponentEntry {
    public static let kind = ComponentKind.scheduler

    public let descriptor: ComponentDescriptor
    public let origin: String
    public let make: @Sendable (ComponentOptions) throws(EngineError) -> any LRScheduler
}

extension ComponentRegistry.Builder where Entry == SchedulerEntry {
    /// Registers a scheduler type. A name already taken is an error naming both origins.
    public mutating func register<S: LRScheduler>(_ type: S.Type, origin: String = "built-in") throws(EngineError) {
        try add(SchedulerEntry(descriptor: S.descriptor, origin: origin,
                               make: { options throws(EngineError) in try S(options: options) }))
    }
}
