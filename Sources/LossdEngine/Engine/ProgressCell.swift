// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// A job's latest progress, written by the thread running it and sampled by reporters without
/// locks (a seqlock over atomics: the writer makes the sequence odd, stores the fields, makes it
/// even; a reader retries until it saw the same even sequence before and after).
///
/// Writers publish once per batch of steps, not per step; nothing here allocates.
final class ProgressCell: Sendable {
    private let sequence = Atomic<UInt64>(0)
    private let step = Atomic<Int>(0)
    private let loss = Atomic<UInt64>(Double.nan.bitPattern)
    private let gradientNorm = Atomic<UInt64>(Double.nan.bitPattern)
    private let learningRate = Atomic<UInt64>(Double.nan.bitPattern)
    private let bestLoss = Atomic<UInt64>(Double.infinity.bitPattern)

    init() {}

    /// Stores a new sample (one writer at a time: the job's owner).
    func publish(_ progress: JobProgress) {
        let start = sequence.load(ordering: .relaxed)
        sequence.store(start &+ 1, ordering: .relaxed)
        atomicMemoryFence(ordering: .releasing)
        step.store(progress.step, ordering: .relaxed)
        loss.store(progress.loss.bitPattern, ordering: .relaxed)
        gradientNorm.store(progress.gradientNorm.bitPattern, ordering: .relaxed)
        learningRate.store(progress.learningRate.bitPattern, ordering: .relaxed)
        bestLoss.store(progress.bestLoss.bitPattern, ordering: .relaxed)
        sequence.store(start &+ 2, ordering: .releasing)
    }

    /// A consistent sample.
    func sample() -> JobProgress {
        while true {
            let before = sequence.load(ordering: .acquiring)
            if before & 1 == 1 { continue }
            let progress = JobProgress(
                step: step.load(ordering: .relaxed),
                loss: Double(bitPattern: loss.load(ordering: .relaxed)),
                gradientNorm: Double(bitPattern: gradientNorm.load(ordering: .relaxed)),
                learningRate: Double(bitPattern: learningRate.load(ordering: .relaxed)),
                bestLoss: Double(bitPattern: bestLoss.load(ordering: .relaxed)))
            atomicMemoryFence(ordering: .acquiring)
            if sequence.load(ordering: .relaxed) == before { return progress }
        }
    }
}
