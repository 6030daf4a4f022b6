// SPDX-License-Identifier: Apache-2.0

/// A job's scalar state and stopping rules, advanced once per step by the step loops.
///
/// Step k (k = 1, 2, ...), in this order:
///
///     L_k, g_k = loss and gradient at the parameters after k-1 updates     (the step loop)
///     judge:   diverged if L_k or g_k is not finite; converged if L_k <= tolerance;
///              best/bad-step counters (improvement: L_k < best - min_delta);
///              converged (plateau) once `patience` steps in a row did not improve
///     update k with lr_k (optimizer constants for update number k)        (the step loop)
///     advance: lr_{k+1} = scheduler(lr_k, epoch k); max_steps once k == max_steps
///
/// A stop at `judge` applies no update: the parameters are the ones L_k was evaluated at.
struct StepControl {
    let maxSteps: Int
    /// -inf when there is no tolerance rule.
    let tolerance: Double
    /// Int.max when there is no patience rule.
    let patience: Int
    let minDelta: Double
    let scheduler: (any LRScheduler)?
    /// `scheduler != nil`, tested per step without touching the existential.
    let hasScheduler: Bool
    let baseLearningRate: Double
    let history: HistoryLog
    /// The history's next step to record, kept here so that the per-step test reads a local
    /// value rather than the history object (which the loops' stores could alias).
    var nextHistoryStep: Int

    /// Steps evaluated so far (== updates applied, except after a stop at `judge`).
    var step = 0
    /// The rate of the next update (torch's `param_group["lr"]`).
    var learningRate: Double
    var loss = Double.nan
    var gradientSquares = Double.nan
    var bestLoss = Double.infinity
    var badSteps = 0
    /// The optimizer's scalar state (``Optimizer/scalarNames``), advanced by each update.
    var optimizerScalars: [Double]

    init(rules: StoppingRules, scheduler: (any LRScheduler)?, baseLearningRate: Double, history: HistoryLog,
         optimizerScalars: [Double] = []) {
        maxSteps = rules.maxSteps
        tolerance = rules.tolerance ?? -.infinity
        patience = rules.patience ?? .max
        minDelta = rules.minDelta
        self.scheduler = scheduler
        hasScheduler = scheduler != nil
        self.baseLearningRate = baseLearningRate
        self.history = history
        nextHistoryStep = history.nextStep(after: 0)
        learningRate = scheduler?.initialLearningRate(base: baseLearningRate) ?? baseLearningRate
        self.optimizerScalars = optimizerScalars
    }

    /// Records step k's loss and gradient (`squares` = sum of g_i^2 in chunk order) and returns the
    /// final status if a rule stops the job before update k. `gradientIsFinite` is asked only
    /// when `squares` is not finite (the sum can overflow while every element is finite).
    @inline(__always)
    mutating func judge(loss value: Double, squares: Double, gradientIsFinite: () -> Bool) -> JobStatus? {
        step &+= 1
        loss = value
        gradientSquares = squares
        if step == nextHistoryStep {
            nextHistoryStep = history.record(step: step, loss: value, gradientSquares: squares, learningRate: learningRate)
        }
        if !value.isFinite || (!squares.isFinite && !gradientIsFinite()) { return .diverged }
        if value <= tolerance { return .converged(.tolerance) }
        if value < bestLoss - minDelta {
            bestLoss = value
            badSteps = 0
        } else {
            badSteps &+= 1
            if badSteps >= patience { return .converged(.plateau) }
        }
        return nil
    }

    /// After update k: the scheduler's step, then the max_steps rule.
    @inline(__always)
    mutating func advance() -> JobStatus? {
        if hasScheduler {
            learningRate = scheduler.unsafelyUnwrapped.learningRate(epoch: step, current: learningRate, base: baseLearningRate)
        }
        return step >= maxSteps ? .maxSteps : nil
    }

    /// √squares (squares >= 0, or NaN): a history point's gradient norm. Of its magnitude: the
    /// compiler then knows the input is not negative and emits a bare `sqrtsd`, without the call
    /// into libm (for errno) that the plain form carries.
    @inline(__always)
    static func norm(_ squares: Double) -> Double {
        squares.magnitude.squareRoot()
    }

    /// The progress as observers see it.
    var progress: JobProgress {
        JobProgress(step: step, loss: loss, gradientNorm: gradientSquares.squareRoot(),
                    learningRate: learningRate, bestLoss: bestLoss)
    }

    /// Whether every gradient element is finite (the sum of squares can overflow on its own).
    @inline(never)
    static func allFinite(_ gradient: UnsafePointer<Double>, _ count: Int) -> Bool {
        // Sound: the step loops pass their gradient buffer of `count` elements.
        UnsafeBufferPointer(start: gradient, count: count).allSatisfy(\.isFinite)
    }
}
