// SPDX-License-Identifier: Apache-2.0

/// The kinds of `torch.optim` component the engine registers; the raw value names the kind in
/// messages and config keys.
public enum ComponentKind: String, Sendable {
    case optimizer, scheduler

    /// The code of the error for a name no registered component of this kind answers to.
    public var unknownNameCode: EngineError.Code {
        switch self {
        case .optimizer: .unknownOptimizer
        case .scheduler: .unknownScheduler
        }
    }
}
