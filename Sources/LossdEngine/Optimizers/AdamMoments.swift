// SPDX-License-Identifier: Apache-2.0

/// The per-element steps the Adam family's single-tensor updates share (`_single_tensor_adam`,
/// `_single_tensor_nadam`, `_single_tensor_radam`), in their order:
///
///     g = -grad if maximize else grad
///     p = p * (1 - lr * weight_decay)        (decoupled; weight_decay != 0)
///     g = g + weight_decay * p               (coupled; weight_decay != 0)
///     m = lerp(m, g, 1 - beta1)
///     v = v * beta2 + ((1 - beta2) * g) * g
struct AdamMoments: Sendable {
    var beta1: Double
    var beta2: Double
    var weightDecay: Double
    var decoupled: Bool
    var maximize: Bool

    /// Reads `betas` (two values in [0, 1)), `weight_decay` (>= 0) and `maximize`.
    init(_ options: ComponentOptions, decoupled: Bool) throws(EngineError) {
        (beta1, beta2) = try options.betas()
        weightDecay = try options.nonNegative("weight_decay")
        self.decoupled = decoupled
        maximize = options.bool("maximize")
    }

    init(beta1: Double, beta2: Double, weightDecay: Double, decoupled: Bool, maximize: Bool) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.weightDecay = weightDecay
        self.decoupled = decoupled
        self.maximize = maximize
    }

    /// Element i (or elements i, i + 1, ... in `V`'s lanes): writes m[i] and v[i], returns the
    /// decayed parameter, the gradient used and the new m and v. `decay` is 1 - lr * weight_decay
    /// (read only for decoupled decay).
    @inline(__always)
    func update<V: ElementLanes>(parameter: V, gradient: V, decay: Double, m: UnsafeMutablePointer<Double>,
                                 v: UnsafeMutablePointer<Double>, index i: Int) -> (parameter: V, gradient: V, m: V, v: V) {
        // Sound: the caller's slots hold the elements from i on that V's lanes cover.
        var p = parameter
        var g = maximize ? -gradient : gradient
        if weightDecay != 0 {
            if decoupled { p = p * V(broadcast: decay) } else { g = g + V(broadcast: weightDecay) * p }
        }
        let first = TorchArithmetic.lerp(V(loading: m + i), g, 1 - beta1)
        let second = V(loading: v + i) * V(broadcast: beta2) + (V(broadcast: 1 - beta2) * g) * g
        first.store(to: m + i)
        second.store(to: v + i)
        return (p, g, first, second)
    }
}
