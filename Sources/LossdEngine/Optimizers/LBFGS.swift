// SPDX-License-Identifier: Apache-2.0

public import LossKit

/// L-BFGS (PyTorch `torch.optim.LBFGS`), registry name `lbfgs`: a ``WholeVectorOptimizer``.
///
/// One lossd step is one `opt.step(closure)`; the closure is the job's loss, evaluated as often
/// as the step asks, and the step reports its first evaluation. As `LBFGS.step`, with g the
/// flat gradient and L the loss (both negated when maximize), `n_iter` counted over all steps:
///
///     g, L = closure() ;  return if max|g| <= tolerance_grad                (first evaluation)
///     repeat up to max_iter times:
///         n_iter == 1:  d = -g ;  memory cleared ;  H_diag = 1
///         else:         y = g - g_prev ;  s = d * t ;  ys = y.dot(s)
///                       ys > 1e-10: drop the oldest pair at history_size, keep (y, s, 1 / ys),
///                                   H_diag = ys / y.dot(y)
///                       q = -g ;  newest to oldest: al_i = s_i.dot(q) * ro_i ;  q = q + (-al_i) * y_i
///                       d = q * H_diag ;  oldest to newest: be_i = y_i.dot(d) * ro_i ;
///                                                           d = d + (al_i - be_i) * s_i
///         g_prev = g ;  L_prev = L
///         t = min(1, 1 / sum|g|) * lr  (n_iter == 1) ;  t = lr  (otherwise)
///         gtd = g.dot(d) ;  stop if gtd > -tolerance_change
///         strong_wolfe: L, g, t = line search from t (StrongWolfe, at most max_eval - evals
///                       evaluations) ;  x = x + t * d
///         otherwise:    x = x + t * d ;  L, g = closure() unless this is the last iteration
///         stop once max_iter iterations or max_eval evaluations are done, max|g| <=
///         tolerance_grad, max|d * t| <= tolerance_change or |L - L_prev| < tolerance_change
///
/// Dot products and sums add in index order; PyTorch's (MKL `ddot`, vectorised reductions) add
/// in another, so trajectories agree to rounding, checked within 1e-9 relative by the goldens.
///
/// At convergence nothing divides 0 by 0: as in PyTorch, a first gradient within tolerance_grad
/// returns before any update (every later step then does the same), a slope above
/// -tolerance_change or a loss change below tolerance_change ends the step, and a curvature
/// y.dot(s) <= 1e-10 leaves the memory (and H_diag) as it was.
///
/// - Options (default): `lr` (1), `max_iter` (20), `max_eval` (null: max_iter * 5 // 4),
///   `tolerance_grad` (1e-7), `tolerance_change` (1e-9), `history_size` (100),
///   `line_search_fn` (null, or `strong_wolfe`), `maximize` (false).
/// - Ranges: lr >= 0 (PyTorch's check). Beyond PyTorch's constructor, inputs its `step` fails
///   on are refused: history_size >= 1 (a full history of 0 pops an empty list), max_eval an
///   integer (a fractional one leaves the line search's bracket unset), and with strong_wolfe
///   and max_iter >= 1, max_eval >= 1 (fewer leaves it unset too).
/// - Memory (``LBFGSMemory``): `d`, `t`, `old_dirs`, `old_stps`, `ro`, `H_diag`,
///   `prev_flat_grad`, `prev_loss`, `n_iter`, `func_evals`, as torch's `state`.
public struct LBFGS: WholeVectorOptimizer {
    public static let descriptor = ComponentDescriptor(
        name: "lbfgs", pytorchName: "LBFGS", summary: "L-BFGS: quasi-Newton steps, each evaluating the loss as often as it needs",
        options: [
            OptionSpec("lr", .number, default: .number(1), "learning rate (the step length's scale), >= 0"),
            OptionSpec("max_iter", .integer, default: .integer(20), "maximal number of iterations per step"),
            OptionSpec("max_eval", .optionalTensor, default: .null,
                       "maximal number of loss evaluations per step, an integer (null: max_iter * 5 // 4)"),
            OptionSpec("tolerance_grad", .number, default: .number(1e-7), "stop once every |gradient element| is at most this"),
            OptionSpec("tolerance_change", .number, default: .number(1e-9), "stop once the loss or the parameters change less than this"),
            OptionSpec("history_size", .integer, default: .integer(100), "number of (step, gradient change) pairs kept, >= 1"),
            OptionSpec("line_search_fn", .choice(["strong_wolfe"]), default: .null,
                       "null: fixed step lr; 'strong_wolfe': a line search satisfying the strong Wolfe conditions"),
            .maximize,
        ])

    public let learningRate: Double
    public let maxIter: Int
    public let maxEval: Int
    public let toleranceGrad: Double
    public let toleranceChange: Double
    public let historySize: Int
    public let strongWolfe: Bool
    public let maximize: Bool

    public init(options: ComponentOptions) throws(EngineError) {
        learningRate = try options.nonNegative("lr")
        maxIter = options.integer("max_iter")
        if let given = options.numbers("max_eval") {
            try options.check(given.count == 1 && given[0].rounded() == given[0] && Swift.abs(given[0]) < 1e15, "max_eval",
                              "must be an integer or null, got \(given.count == 1 ? "\(given[0])" : "\(given.count) values")")
            maxEval = Int(given[0])
        } else {
            maxEval = maxIter * 5 / 4 - (maxIter < 0 && (maxIter * 5) % 4 != 0 ? 1 : 0)  // Python's floor division
        }
        toleranceGrad = options.number("tolerance_grad")
        toleranceChange = options.number("tolerance_change")
        historySize = options.integer("history_size")
        try options.check(historySize >= 1, "history_size", "must be >= 1, got \(historySize)")
        strongWolfe = options.optionalChoice("line_search_fn") == "strong_wolfe"
        if strongWolfe && maxIter >= 1 {
            try options.check(maxEval >= 1, "max_eval", "must be >= 1 with line_search_fn 'strong_wolfe', got \(maxEval)")
        }
        maximize = options.bool("maximize")
    }

    public func initialMemory(shapes: [[Int]]) -> LBFGSMemory { LBFGSMemory() }

    /// `history_size` pairs of vectors (`old_dirs`, `old_stps`), `d` and `prev_flat_grad`, and
    /// the step's own vectors (the flat gradient, `y`, `s`, `q` and the line search's point):
    /// (2 `history_size` + 6) values per element.
    public func stateElements(shapes: [[Int]]) -> Int {
        MemoryEstimate.product(2 * historySize + 6, MemoryEstimate.sum(shapes.map(MemoryEstimate.elements)))
    }

    public func savedMemory(_ memory: LBFGSMemory) -> [JobCheckpoint.Slot] { memory.slots }

    public func restoredMemory(_ entries: [JobCheckpoint.Slot], shapes: [[Int]]) -> LBFGSMemory? {
        LBFGSMemory(slots: entries, count: shapes.reduce(0) { $0 + $1.reduce(1, *) }, historySize: historySize)
    }

    public func step<F: Objective>(update: Int, learningRate lr: Double, loss first: Double, gradient: [Double],
                                   parameters x: inout [Double], memory state: inout LBFGSMemory,
                                   objective: inout F) throws(LossError) {
        var loss = maximize ? -first : first
        var currentEvals = 1
        state.funcEvals += 1
        var flatGrad = maximize ? gradient.map { -$0 } : gradient
        var optCond = VectorMath.maxMagnitude(flatGrad) <= toleranceGrad
        if optCond { return }

        var d = state.d, t = state.t
        var al = Array(repeating: 0.0, count: historySize)
        var nIter = 0
        while nIter < maxIter {
            nIter += 1
            state.nIter += 1

            // MARK: Direction
            if state.nIter == 1 {
                d = flatGrad.map { -$0 }
                state.oldDirs = []
                state.oldSteps = []
                state.ro = []
                state.hDiag = 1
            } else {
                let previousD = d!, previousT = t!, previousGrad = state.prevFlatGrad!
                var y = flatGrad, s = previousD
                for i in y.indices {
                    y[i] = flatGrad[i] - previousGrad[i]
                    s[i] = previousD[i] * previousT
                }
                let ys = VectorMath.dot(y, s)
                if ys > 1e-10 {
                    if state.oldDirs.count == historySize {
                        state.oldDirs.removeFirst()
                        state.oldSteps.removeFirst()
                        state.ro.removeFirst()
                    }
                    state.oldDirs.append(y)
                    state.oldSteps.append(s)
                    state.ro.append(1.0 / ys)
                    state.hDiag = ys / VectorMath.dot(y, y)
                }
                let numOld = state.oldDirs.count
                var q = flatGrad.map { -$0 }
                for i in stride(from: numOld - 1, through: 0, by: -1) {
                    al[i] = VectorMath.dot(state.oldSteps[i], q) * state.ro[i]
                    let alpha = -al[i], direction = state.oldDirs[i]
                    for j in q.indices { q[j] = q[j] + alpha * direction[j] }
                }
                let hDiag = state.hDiag
                var r = q.map { $0 * hDiag }
                for i in 0..<numOld {
                    let be = VectorMath.dot(state.oldDirs[i], r) * state.ro[i]
                    let alpha = al[i] - be, step = state.oldSteps[i]
                    for j in r.indices { r[j] = r[j] + alpha * step[j] }
                }
                d = r
            }
            state.prevFlatGrad = flatGrad
            state.prevLoss = loss

            // MARK: Step length
            let direction = d!
            if state.nIter == 1 {
                t = Python.min(1.0, 1.0 / VectorMath.magnitudeSum(flatGrad)) * lr
            } else {
                t = lr
            }
            let gtd = VectorMath.dot(flatGrad, direction)
            if gtd > -toleranceChange { break }

            var lsFuncEvals = 0
            if strongWolfe {
                var search = LineObjective(objective: objective, origin: x, direction: direction, maximize: maximize)
                let found = try StrongWolfe.search(&search, t: t!, f: loss, g: flatGrad, gtd: gtd, maxLS: maxEval - currentEvals)
                objective = search.objective
                (loss, flatGrad, t, lsFuncEvals) = (found.loss, found.gradient, found.t, found.evaluations)
                VectorMath.move(&x, by: found.t, along: direction)
                optCond = VectorMath.maxMagnitude(flatGrad) <= toleranceGrad
            } else {
                VectorMath.move(&x, by: t!, along: direction)
                if nIter != maxIter {
                    let value = try objective.evaluate(x)
                    loss = maximize ? -value.loss : value.loss
                    flatGrad = maximize ? value.gradient.map { -$0 } : value.gradient
                    optCond = VectorMath.maxMagnitude(flatGrad) <= toleranceGrad
                    lsFuncEvals = 1
                }
            }
            currentEvals += lsFuncEvals
            state.funcEvals += lsFuncEvals

            // MARK: Stopping
            if nIter == maxIter { break }
            if currentEvals >= maxEval { break }
            if optCond { break }
            let length = t!
            if VectorMath.maxMagnitude(direction.map { $0 * length }) <= toleranceChange { break }
            if Swift.abs(loss - state.prevLoss!) < toleranceChange { break }
        }
        state.d = d
        state.t = t
    }
}
