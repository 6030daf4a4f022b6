// SPDX-License-Identifier: Apache-2.0

import LossKit

/// Picks a job's step loop and, for the built-in types, specialises it.
///
/// Swift specialises generic code only where the concrete types are known at compile time, and a
/// generic class's methods reached through a protocol run unspecialised. So each kernel takes its
/// step loop as a closure, and the tables below create the kernels, with those closures, at
/// sites where the loss and optimizer types are concrete: the loop is then compiled for the pair,
/// with the per-element loss and update code inlined and no dynamic call per step.
///
/// Element-wise losses (``PointwiseLoss``) with a built-in optimizer get the fused loop of
/// ``PointwiseKernel`` (one pass over memory per step); other ``ChunkedLoss`` types, or a plugin
/// optimizer, get ``ChunkedKernel``; any other loss ``WholeLossKernel``.
///
/// Any other loss or optimizer (a plugin, or a type not listed yet) gets the same loops through
/// opened existentials: generic code, identical results, slower per step. Adding a type to the
/// fast path: one `case` line in ``specialised(_:_:_:)`` (element-wise losses, which must conform
/// to ``PointwiseLoss``) or in ``withOptimizer(_:_:)`` (optimizers, which must conform to
/// ``ElementUpdate``).
enum KernelFactory {
    /// The kernel for `optimizer` (static type `O` from its registry entry) and `setup`.
    static func make<O: Optimizer>(_ optimizer: O, _ setup: KernelSetup) -> any JobKernel {
        if let kernel = specialised(setup.loss, optimizer, setup) { return kernel }
        if let loss = setup.loss as? any PointwiseLoss, let optimizer = optimizer as? any ElementUpdate,
           let kernel = genericPointwise(loss, optimizer, setup) { return kernel }
        if let loss = setup.loss as? any ChunkedLoss, let kernel = genericChunked(loss, optimizer, setup) { return kernel }
        if let kernel = withOptimizer(optimizer, WholeLoss(setup: setup)) { return kernel }
        return WholeLossKernel(loss: setup.loss, optimizer: optimizer, setup: setup, loop: { $0.runLoop($1) })
    }

    // MARK: - Element-wise losses

    private static func specialised(_ loss: any Loss, _ optimizer: any Optimizer, _ setup: KernelSetup) -> (any JobKernel)? {
        switch loss {
        case let loss as MSELoss: withOptimizer(optimizer, Fused(loss: loss, setup: setup))
        case let loss as L1Loss: withOptimizer(optimizer, Fused(loss: loss, setup: setup))
        case let loss as HuberLoss: withOptimizer(optimizer, Fused(loss: loss, setup: setup))
        case let loss as SmoothL1Loss: withOptimizer(optimizer, Fused(loss: loss, setup: setup))
        case let loss as SoftMarginLoss: withOptimizer(optimizer, Fused(loss: loss, setup: setup))
        case let loss as HingeEmbeddingLoss: withOptimizer(optimizer, Fused(loss: loss, setup: setup))
        default: nil
        }
    }

    private static func genericPointwise<L: PointwiseLoss, O: ElementUpdate>(_ loss: L, _ optimizer: O, _ setup: KernelSetup) -> (any JobKernel)? {
        guard loss.supportsChunks(setup.arguments) else { return nil }
        return PointwiseKernel(loss: loss, optimizer: optimizer, setup: setup,
                               serialLoop: { $0.runSerial($1) }, chunkLoop: { $0.runChunkLoop($1) })
    }

    private static func genericChunked<L: ChunkedLoss, O: Optimizer>(_ loss: L, _ optimizer: O, _ setup: KernelSetup) -> (any JobKernel)? {
        guard loss.supportsChunks(setup.arguments) else { return nil }
        return ChunkedKernel(loss: loss, optimizer: optimizer, setup: setup) { $0.runSerial($1) }
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
        default: nil
        }
    }

    private struct Fused<L: PointwiseLoss>: Builder {
        let loss: L
        let setup: KernelSetup

        @inline(__always)
        func build<O: ElementUpdate>(_ optimizer: O) -> (any JobKernel)? {
            guard loss.supportsChunks(setup.arguments) else { return nil }
            return PointwiseKernel(loss: loss, optimizer: optimizer, setup: setup,
                                   serialLoop: { $0.runSerial($1) }, chunkLoop: { $0.runChunkLoop($1) })
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
