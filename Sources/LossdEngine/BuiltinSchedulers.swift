// SPDX-License-Identifier: Apache-2.0

extension SchedulerEntry {
    /// Adding a scheduler: write its type in `Schedulers/`, then add one line here.
    public static func registerBuiltins(_ builder: inout SchedulerRegistry.Builder) throws(EngineError) {
        try builder.register(StepLR.self)
        try builder.register(MultiStepLR.self)
        try builder.register(ExponentialLR.self)
        try builder.register(CosineAnnealingLR.self)
        try builder.register(LinearLR.self)
        try builder.register(ConstantLR.self)
        try builder.register(PolynomialLR.self)
        try builder.register(CosineAnnealingWarmRestarts.self)
        try builder.register(CyclicLR.self)
        try builder.register(OneCycleLR.self)
        try builder.register(ReduceLROnPlateau.self)
        try builder.register(SequentialLR.self)
        try builder.register(ChainedScheduler.self)
    }

    public static let builtinRegistry = SchedulerRegistry.Builder.builtins.build()
}
