// SPDX-License-Identifier: Apache-2.0

/// Code run once per built-in loss type, with the type known statically (``BuiltinLosses/visit(_:)``).
///
/// The overload a type reaches is chosen from its conformances where the list names it: a
/// ``PointwiseLoss`` reaches the element-wise `visit`, another ``ChunkedLoss`` the chunked one,
/// any other loss the plain one. So code written for a capability (the training engine's fused
/// step loop for element-wise losses) applies to every loss that has it, and is compiled for
/// each such type, with no list of its own.
public protocol BuiltinLossVisitor {
    /// A loss without a chunked form.
    mutating func visit<L: BuiltinLoss>(_ type: L.Type)
    /// A loss that can be evaluated chunk by chunk.
    mutating func visit<L: BuiltinLoss & ChunkedLoss>(_ type: L.Type)
    /// An element-wise loss.
    mutating func visit<L: BuiltinLoss & PointwiseLoss>(_ type: L.Type)
}
