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
///     advance: lr_{k+1} = scheduler(lr_k, epoch k, metric L_k); max_steps once k == max_steps
///
/// A stop at `judge` applies no update: the parameters are the ones L_k was evaluated at.
///
/// The scheduler's changing values (rate, momentum, its own state) live in ``schedule``. A
/// scheduler that reads a metric (ReduceLROnPlateau) steps on L_k, the loss that drove update
/// k, except in a model job with validation data: there ``stepsEveryUpdate`` is false and the
/// model kernel calls ``stepScheduler(metric:)`` once per epoch with the validation loss.
struct StepControl {
    let maxSteps: Int
    /// -inf when there is no tolerance rule.
    let tolerance: Double
    /// Int.max when there is no patience rule.
    let patience: Int
    let minDelta: Double
    let scheduler: (any LRScheduler)?
    /// `scheduler != nil` (and not stepped per epoch instead), tested per step without
    /// touching the existential.
    let stepsEveryUpdate: Bool
    /// Whether the scheduler sets the momentum (or beta1) of every update (`cycle_momentum`).
    let cyclesMomentum: Bool
    let baseLearningRate: Double
    let history: HistoryLog
    /// The history's next step to record, kept here so that the per-step test reads a local
    /// value rather than the history object (which the loops' stores could alias).
    var nextHistoryStep: Int

    /// Steps evaluated so far (== updates applied, except after a stop at `judge`).
    var step = 0
    /// The scheduler's epoch, rate, momentum and state (the rate alone without a scheduler).
    var schedule: SchedulerProgress
    /// The rate of the next update (torch's `param_group["lr"]`).
    var learningRate: Double {
        get { schedule.learningRate }
        set { schedule.learningRate = newValue }
    }
    /// The momentum (or beta1) of the next update when the scheduler cycles it, else nil.
    var momentum: Double? { cyclesMomentum ? schedule.momentum : nil }
    var loss = Double.nan
    var gradientSquares = Double.nan
    var bestLoss = Double.infinity
    var badSteps = 0
    /// The optimizer's scalar state (``Optimizer/scalarNames``), advanced by each update.
    var optimizerScalars: [Double]

    /// `perEpochMetric`: a model job with validation data, whose metric-reading scheduler
    /// steps once per epoch on the validation loss.
    init(rules: StoppingRules, scheduler: (any LRScheduler)?, baseLearningRate: Double, history: HistoryLog,
         perEpochMetric: Bool = false, optimizerScalars: [Double] = []) {
        maxSteps = rules.maxSteps
        tolerance = rules.tolerance ?? -.infinity
        patience = rules.patience ?? .max
        minDelta = rules.minDelta
        self.scheduler = scheduler
        stepsEveryUpdate = scheduler != nil && !(perEpochMetric && scheduler!.readsMetric)
        cyclesMomentum = scheduler?.cyclesMomentum ?? false
        self.baseLearningRate = baseLearningRate
        self.history = history
        nextHistoryStep = history.nextStep(after: 0)
        schedule = SchedulerProgress(learningRate: baseLearningRate, base: baseLearningRate)
        scheduler?.start(&schedule)
        self.optimizerScalars = optimizerScalars
    }

    /// Records step k's loss and gradient (`squares` = sum of g_i^2 in chunk order) and returns the
    /// final status if a rule stops the job before update k. `gradientIsFinite` is asked only
    /// when `squares` is not finite (the sum can overflow while every element is finite).
    /// `output` is the loss's input at step k (the parameters before update k), read only when
    /// the history records the step and the job has metrics; nil where there is none (model jobs).
    @inline(__always)
    mutating func judge(loss value: Double, squares: Double, output: UnsafePointer<Double>?, gradientIsFinite: () -> Bool) -> JobStatus? {
        step &+= 1
        loss = value
        gradientSquares = squares
        if step == nextHistoryStep {
            nextHistoryStep = history.record(step: step, loss: value, gradientSquares: squares, learningRate: learningRate, output: output)
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
        if stepsEveryUpdate, let failure = stepScheduler(metric: loss) { return failure }
        return step >= maxSteps ? .maxSteps : nil
    }

    /// One `sched.step()` on `metric`; the failure when PyTorch's would raise.
    @inline(__always)
    mutating func stepScheduler(metric: Double) -> JobStatus? {
        schedule.epoch &+= 1
        schedule.metric = metric
        if let failure = scheduler.unsafelyUnwrapped.step(&schedule) {
            return .failed(code: .invalidJob, reason: "step \(step): \(failure)")
        }
        return nil
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
