// SPDX-License-Identifier: Apache-2.0

extension SchedulerRegistry.Builder {
    /// A builder holding every built-in scheduler, in listing order.
    /// Adding a scheduler: write its type in `Schedulers/`, then add one line here.
    public static var builtins: SchedulerRegistry.Builder {
        var builder = SchedulerRegistry.Builder()
        do {
            try builder.register(StepLR.self)
            try builder.register(MultiStepLR.self)
            try builder.register(ExponentialLR.self)
            try builder.register(CosineAnnealingLR.self)
            try builder.register(LinearLR.self)
        } catch {
            preconditionFailure("built-in schedulers clash: \(error)")
        }
        return builder
    }
}
