// SPDX-License-Identifier: Apache-2.0

import LossKit

/// The step loop of an element-wise (``ChunkedLoss``) job, specialised for `L` and `O`: the
/// loop for a chunked loss that is not a ``PointwiseLoss``, or an optimizer without
/// ``ElementUpdate`` (a plugin's); ``PointwiseKernel`` fuses the others into one pass per step.
///
/// The elements are cut into chunks of `chunkSize` (fixed by the job, never by the thread count).
/// Per step, each chunk yields its loss sum and gradient sum of squares; the step adds them in
/// chunk order. A narrow job (or one run without an executor) goes through the chunks in one
/// tight loop; a wide job run by the engine hands the chunks to the workers in phases, each
/// phase applying the pending update k-1 to a chunk and then evaluating step k on it. Every
/// element sees the same operations either way, so results are bit-identical.
final class ChunkedKernel<L: ChunkedLoss, O: Optimizer>: JobKernel, ChunkWork, @unchecked Sendable {
    // @unchecked Sendable: see JobKernel's ownership rule. During a phase the coordinating
    // thread and the helpers touch disjoint chunk ranges through `phase`'s pointers, and the
    // phase's atomics order those accesses (ChunkPhase).
    let loss: L
    let optimizer: O
    let count: Int
    let chunkSize: Int
    let chunkCount: Int
    let scale: Double
    private(set) var control: StepControl
    private(set) var status: JobStatus = .running
    private var parameters: [Double]
    private var gradient: [Double]
    private var state: [Double]
    private let target: [Double]
    private var partials: [Double]
    private var squares: [Double]
    private var phase = Phase()
    /// ``runSerial(_:)``, passed in by KernelFactory from a site where L and O are concrete, so
    /// that this call reaches the specialised loop.
    private let serialLoop: (ChunkedKernel, Int) -> JobStatus

    /// What the helpers of one phase read: buffers and the pending update.
    private struct Phase {
        var parameters: UnsafeMutablePointer<Double>?
        var gradient: UnsafeMutablePointer<Double>?
        var state: UnsafeMutablePointer<Double>?
        var target: UnsafePointer<Double>?
        var partials: UnsafeMutablePointer<Double>?
        var squares: UnsafeMutablePointer<Double>?
        /// The update to apply first, if any.
        var constants: O.Constants?
        /// Whether to evaluate the loss after the update.
        var evaluate = true
    }

    init(loss: L, optimizer: O, setup: KernelSetup, serialLoop: @escaping (ChunkedKernel, Int) -> JobStatus) {
        self.serialLoop = serialLoop
        self.loss = loss
        self.optimizer = optimizer
        count = setup.count
        chunkSize = setup.chunkSize
        chunkCount = count / chunkSize + (count % chunkSize == 0 ? 0 : 1)
        scale = loss.chunkScale(count: count)
        control = setup.control
        parameters = setup.arguments[0].scalars
        gradient = Array(repeating: 0, count: count)
        state = optimizer.initialStateBuffer(count: count)
        target = setup.arguments[1].scalars
        partials = Array(repeating: 0, count: chunkCount)
        squares = Array(repeating: 0, count: chunkCount)
    }

    var parameterValues: [Double] { parameters }
    var optimizerState: [Double] { optimizer.stateNames.isEmpty ? [] : state }

    func restore(_ snapshot: KernelSnapshot) {
        control.restore(snapshot)
        status = snapshot.status
        parameters = snapshot.parameters
        if !optimizer.stateNames.isEmpty { state = snapshot.optimizerState }
    }

    func run(steps budget: Int, executor: (any ChunkExecutor)?) -> JobStatus {
        status = statusAfter {
            if let executor, chunkCount > 1 { runPhases(budget, executor) } else { serialLoop(self, budget) }
        }
        return status
    }

    // MARK: - One thread

    func runSerial(_ budget: Int) -> JobStatus {
        let n = count, size = chunkSize, scale = self.scale
        let loss = self.loss, optimizer = self.optimizer
        let initial = control
        // The step state is a local of the innermost closure, as in PointwiseKernel.runSerial.
        let (status, control) = parameters.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeMutableBufferPointer { g in
                state.withUnsafeMutableBufferPointer { s in
                    target.withUnsafeBufferPointer { t in
                        // Sound: parameters, gradient and target hold `count` (>= 1) elements and
                        // state stateNames.count * count (at least 1), fixed since init.
                        let pp = p.baseAddress!, gp = g.baseAddress!, sp = s.baseAddress!, tp = t.baseAddress!
                        var c = initial
                        for _ in 0..<budget {
                            var total = 0.0, squares = 0.0
                            var start = 0
                            repeat {
                                let end = Swift.min(start + size, n)
                                let part = loss.evaluateChunk(start..<end, input: pp, target: tp, gradient: gp, scale: scale)
                                var chunkSquares = 0.0
                                for i in start..<end { chunkSquares += gp[i] * gp[i] }
                                total += part
                                squares += chunkSquares
                                start = end
                            } while start < n
                            let value = loss.chunkedValue(sum: total, count: n)
                            if let stop = c.judge(loss: value, squares: squares, gradientIsFinite: { StepControl.allFinite(gp, n) }) {
                                return (stop, c)
                            }
                            let constants = optimizer.constants(update: c.step, learningRate: c.learningRate)
                            optimizer.apply(constants, range: 0..<n, parameters: pp, gradients: gp, state: sp, count: n)
                            if let stop = c.advance() { return (stop, c) }
                        }
                        return (JobStatus.running, c)
                    }
                }
            }
        }
        self.control = control
        return status
    }

    // MARK: - Several threads

    private func runPhases(_ budget: Int, _ executor: any ChunkExecutor) -> JobStatus {
        var c = control
        defer { control = c }
        let n = count, chunks = chunkCount
        return parameters.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeMutableBufferPointer { g in
                state.withUnsafeMutableBufferPointer { s in
                    target.withUnsafeBufferPointer { t in
                        partials.withUnsafeMutableBufferPointer { chunkLoss in
                            squares.withUnsafeMutableBufferPointer { chunkSquares in
                                // Sound: as in runSerial; partials and squares hold chunkCount
                                // elements. The pointers live in `phase` only inside this closure.
                                phase = Phase(parameters: p.baseAddress, gradient: g.baseAddress, state: s.baseAddress,
                                              target: t.baseAddress, partials: chunkLoss.baseAddress,
                                              squares: chunkSquares.baseAddress)
                                defer { phase = Phase() }
                                let work = ChunkPhase(work: self, chunks: chunks)
                                var result = JobStatus.running
                                var pending: O.Constants?
                                for _ in 0..<budget {
                                    phase.constants = pending
                                    phase.evaluate = true
                                    executor.execute(work)
                                    pending = nil
                                    var total = 0.0, squares = 0.0
                                    for chunk in 0..<chunks {
                                        total += chunkLoss[chunk]
                                        squares += chunkSquares[chunk]
                                    }
                                    let value = loss.chunkedValue(sum: total, count: n)
                                    if let stop = c.judge(loss: value, squares: squares, gradientIsFinite: { StepControl.allFinite(g.baseAddress!, n) }) {
                                        result = stop
                                        break
                                    }
                                    pending = optimizer.constants(update: c.step, learningRate: c.learningRate)
                                    if let stop = c.advance() {
                                        result = stop
                                        break
                                    }
                                }
                                if let pending {  // leave the job at a step boundary: update applied
                                    phase.constants = pending
                                    phase.evaluate = false
                                    executor.execute(work)
                                }
                                return result
                            }
                        }
                    }
                }
            }
        }
    }

    /// One chunk of the current phase (any thread).
    func runChunk(_ chunk: Int) {
        let phase = self.phase
        let range = chunk * chunkSize ..< Swift.min((chunk + 1) * chunkSize, count)
        // Sound: runPhases set every pointer before starting the phase and keeps them valid
        // until the phase is done; this chunk's elements are touched by this thread only.
        let p = phase.parameters!, g = phase.gradient!
        if let constants = phase.constants {
            optimizer.apply(constants, range: range, parameters: p, gradients: g, state: phase.state!, count: count)
        }
        guard phase.evaluate else { return }
        let part = loss.evaluateChunk(range, input: p, target: phase.target!, gradient: g, scale: scale)
        var chunkSquares = 0.0
        for i in range { chunkSquares += g[i] * g[i] }
        phase.partials![chunk] = part
        phase.squares![chunk] = chunkSquares
    }
}
