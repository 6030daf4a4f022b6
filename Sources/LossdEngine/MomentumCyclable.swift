// SPDX-License-Identifier: Apache-2.0

/// An optimizer whose momentum (or beta1) a scheduler with `cycle_momentum` (CyclicLR,
/// OneCycleLR) sets before every update.
///
/// PyTorch's schedulers write `param_group["momentum"]` when the optimizer's defaults have
/// `momentum`, else `param_group["betas"][0]` when they have `betas`, and refuse an optimizer
/// with neither. An optimizer type conforms by saying which (``cycledMomentum``), by laying out
/// its state for a momentum that changes (``cyclingMomentum()``) and by computing its constants
/// with the momentum in effect (``Optimizer/constants(update:learningRate:momentum:)``, whose
/// default ignores it). A scheduler that cycles momentum with an optimizer that does not
/// conform is refused (`lossd check` names the option `cycle_momentum`).
///
/// Conforming: SGD and RMSprop (`momentum`); Adam, AdamW, Adamax, NAdam and RAdam (`betas[0]`).
public protocol MomentumCyclable: Optimizer {
    /// The param-group value the scheduler sets.
    static var cycledMomentum: CycledMomentum { get }

    /// The optimizer as the scheduler's construction leaves it: its state slots laid out for a
    /// momentum set every step (SGD's and RMSprop's `momentum_buffer` exists even when the
    /// `momentum` option is 0, as PyTorch's scheduler sets it to max_momentum).
    func cyclingMomentum() -> Self
}

/// Which value of an optimizer's parameter group `cycle_momentum` sets.
public enum CycledMomentum: String, Sendable {
    /// `param_group["momentum"]` (SGD, RMSprop).
    case momentum
    /// `param_group["betas"][0]` (Adam, AdamW, Adamax, NAdam, RAdam).
    case beta1
}
