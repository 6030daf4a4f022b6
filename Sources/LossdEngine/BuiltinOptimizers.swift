// SPDX-License-Identifier: Apache-2.0

extension OptimizerEntry {
    /// Adding an optimizer: write its type in `Optimizers/`, then add one line here.
    public static func registerBuiltins(_ builder: inout OptimizerRegistry.Builder) throws(EngineError) {
        try builder.register(SGD.self)
        try builder.register(Adam.self)
        try builder.register(AdamW.self)
        try builder.register(RMSprop.self)
        try builder.register(Adagrad.self)
        try builder.register(Adadelta.self)
        try builder.register(Adamax.self)
        try builder.register(NAdam.self)
        try builder.register(RAdam.self)
        try builder.register(ASGD.self)
        try builder.register(Rprop.self)
        try builder.register(LBFGS.self)
        try builder.register(Adafactor.self)
    }

    public static let builtinRegistry = OptimizerRegistry.Builder.builtins.build()
}
