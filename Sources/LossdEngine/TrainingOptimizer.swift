// SPDX-License-Identifier: Apache-2.0

/// What the registry and the job builder know of any optimizer, before its kind matters: an
/// element-wise ``Optimizer`` (SGD, Adam, ...) or a ``WholeVectorOptimizer`` (LBFGS, Adafactor).
public protocol TrainingOptimizer: Sendable {
    /// The registry entry: names and options with PyTorch's defaults.
    static var descriptor: ComponentDescriptor { get }

    /// Creates the optimizer from checked options; range checks throw `invalidOption` naming
    /// the option.
    init(options: ComponentOptions) throws(EngineError)

    /// The `lr` option: the learning rate before any scheduler (`param_group["initial_lr"]`).
    var learningRate: Double { get }

    /// The per-element state slots, named as in `optimizer.state[p]`; [] for an optimizer that
    /// keeps its state elsewhere (a ``WholeVectorOptimizer``'s memory).
    var stateNames: [String] { get }

    /// The scalar state besides the update count, named as in `optimizer.state[p]`
    /// (`mu_product`, ...); none by default (a ``WholeVectorOptimizer`` keeps its in its memory).
    var scalarNames: [String] { get }

    /// The scalar state before the first update, one value per ``scalarNames`` entry.
    var initialScalars: [Double] { get }

    /// The float64 values the optimizer keeps from step to step (and allocates inside a step, in
    /// proportion to the parameters) for parameter tensors of `shapes`: what a job's memory
    /// estimate counts as optimizer state (``MemoryEstimate``). The default is one value per
    /// element per ``stateNames`` slot.
    func stateElements(shapes: [[Int]]) -> Int
}

extension TrainingOptimizer {
    public var scalarNames: [String] { [] }

    public var initialScalars: [Double] { [] }

    public func stateElements(shapes: [[Int]]) -> Int {
        MemoryEstimate.product(stateNames.count, MemoryEstimate.sum(shapes.map(MemoryEstimate.elements)))
    }
}
