// SPDX-License-Identifier: Apache-2.0

import LossKit

/// A ``WholeVectorOptimizer`` in a model job: its memory kept here, for the model's parameter
/// tensors (their `state_dict` shapes: Adafactor factors each 2-D weight by rows and columns).
/// The objective it evaluates inside a step is the step's batch, as a PyTorch closure over the
/// current batch is.
struct WholeVectorModelUpdate<O: WholeVectorOptimizer>: ModelUpdate {
    let optimizer: O
    let shapes: [[Int]]
    private var memory: O.Memory

    init(_ optimizer: O, shapes: [[Int]]) {
        self.optimizer = optimizer
        self.shapes = shapes
        memory = optimizer.initialMemory(shapes: shapes)
    }

    var optimizerState: [Double] { [] }
    var optimizerMemory: [JobCheckpoint.Slot]? { optimizer.savedMemory(memory) }

    func acceptsMemory(_ entries: [JobCheckpoint.Slot]?) -> Bool {
        entries.flatMap { optimizer.restoredMemory($0, shapes: shapes) } != nil
    }

    mutating func restore(_ snapshot: KernelSnapshot) {
        if let entries = snapshot.optimizerMemory, let restored = optimizer.restoredMemory(entries, shapes: shapes) {
            memory = restored
        }
    }

    /// `momentum` and `scalars` are unused: a whole-vector optimizer has no cycled momentum and
    /// keeps its state in its memory.
    mutating func apply(update: Int, learningRate: Double, momentum: Double?, scalars: inout [Double], loss: Double,
                        gradient: [Double], parameters: inout [Double],
                        evaluate: ([Double], inout [Double]) throws(LossError) -> Double) throws(LossError) {
        try withoutActuallyEscaping(evaluate) { (evaluate) throws(LossError) in
            // On copies: a failing evaluation leaves the parameters and memory of the step boundary.
            var objective = BatchObjective(evaluate: evaluate, gradient: gradient)
            var x = parameters, m = memory
            try optimizer.step(update: update, learningRate: learningRate, loss: loss, gradient: gradient,
                               parameters: &x, memory: &m, objective: &objective)
            parameters = x
            memory = m
        }
    }

    /// The step's batch as an ``Objective``.
    private struct BatchObjective: Objective {
        let evaluate: ([Double], inout [Double]) throws(LossError) -> Double
        /// The gradient buffer the evaluations write (its size: the parameters').
        var gradient: [Double]

        mutating func evaluate(_ parameters: [Double]) throws(LossError) -> (loss: Double, gradient: [Double]) {
            let value = try evaluate(parameters, &gradient)
            return (value, gradient)
        }
    }
}
