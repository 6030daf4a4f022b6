// SPDX-License-Identifier: Apache-2.0

extension SchedulerEntry {
    /// Adding a scheduler: write its type in `Schedulers/`, then add one line here.
    public static func registerBuiltins(_ builder: inout SchedulerRegistry.Builder) throws(EngineError) {
        try builder.register(StepLR.self)
        try builder.register(MultiStepLR.self)
        try builder.register(ExponentialLR.self)
        try builder.register(CosineAnnealingLR.self)
        try builder.register(LinearLR.self)
    }

    public static let builtinRegistry = SchedulerRegistry.Builder.builtins.build()
}
