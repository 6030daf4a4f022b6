// SPDX-License-Identifier: Apache-2.0

import LossKit

/// The step loop of an element-wise (``ChunkedLoss``) job, specialised for its step type: the
/// fused pass (``FusedStep``) or the one with a gradient buffer (``BufferedStep``).
///
/// The elements are cut into chunks of `chunkSize` (fixed by the job, never by the thread count).
/// Per step, each chunk applies the pending update k-1 and evaluates step k, yielding its loss
/// sum and gradient sum of squares (each in ``LaneSum``'s order: 8 lanes, element i into lane
/// (i - chunk start) mod 8, the lanes added pairwise; one accumulator under 64 elements); the
/// step adds them in chunk order. A narrow job (or one run
/// without an executor) goes through the chunks in one tight loop; a wide job run by the engine
/// hands the chunks of each pass to the workers. Every element sees the same operations either
/// way, so results are bit-identical.
///
/// Between runs the last update may still be pending (the next run applies it in its first
/// pass); whatever reads the parameters or the optimizer state applies it first (``settle()``),
/// so observers only ever see step boundaries. A job that ends has no pending update.
final class ElementwiseKernel<Step: ElementwiseStep>: JobKernel, ChunkWork, @unchecked Sendable {
    // @unchecked Sendable: see JobKernel's ownership rule. During a phase the coordinating
    // thread and the helpers touch disjoint chunk ranges through `phase`'s pointers, and the
    // phase's atomics order those accesses (ChunkPhase).
    let step: Step
    let count: Int
    let chunkSize: Int
    let chunkCount: Int
    private(set) var control: StepControl
    private(set) var status: JobStatus = .running
    private var parameters: [Double]
    /// Step k's gradient when the step keeps it, else one unused element.
    private var gradient: [Double]
    private var state: [Double]
    private let target: [Double]
    /// Per chunk: loss sum and gradient sum of squares (wide jobs on several threads only).
    private var partials: [Double] = []
    /// The update of the last step taken, not applied yet (nil at a step boundary).
    private var pending: Step.O.Constants?
    private var phase = Phase()
    /// ``runSerial(_:)`` and ``runChunkLoop(_:)``, made where `Step` is concrete (this init,
    /// specialised at KernelFactory's sites), so that these calls reach code specialised for it
    /// (a generic class's methods called through a protocol, as the engine and the chunk phases
    /// call ``run(steps:executor:)`` and ``runChunk(_:)``, run unspecialised).
    private let serialLoop: (ElementwiseKernel, Int) -> JobStatus
    private let chunkLoop: (ElementwiseKernel, Int) -> Void

    /// What the helpers of one phase read.
    private struct Phase {
        var buffers: ElementBuffers?
        var partials: UnsafeMutablePointer<Double>?
        /// The update to apply first, if any.
        var constants: Step.O.Constants?
        /// Whether to evaluate the loss after the update.
        var evaluate = true
    }

    init(loss: Step.L, optimizer: Step.O, setup: KernelSetup) {
        count = setup.count
        chunkSize = setup.chunkSize
        chunkCount = count / chunkSize + (count % chunkSize == 0 ? 0 : 1)
        step = Step(loss: loss, optimizer: optimizer, scale: loss.chunkScale(count: count))
        control = setup.control
        parameters = setup.arguments[0].scalars
        gradient = Array(repeating: 0, count: Step.keepsGradient ? count : 1)
        state = optimizer.initialStateBuffer(count: count)
        target = setup.arguments[1].scalars
        serialLoop = { $0.runSerial($1) }
        chunkLoop = { $0.runChunkLoop($1) }
    }

    var parameterValues: [Double] {
        settle()
        return parameters
    }

    var optimizerState: [Double] {
        settle()
        return step.optimizer.stateNames.isEmpty ? [] : state
    }

    /// Applies the pending update, if any: the job is then at a step boundary.
    private func settle() {
        guard let constants = pending else { return }
        pending = nil
        withBuffers { step.update(constants, 0..<count, $0) }
    }

    func restore(_ snapshot: KernelSnapshot) {
        pending = nil
        control.restore(snapshot)
        status = snapshot.status
        parameters = snapshot.parameters
        if !step.optimizer.stateNames.isEmpty { state = snapshot.optimizerState }
    }

    func run(steps budget: Int, executor: (any ChunkExecutor)?) -> JobStatus {
        status = statusAfter {
            if let executor, chunkCount > 1 { runPhases(budget, executor) } else { serialLoop(self, budget) }
        }
        return status
    }

    /// Runs `body` with the job's buffers.
    @inline(__always)
    private func withBuffers<R>(_ body: (ElementBuffers) -> R) -> R {
        parameters.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeMutableBufferPointer { g in
                state.withUnsafeMutableBufferPointer { s in
                    target.withUnsafeBufferPointer { t in
                        // Sound: the sizes ElementBuffers documents, fixed since init (parameters
                        // and target hold `count` >= 1 elements); the pointers do not outlive body.
                        body(ElementBuffers(parameters: p.baseAddress!, gradient: g.baseAddress!, state: s.baseAddress!,
                                            target: t.baseAddress!, count: count))
                    }
                }
            }
        }
    }

    // MARK: - One thread

    func runSerial(_ budget: Int) -> JobStatus {
        let n = count, size = chunkSize, step = self.step
        let initial = (control, pending)
        // The step state is a local of the innermost closure (copied in and out once per run), so
        // that the compiler can keep its fields in registers; captured by the closures, it would
        // live in memory and be loaded and stored at every step.
        let (status, control, pending) = withBuffers { b in
            var (c, pending) = initial
            for _ in 0..<budget {
                var total = 0.0, squares = 0.0
                var start = 0
                repeat {
                    let end = Swift.min(start + size, n)
                    let (part, partSquares) = step.pass(pending, start..<end, b)
                    total += part
                    squares += partSquares
                    start = end
                } while start < n
                pending = nil
                if let stop = step.endStep(&c, &pending, total: total, squares: squares, b, finish: { step.update($0, 0..<n, b) }) {
                    return (stop, c, pending)
                }
            }
            return (JobStatus.running, c, pending)
        }
        self.control = control
        self.pending = pending
        return status
    }

    // MARK: - Several threads

    private func runPhases(_ budget: Int, _ executor: any ChunkExecutor) -> JobStatus {
        let chunks = chunkCount, step = self.step
        if partials.count != 2 * chunks { partials = Array(repeating: 0, count: 2 * chunks) }
        var c = control, pending = self.pending
        defer {
            control = c
            self.pending = pending
        }
        return withBuffers { b in
            partials.withUnsafeMutableBufferPointer { chunkSums in
                // Sound: partials holds 2 * chunkCount elements (loss and squares per chunk).
                // The pointers live in `phase` only inside here.
                phase = Phase(buffers: b, partials: chunkSums.baseAddress)
                defer { phase = Phase() }
                let work = ChunkPhase(work: self, chunks: chunks)
                for _ in 0..<budget {
                    phase.constants = pending
                    phase.evaluate = true
                    executor.execute(work)
                    pending = nil
                    var total = 0.0, squares = 0.0
                    for chunk in 0..<chunks {
                        total += chunkSums[2 * chunk]
                        squares += chunkSums[2 * chunk + 1]
                    }
                    let stop = step.endStep(&c, &pending, total: total, squares: squares, b) { constants in
                        phase.constants = constants
                        phase.evaluate = false
                        executor.execute(work)
                    }
                    if let stop { return stop }
                }
                return .running
            }
        }
    }

    /// One chunk of the current phase (any thread).
    func runChunk(_ chunk: Int) {
        chunkLoop(self, chunk)
    }

    /// ``runChunk(_:)``'s work.
    func runChunkLoop(_ chunk: Int) {
        let phase = self.phase
        let range = chunk * chunkSize ..< Swift.min((chunk + 1) * chunkSize, count)
        // Sound: runPhases set the buffers before starting the phase and keeps them valid until
        // the phase is done; this chunk's elements are touched by this thread only.
        let buffers = phase.buffers!
        if phase.evaluate {
            let (total, squares) = step.pass(phase.constants, range, buffers)
            phase.partials![2 * chunk] = total
            phase.partials![2 * chunk + 1] = squares
        } else {
            step.update(phase.constants!, range, buffers)
        }
    }
}
