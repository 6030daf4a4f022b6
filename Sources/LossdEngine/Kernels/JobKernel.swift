// SPDX-License-Identifier: Apache-2.0

import LossKit

/// A job's step loop with its numeric state, specialised for the loss and optimizer types.
///
/// Ownership: a kernel is used by one thread at a time, handed over through the job's lock (a
/// worker owns it while running a slice; otherwise whoever holds the job's lock may read it).
/// Only a wide job's chunk helpers touch it concurrently, through ``ChunkWork``.
protocol JobKernel: AnyObject, Sendable {
    /// Runs up to `steps` more steps and returns `.running`, or the final status once the job
    /// ends (then and on later calls). `executor` spreads a wide job's chunks; nil runs them here.
    func run(steps: Int, executor: (any ChunkExecutor)?) -> JobStatus
    /// The scalar state after the last step.
    var control: StepControl { get }
    /// The progress observers see (``StepControl/progress``; a model kernel adds its epoch).
    var progress: JobProgress { get }
    /// A model job's finished epochs, oldest first ([] for free-tensor jobs).
    var epochs: [EpochRecord] { get }
    /// A model job's epochs, accumulators and epoch-rule counters (nil for free-tensor jobs).
    var modelState: ModelTrainingState? { get }
    /// `.running` or final.
    var status: JobStatus { get }
    /// The fitted values.
    var parameterValues: [Double] { get }
    /// The optimizer's per-element state, slot after slot.
    var optimizerState: [Double] { get }
    /// Restores numbers from a checkpoint of the same job.
    func restore(_ snapshot: KernelSnapshot)
    /// A whole-vector optimizer's memory as named vectors (nil for element-wise optimizers).
    var optimizerMemory: [JobCheckpoint.Slot]? { get }
    /// Whether a checkpoint's optimizer memory fits this job (checked before ``restore(_:)``).
    func acceptsMemory(_ entries: [JobCheckpoint.Slot]?) -> Bool
}

/// The numbers that make up a kernel's state (a checkpoint without its metadata).
struct KernelSnapshot {
    var step: Int
    var learningRate: Double
    var loss: Double
    var gradientSquares: Double
    var bestLoss: Double
    var badSteps: Int
    var status: JobStatus
    var parameters: [Double]
    var optimizerState: [Double]
    /// The optimizer's scalar state (``Optimizer/scalarNames`` order).
    var optimizerScalars: [Double] = []
    var history: [HistoryPoint]
    var historyRecorded: Int
    /// A model job's epochs, accumulators and epoch-rule counters; nil for free-tensor jobs.
    var model: ModelTrainingState? = nil
    /// The scheduler's epoch, rate, momentum and state; nil without a scheduler.
    var schedule: SchedulerProgress? = nil
    /// A whole-vector optimizer's memory; nil for element-wise optimizers.
    var optimizerMemory: [JobCheckpoint.Slot]? = nil
}

/// What a kernel is built from (JobBuilder prepares it).
struct KernelSetup {
    var loss: any Loss
    /// The loss arguments; argument 0 holds the initial parameters.
    var arguments: LossArguments
    /// The element count of the loss output (from validation).
    var outputCount: Int
    var chunkSize: Int
    var control: StepControl

    var count: Int { arguments[0].count }
}

extension StepControl {
    /// Copies the scalars of a snapshot in.
    mutating func restore(_ snapshot: KernelSnapshot) {
        step = snapshot.step
        if let saved = snapshot.schedule { schedule = saved }
        learningRate = snapshot.learningRate
        loss = snapshot.loss
        gradientSquares = snapshot.gradientSquares
        bestLoss = snapshot.bestLoss
        badSteps = snapshot.badSteps
        optimizerScalars = snapshot.optimizerScalars
        history.restore(points: snapshot.history, recorded: snapshot.historyRecorded)
        nextHistoryStep = history.nextStep(after: snapshot.step)
    }
}

extension JobKernel {
    var progress: JobProgress { control.progress }
    var epochs: [EpochRecord] { [] }
    var modelState: ModelTrainingState? { nil }
    var optimizerMemory: [JobCheckpoint.Slot]? { nil }
    func acceptsMemory(_ entries: [JobCheckpoint.Slot]?) -> Bool { entries == nil }

    /// The status a run of `loop` leaves: the final status again once the job ended, `.maxSteps`
    /// once max_steps updates are done (a job restored there), else what `loop` returns. Every
    /// kernel's ``run(steps:executor:)`` goes through here.
    func statusAfter(_ loop: () -> JobStatus) -> JobStatus {
        if status.isFinal { return status }
        return control.step >= control.maxSteps ? .maxSteps : loop()
    }
}

extension Optimizer {
    /// Slot after slot, each at its initial value; at least one element so buffers have an address.
    func initialStateBuffer(count: Int) -> [Double] {
        let slots = stateNames.count
        guard slots > 0 else { return [0] }
        return (0..<slots).flatMap { slot in Array(repeating: initialState(slot: slot), count: count) }
    }
}
