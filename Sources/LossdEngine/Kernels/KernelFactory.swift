// SPDX-License-Identifier: Apache-2.0

import LossKit

/// Picks a job's step loop and, for the built-in types, specialises it.
///
/// Swift specialises generic code only where the concrete types are known at compile time, and a
/// generic class's methods reached through a protocol run unspecialised. So each kernel makes its
/// step loop into closures where its types are concrete, and the kernels are created at sites
/// where the loss and optimizer types are concrete: the loop is then compiled for the pair, with
/// the per-element loss and update code inlined and no dynamic call per step.
///
/// The loop follows from the loss's conformances: an element-wise loss (``PointwiseLoss``) with
/// a built-in optimizer gets the fused pass (``FusedStep``); another ``ChunkedLoss``, or a plugin
/// optimizer, the pass with a gradient buffer (``BufferedStep``); both run in
/// ``ElementwiseKernel``. Any other loss gets ``WholeLossKernel``. The loss types come from
/// ``BuiltinLosses``, whose one line per loss is all a new loss needs.
///
/// Any other loss or optimizer (a plugin, a test's) gets the same loops through opened
/// existentials: generic code, identical results, slower per step. Adding an optimizer to the
/// fast path: one `case` line in ``withOptimizer(_:_:)`` (it must conform to ``ElementUpdate``).
enum KernelFactory {
    /// The kernel for `optimizer` (static type `O` from its registry entry) and `setup`.
    static func make<O: Optimizer>(_ optimizer: O, _ setup: KernelSetup) -> any JobKernel {
        var builtin = BuiltinLoss(optimizer: optimizer, setup: setup)
        BuiltinLosses.visit(&builtin)
        if let kernel = builtin.kernel { return kernel }
        if let loss = setup.loss as? any PointwiseLoss, let kernel = pointwise(loss, optimizer, setup) { return kernel }
        if let loss = setup.loss as? any ChunkedLoss, let kernel = chunked(loss, optimizer, setup) { return kernel }
        if let kernel = withOptimizer(optimizer, WholeLoss(setup: setup)) { return kernel }
        return WholeLossKernel(loss: setup.loss, optimizer: optimizer, setup: setup, loop: { $0.runLoop($1) })
    }

    // MARK: - Losses

    /// The kernel of a built-in loss, with the loss's type known statically.
    private struct BuiltinLoss: BuiltinLossVisitor {
        let optimizer: any Optimizer
        let setup: KernelSetup
        var kernel: (any JobKernel)?

        mutating func visit<L: LossKit.BuiltinLoss>(_ type: L.Type) {}

        mutating func visit<L: LossKit.BuiltinLoss & ChunkedLoss>(_ type: L.Type) {
            guard kernel == nil, let loss = setup.loss as? L else { return }
            kernel = chunked(loss, optimizer, setup)
        }

        mutating func visit<L: LossKit.BuiltinLoss & PointwiseLoss>(_ type: L.Type) {
            guard kernel == nil, let loss = setup.loss as? L else { return }
            kernel = pointwise(loss, optimizer, setup)
        }
    }

    /// The fused loop with a built-in optimizer, else the buffered one; nil when these arguments
    /// cannot be cut into chunks.
    private static func pointwise<L: PointwiseLoss>(_ loss: L, _ optimizer: any Optimizer, _ setup: KernelSetup) -> (any JobKernel)? {
        guard loss.supportsChunks(setup.arguments) else { return nil }
        return withOptimizer(optimizer, Fused(loss: loss, setup: setup)) ?? buffered(loss, optimizer, setup)
    }

    /// The buffered loop; nil when these arguments cannot be cut into chunks.
    private static func chunked<L: ChunkedLoss>(_ loss: L, _ optimizer: any Optimizer, _ setup: KernelSetup) -> (any JobKernel)? {
        guard loss.supportsChunks(setup.arguments) else { return nil }
        return buffered(loss, optimizer, setup)
    }

    private static func buffered<L: ChunkedLoss, O: Optimizer>(_ loss: L, _ optimizer: O, _ setup: KernelSetup) -> any JobKernel {
        ElementwiseKernel<BufferedStep<L, O>>(loss: loss, optimizer: optimizer, setup: setup)
    }

    // MARK: - Optimizers

    /// Something that builds a kernel once the optimizer type is known.
    private protocol Builder {
        func build<O: ElementUpdate>(_ optimizer: O) -> (any JobKernel)?
    }

    @inline(__always)
    private static func withOptimizer<B: Builder>(_ optimizer: any Optimizer, _ builder: B) -> (any JobKernel)? {
        switch optimizer {
        case let optimizer as SGD:
            if let plain = PlainSGD(optimizer) { builder.build(plain) } else { builder.build(optimizer) }
        case let optimizer as Adam: builder.build(optimizer)
        case let optimizer as AdamW: builder.build(optimizer)
        case let optimizer as RMSprop: builder.build(optimizer)
        case let optimizer as Adagrad: builder.build(optimizer)
        case let optimizer as Adadelta: builder.build(optimizer)
        case let optimizer as Adamax: builder.build(optimizer)
        case let optimizer as NAdam: builder.build(optimizer)
        case let optimizer as RAdam: builder.build(optimizer)
        case let optimizer as ASGD: builder.build(optimizer)
        case let optimizer as Rprop: builder.build(optimizer)
        default: nil
        }
    }

    private struct Fused<L: PointwiseLoss>: Builder {
        let loss: L
        let setup: KernelSetup

        @inline(__always)
        func build<O: ElementUpdate>(_ optimizer: O) -> (any JobKernel)? {
            ElementwiseKernel<FusedStep<L, O>>(loss: loss, optimizer: optimizer, setup: setup)
        }
    }

    private struct WholeLoss: Builder {
        let setup: KernelSetup

        @inline(__always)
        func build<O: ElementUpdate>(_ optimizer: O) -> (any JobKernel)? {
            WholeLossKernel(loss: setup.loss, optimizer: optimizer, setup: setup) { $0.runLoop($1) }
        }
    }
}
