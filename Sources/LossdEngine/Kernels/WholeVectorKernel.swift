// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdSync

/// The step loop of a job with a ``WholeVectorOptimizer`` (LBFGS, Adafactor), on one thread,
/// for any loss: the optimizer drives the loss through an ``Objective`` and may evaluate it
/// several times per step.
///
/// Step k:
///
///     L_k, g_k = objective at the parameters             (the step's reported loss)
///     judge (StepControl): may stop here, with no update
///     optimizer.step(update: k, L_k, g_k, parameters, memory, objective)
///     advance: the scheduler's step, then max_steps
///
/// The whole vector is one piece: a wide job's `chunk_size` does not cut it (whole-vector dot
/// products and norms need every element; they add in index order, so results do not depend
/// on the chunk size or the worker count either). An objective that fails (a plugin loss)
/// fails the job with the parameters and memory of the last step boundary.
final class WholeVectorKernel<O: WholeVectorOptimizer, F: Objective>: JobKernel, @unchecked Sendable {
    // @unchecked Sendable: see JobKernel's ownership rule (never touched by two threads at once).
    let optimizer: O
    /// The parameter tensors' shapes, concatenated in the flat vector.
    let shapes: [[Int]]
    private(set) var control: StepControl
    private(set) var status: JobStatus = .running
    private var parameters: [Double]
    private var memory: O.Memory
    private var objective: F
    /// Whether the objective can fail (a plugin loss): steps are then announced to the
    /// plugin-call board.
    private let fallible: Bool

    init(optimizer: O, objective: F, fallible: Bool, parameters: [Double], shapes: [[Int]], control: StepControl) {
        self.optimizer = optimizer
        self.objective = objective
        self.fallible = fallible
        self.parameters = parameters
        self.shapes = shapes
        self.control = control
        memory = optimizer.initialMemory(shapes: shapes)
    }

    var parameterValues: [Double] { parameters }
    var optimizerState: [Double] { [] }
    var optimizerMemory: [JobCheckpoint.Slot]? { optimizer.savedMemory(memory) }

    func acceptsMemory(_ entries: [JobCheckpoint.Slot]?) -> Bool {
        entries.flatMap { optimizer.restoredMemory($0, shapes: shapes) } != nil
    }

    func restore(_ snapshot: KernelSnapshot) {
        control.restore(snapshot)
        status = snapshot.status
        parameters = snapshot.parameters
        if let entries = snapshot.optimizerMemory, let restored = optimizer.restoredMemory(entries, shapes: shapes) {
            memory = restored
        }
    }

    func run(steps budget: Int, executor: (any ChunkExecutor)?) -> JobStatus {
        status = statusAfter { runLoop(budget) }
        return status
    }

    private func runLoop(_ budget: Int) -> JobStatus {
        var c = control
        defer { control = c }
        for _ in 0..<budget {
            let number = c.step + 1
            if fallible { WorkerContext.setStep(number) }  // for the plugin-call board
            var x = parameters, m = memory
            do throws(LossError) {
                let (value, gradient) = try objective.evaluate(x)
                var squares = 0.0
                for g in gradient { squares += g * g }
                // x holds the parameters the loss was evaluated at (metrics of a recorded row).
                let judged = x.withUnsafeBufferPointer { p in
                    c.judge(loss: value, squares: squares, output: p.baseAddress, gradientIsFinite: { gradient.allSatisfy(\.isFinite) })
                }
                if let stop = judged { return stop }
                try optimizer.step(update: c.step, learningRate: c.learningRate, loss: value, gradient: gradient,
                                   parameters: &x, memory: &m, objective: &objective)
            } catch {
                return .failed(code: .lossFailed, reason: "step \(number): \(error.message)")
            }
            parameters = x
            memory = m
            if let stop = c.advance() { return stop }
        }
        return .running
    }
}
