// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdModel

/// The optimizers lossd knows, by name.
///
/// Adding an optimizer: write its type in `Optimizers/`, then add one line to
/// `BuiltinOptimizers.swift`. Registration is generic so that the engine's step loop is
/// specialised for the concrete optimizer type.
public typealias OptimizerRegistry = ComponentRegistry<OptimizerEntry>

/// One registered optimizer.
public struct OptimizerEntry: ComponentEntry {
    public static let kind = ComponentKind.optimizer

    public let descriptor: ComponentDescriptor
    public let origin: String
    public let make: @Sendable (ComponentOptions) throws(EngineError) -> any TrainingOptimizer
    /// What a scheduler's `cycle_momentum` sets on this optimizer; nil when it is not
    /// ``MomentumCyclable`` (the scheduler is then refused).
    public let cycledMomentum: CycledMomentum?
    /// Builds a job's step loop, specialised for this optimizer type.
    let makeKernel: @Sendable (any TrainingOptimizer, KernelSetup) -> any JobKernel
    /// Builds a model job's step loop, specialised for this optimizer type.
    let makeModelKernel: @Sendable (any TrainingOptimizer, ModelKernelSetup) -> any JobKernel
}

extension ComponentRegistry.Builder where Entry == OptimizerEntry {
    /// Registers an optimizer type. A name already taken is an error naming both origins.
    public mutating func register<O: Optimizer>(_ type: O.Type, origin: String = "built-in") throws(EngineError) {
        try add(OptimizerEntry(
            descriptor: O.descriptor, origin: origin,
            make: { options throws(EngineError) in try O(options: options) },
            cycledMomentum: (O.self as? any MomentumCyclable.Type)?.cycledMomentum,
            makeKernel: { optimizer, setup in KernelFactory.make(optimizer as! O, setup) },
            makeModelKernel: { optimizer, setup in
                ModelKernel(update: ElementwiseModelUpdate(optimizer as! O, count: setup.parameters.count), setup: setup) { $0.runLoop($1) }
            }))
    }

    /// Registers a whole-vector optimizer type (``WholeVectorOptimizer``): its free-tensor jobs
    /// run ``WholeVectorKernel``, its model jobs ``ModelKernel`` with ``WholeVectorModelUpdate``. A name already taken is an error naming both origins.
    public mutating func register<O: WholeVectorOptimizer>(_ type: O.Type, origin: String = "built-in") throws(EngineError) {
        try add(OptimizerEntry(
            descriptor: O.descriptor, origin: origin,
            make: { options throws(EngineError) in try O(options: options) },
            cycledMomentum: nil,
            makeKernel: { optimizer, setup in
                WholeVectorKernel(optimizer: optimizer as! O, objective: FreeTensorObjective(setup),
                                  fallible: setup.loss is any FallibleLoss, parameters: setup.arguments[0].scalars,
                                  shapes: [setup.arguments[0].shape], control: setup.control)
            },
            makeModelKernel: { optimizer, setup in
                ModelKernel(update: WholeVectorModelUpdate(optimizer as! O, shapes: setup.model.layout.entries.map(\.shape)),
                            setup: setup) { $0.runLoop($1) }
            }))
    }
}
