// SPDX-License-Identifier: Apache-2.0

import LossKit

/// The fused step loop of an element-wise (``PointwiseLoss``) job with a built-in optimizer.
///
/// One pass over memory per step, with no gradient buffer: for each element, the pending
/// update k-1 is applied with the gradient recomputed from the element's current value, then
/// step k's loss and gradient are evaluated at the new value:
///
///     g  = dl(x_i, y_i)/dx * s           (the gradient of step k-1, recomputed: the same bits)
///     x_i = update(x_i, g)               (update k-1, written back)
///     l, g = l(x_i, y_i), dl/dx * s      (step k: summed into the chunk's loss and |g|^2)
///
/// So a wide job reads x and y and writes x once per step (24 bytes per element), as a
/// hand-written loop would. The elements are cut into chunks of `chunkSize` exactly as in
/// ``ChunkedKernel``, whose arithmetic this reproduces bit for bit: chunk sums in index order,
/// added in chunk order; a wide job run by the engine spreads the chunks of each pass over the
/// workers.
///
/// Between runs the last update may still be pending (the next run applies it in its first
/// pass); whatever reads the parameters or the optimizer state applies it first (``settle()``),
/// so observers only ever see step boundaries. A job that ends has no pending update.
final class PointwiseKernel<L: PointwiseLoss, O: ElementUpdate>: JobKernel, ChunkWork, @unchecked Sendable {
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
    private var state: [Double]
    private let target: [Double]
    /// Per chunk: loss sum and gradient sum of squares (wide jobs on several threads only).
    private var partials: [Double] = []
    /// The update of the last step taken, not applied yet (nil at a step boundary).
    private var pending: O.Constants?
    private var phase = Phase()
    /// ``runSerial(_:)`` and ``runChunkLoop(_:)``, passed in by KernelFactory from a site where
    /// L and O are concrete, so that these calls reach code specialised for them (a generic
    /// class's methods called through a protocol, as the engine and the chunk phases call
    /// ``run(steps:executor:)`` and ``runChunk(_:)``, run unspecialised).
    private let serialLoop: (PointwiseKernel, Int) -> JobStatus
    private let chunkLoop: (PointwiseKernel, Int) -> Void

    /// What the helpers of one phase read.
    private struct Phase {
        var parameters: UnsafeMutablePointer<Double>?
        var state: UnsafeMutablePointer<Double>?
        var target: UnsafePointer<Double>?
        var partials: UnsafeMutablePointer<Double>?
        /// The update to apply first, if any.
        var constants: O.Constants?
        /// Whether to evaluate the loss after the update.
        var evaluate = true
    }

    init(loss: L, optimizer: O, setup: KernelSetup, serialLoop: @escaping (PointwiseKernel, Int) -> JobStatus,
         chunkLoop: @escaping (PointwiseKernel, Int) -> Void) {
        self.serialLoop = serialLoop
        self.chunkLoop = chunkLoop
        self.loss = loss
        self.optimizer = optimizer
        count = setup.count
        chunkSize = setup.chunkSize
        chunkCount = count / chunkSize + (count % chunkSize == 0 ? 0 : 1)
        scale = loss.chunkScale(count: count)
        control = setup.control
        parameters = setup.arguments[0].scalars
        state = optimizer.initialStateBuffer(count: count)
        target = setup.arguments[1].scalars
    }

    var parameterValues: [Double] {
        settle()
        return parameters
    }

    var optimizerState: [Double] {
        settle()
        return optimizer.stateNames.isEmpty ? [] : state
    }

    /// Applies the pending update, if any: the job is then at a step boundary.
    private func settle() {
        guard let constants = pending else { return }
        pending = nil
        let n = count
        parameters.withUnsafeMutableBufferPointer { pb in
            state.withUnsafeMutableBufferPointer { sb in
                target.withUnsafeBufferPointer { tb in
                    // Sound: the buffers' sizes are fixed since init (see runSerial).
                    update(constants, 0..<n, pb.baseAddress!, tb.baseAddress!, sb.baseAddress!)
                }
            }
        }
    }

    func restore(_ snapshot: KernelSnapshot) {
        pending = nil
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

    // MARK: - The passes over one range

    /// Evaluates step k on `range`: (loss sum, gradient sum of squares), in index order.
    @inline(__always)
    private func evaluate(_ range: Range<Int>, _ p: UnsafeMutablePointer<Double>, _ t: UnsafePointer<Double>) -> (Double, Double) {
        var total = 0.0, squares = 0.0
        let loss = self.loss, scale = self.scale
        // Sound: the callers pass buffers of `count` elements and a range within them.
        for i in range {
            let l = loss.element(p[i], t[i])
            let g = l.dInput * scale
            total += l.value
            squares += g * g
        }
        return (total, squares)
    }

    /// Applies update k-1 on `range`, then evaluates step k there.
    @inline(__always)
    private func updateAndEvaluate(_ constants: O.Constants, _ range: Range<Int>, _ p: UnsafeMutablePointer<Double>,
                                   _ t: UnsafePointer<Double>, _ s: UnsafeMutablePointer<Double>) -> (Double, Double) {
        let loss = self.loss, optimizer = self.optimizer, scale = self.scale, n = count
        // Sound: as in evaluate; the state holds stateNames.count * count elements (at least 1).
        // Two elements per iteration, in vector lanes (ElementPair); the sums still take the
        // elements one at a time, in index order, as lanes of [total, squares].
        var sums = SIMD2<Double>(0, 0)
        var i = range.lowerBound
        while i &+ 1 < range.upperBound {
            let y = SIMD2(t[i], t[i &+ 1])
            let before = SIMD2(p[i], p[i &+ 1])
            let x = optimizer.update(constants, parameters: before, gradients: loss.elements(before, y).dInput * scale,
                                     state: s, index: i, count: n)
            p[i] = x[0]
            p[i &+ 1] = x[1]
            let l = loss.elements(x, y)
            let g = l.dInput * scale
            let squared = g * g
            sums += SIMD2(l.value[0], squared[0])
            sums += SIMD2(l.value[1], squared[1])
            i &+= 2
        }
        var total = sums[0], squares = sums[1]
        if i < range.upperBound {
            let y = t[i]
            let x = optimizer.update(constants, parameter: p[i], gradient: loss.element(p[i], y).dInput * scale,
                                     state: s, index: i, count: n)
            p[i] = x
            let l = loss.element(x, y)
            let g = l.dInput * scale
            total += l.value
            squares += g * g
        }
        return (total, squares)
    }

    /// Applies update k on `range` (the last pass of a run).
    @inline(__always)
    private func update(_ constants: O.Constants, _ range: Range<Int>, _ p: UnsafeMutablePointer<Double>,
                        _ t: UnsafePointer<Double>, _ s: UnsafeMutablePointer<Double>) {
        let loss = self.loss, optimizer = self.optimizer, scale = self.scale, n = count
        // Sound: as in updateAndEvaluate.
        for i in range {
            p[i] = optimizer.update(constants, parameter: p[i], gradient: loss.element(p[i], t[i]).dInput * scale,
                                    state: s, index: i, count: n)
        }
    }

    /// Whether every element of the gradient at the current parameters is finite (rare: only
    /// when the sum of squares is not).
    @inline(never)
    private func gradientIsFinite(_ p: UnsafeMutablePointer<Double>, _ t: UnsafePointer<Double>) -> Bool {
        // Sound: both buffers hold `count` elements.
        for i in 0..<count where !(loss.element(p[i], t[i]).dInput * scale).isFinite { return false }
        return true
    }

    // MARK: - One thread

    func runSerial(_ budget: Int) -> JobStatus {
        let n = count, size = chunkSize, optimizer = self.optimizer
        let initial = (control, pending)
        // The step state is a local of the innermost closure (copied in and out once per run), so
        // that the compiler can keep its fields in registers; captured by the closures, it would
        // live in memory and be loaded and stored at every step.
        let (status, control, pending) = parameters.withUnsafeMutableBufferPointer { pb in
            state.withUnsafeMutableBufferPointer { sb in
                target.withUnsafeBufferPointer { tb in
                    // Sound: parameters and target hold `count` (>= 1) elements and state
                    // stateNames.count * count (at least 1), fixed since init.
                    let p = pb.baseAddress!, s = sb.baseAddress!, t = tb.baseAddress!
                    var (c, pending) = initial
                    for _ in 0..<budget {
                        var total = 0.0, squares = 0.0
                        var start = 0
                        repeat {
                            let end = Swift.min(start + size, n)
                            let (part, partSquares) = if let constants = pending {
                                updateAndEvaluate(constants, start..<end, p, t, s)
                            } else {
                                evaluate(start..<end, p, t)
                            }
                            total += part
                            squares += partSquares
                            start = end
                        } while start < n
                        pending = nil
                        let value = loss.chunkedValue(sum: total, count: n)
                        if let stop = c.judge(loss: value, squares: squares, gradientIsFinite: { gradientIsFinite(p, t) }) {
                            return (stop, c, pending)
                        }
                        let constants = optimizer.constants(update: c.step, learningRate: c.learningRate)
                        if let stop = c.advance() {
                            update(constants, 0..<n, p, t, s)
                            return (stop, c, pending)
                        }
                        pending = constants
                    }
                    return (JobStatus.running, c, pending)
                }
            }
        }
        self.control = control
        self.pending = pending
        return status
    }

    // MARK: - Several threads

    private func runPhases(_ budget: Int, _ executor: any ChunkExecutor) -> JobStatus {
        var c = control
        defer { control = c }
        let n = count, chunks = chunkCount
        if partials.count != 2 * chunks { partials = Array(repeating: 0, count: 2 * chunks) }
        return parameters.withUnsafeMutableBufferPointer { pb in
            state.withUnsafeMutableBufferPointer { sb in
                target.withUnsafeBufferPointer { tb in
                    partials.withUnsafeMutableBufferPointer { chunkSums in
                        // Sound: as in runSerial; partials holds 2 * chunkCount elements (loss
                        // and squares per chunk). The pointers live in `phase` only inside here.
                        let p = pb.baseAddress!, t = tb.baseAddress!
                        phase = Phase(parameters: p, state: sb.baseAddress, target: t, partials: chunkSums.baseAddress)
                        defer { phase = Phase() }
                        let work = ChunkPhase(work: self, chunks: chunks)
                        var result = JobStatus.running
                        var pending = self.pending
                        defer { self.pending = pending }
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
                            let value = loss.chunkedValue(sum: total, count: n)
                            if let stop = c.judge(loss: value, squares: squares, gradientIsFinite: { gradientIsFinite(p, t) }) {
                                result = stop
                                break
                            }
                            let constants = optimizer.constants(update: c.step, learningRate: c.learningRate)
                            if let stop = c.advance() {  // the job ends at a step boundary: update applied
                                phase.constants = constants
                                phase.evaluate = false
                                executor.execute(work)
                                result = stop
                                break
                            }
                            pending = constants
                        }
                        return result
                    }
                }
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
        // Sound: runPhases set every pointer before starting the phase and keeps them valid
        // until the phase is done; this chunk's elements are touched by this thread only.
        let p = phase.parameters!, t = phase.target!, s = phase.state!
        let sums: (Double, Double)
        switch (phase.constants, phase.evaluate) {
        case (let constants?, true): sums = updateAndEvaluate(constants, range, p, t, s)
        case (nil, _): sums = evaluate(range, p, t)
        case (let constants?, false):
            update(constants, range, p, t, s)
            return
        }
        phase.partials![2 * chunk] = sums.0
        phase.partials![2 * chunk + 1] = sums.1
    }
}
