// SPDX-License-Identifier: Apache-2.0

extension LossRegistry.Builder {
    /// A builder holding every built-in loss, in `lossd losses` order.
    /// Adding a loss: write its type in `Losses/`, then add one line here.
    public static var builtins: LossRegistry.Builder {
        var builder = LossRegistry.Builder()
        do {
            try builder.register(L1Loss.self)
            try builder.register(MSELoss.self)
            try builder.register(CrossEntropyLoss.self)
            try builder.register(NLLLoss.self)
            try builder.register(BCELoss.self)
            try builder.register(BCEWithLogitsLoss.self)
            try builder.register(SmoothL1Loss.self)
            try builder.register(HuberLoss.self)
            try builder.register(KLDivLoss.self)
            try builder.register(PoissonNLLLoss.self)
            try builder.register(GaussianNLLLoss.self)
            try builder.register(SoftMarginLoss.self)
            try builder.register(MultiLabelSoftMarginLoss.self)
            try builder.register(HingeEmbeddingLoss.self)
            try builder.register(MarginRankingLoss.self)
            try builder.register(CosineEmbeddingLoss.self)
            try builder.register(MultiMarginLoss.self)
            try builder.register(MultiLabelMarginLoss.self)
            try builder.register(TripletMarginLoss.self)
            try builder.register(TripletMarginWithDistanceLoss.self)
            try builder.register(CTCLoss.self)
        } catch {
            preconditionFailure("built-in losses clash: \(error)")
        }
        return builder
    }
}
