// SPDX-License-Identifier: Apache-2.0

/// How a loss reduces its per-element values, as PyTorch's `reduction=` argument.
///
/// The raw values follow ATen's `Reduction.h` (`none = 0`, `mean = 1`, `sum = 2`); the plugin ABI
/// uses those integers. `KLDivLoss` also accepts `batchmean`, which is modelled separately by that
/// loss because no other loss has it.
public enum Reduction: String, CaseIterable, Sendable {
    case none
    case mean
    case sum

    /// ATen's integer for this reduction (`at::Reduction::Reduction`).
    public var atenValue: Int32 {
        switch self {
        case .none: 0
        case .mean: 1
        case .sum: 2
        }
    }

    /// The reduction for one of ATen's integers, or `nil`.
    public init?(atenValue: Int32) {
        switch atenValue {
        case 0: self = .none
        case 1: self = .mean
        case 2: self = .sum
        default: return nil
        }
    }
}
