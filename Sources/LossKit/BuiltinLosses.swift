// SPDX-License-Identifier: Apache-2.0

/// The built-in loss types: the one list a new loss is added to.
public enum BuiltinLosses {
    /// Calls `visitor` with each built-in loss type, in `lossd losses` order.
    ///
    /// Adding a loss: write its type in `Losses/`, then add one line here. The registry
    /// (``LossRegistry/Builder/builtins``) and the training engine's choice of step loop both
    /// come from this list; inlinable, so that a visitor's generic code is compiled for each
    /// type where the visitor is concrete.
    @inlinable
    public static func visit<V: BuiltinLossVisitor>(_ visitor: inout V) {
        visitor.visit(L1Loss.self)
        visitor.visit(MSELoss.self)
        visitor.visit(CrossEntropyLoss.self)
        visitor.visit(NLLLoss.self)
        visitor.visit(BCELoss.self)
        visitor.visit(BCEWithLogitsLoss.self)
        visitor.visit(SmoothL1Loss.self)
        visitor.visit(HuberLoss.self)
        visitor.visit(KLDivLoss.self)
        visitor.visit(PoissonNLLLoss.self)
        visitor.visit(GaussianNLLLoss.self)
        visitor.visit(SoftMarginLoss.self)
        visitor.visit(MultiLabelSoftMarginLoss.self)
        visitor.visit(HingeEmbeddingLoss.self)
        visitor.visit(MarginRankingLoss.self)
        visitor.visit(CosineEmbeddingLoss.self)
        visitor.visit(MultiMarginLoss.self)
        visitor.visit(MultiLabelMarginLoss.self)
        visitor.visit(TripletMarginLoss.self)
        visitor.visit(TripletMarginWithDistanceLoss.self)
        visitor.visit(CTCLoss.self)
    }
}

extension LossRegistry.Builder {
    /// A builder holding every built-in loss (``BuiltinLosses``), in `lossd losses` order.
    public static var builtins: LossRegistry.Builder {
        var registration = Registration()
        BuiltinLosses.visit(&registration)
        return registration.builder
    }

    /// Registers each type it visits, whatever its capabilities.
    private struct Registration: BuiltinLossVisitor {
        var builder = LossRegistry.Builder()

        mutating func visit<L: BuiltinLoss>(_ type: L.Type) { register(type) }
        mutating func visit<L: BuiltinLoss & ChunkedLoss>(_ type: L.Type) { register(type) }
        mutating func visit<L: BuiltinLoss & PointwiseLoss>(_ type: L.Type) { register(type) }

        private mutating func register<L: BuiltinLoss>(_ type: L.Type) {
            do {
                try builder.register(type)
            } catch {
                preconditionFailure("built-in losses clash: \(error)")
            }
        }
    }
}
