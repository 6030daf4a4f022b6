// SPDX-License-Identifier: Apache-2.0

extension OptimizerRegistry.Builder {
    /// A builder holding every built-in optimizer, in listing order.
    /// Adding an optimizer: write its type in `Optimizers/`, then add one line here.
    public static var builtins: OptimizerRegistry.Builder {
        var builder = OptimizerRegistry.Builder()
        do {
            try builder.register(SGD.self)
            try builder.register(Adam.self)
            try builder.register(AdamW.self)
            try builder.register(RMSprop.self)
            try builder.register(Adagrad.self)
        } catch {
            preconditionFailure("built-in optimizers clash: \(error)")
        }
        return builder
    }
}
