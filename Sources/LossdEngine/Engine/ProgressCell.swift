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
    /// The latest epoch record's fields; `epoch` 0 means none. An absent validation loss or
    /// accuracy is stored as a NaN with this payload (a computed one is never this NaN: the
    /// stores below canonicalise NaN values).
    private let epoch = Atomic<Int>(0)
    private let epochStep = Atomic<Int>(0)
    private let trainLoss = Atomic<UInt64>(0)
    private let validationLoss = Atomic<UInt64>(0)
    private let accuracy = Atomic<UInt64>(0)
    private let epochLearningRate = Atomic<UInt64>(0)
    private static let absent: UInt64 = 0x7FF8_0000_0000_0A5E

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
        if let record = progress.epoch {
            epoch.store(record.epoch, ordering: .relaxed)
            epochStep.store(record.step, ordering: .relaxed)
            trainLoss.store(record.trainLoss.bitPattern, ordering: .relaxed)
            validationLoss.store(Self.store(record.validationLoss), ordering: .relaxed)
            accuracy.store(Self.store(record.accuracy), ordering: .relaxed)
            epochLearningRate.store(record.learningRate.bitPattern, ordering: .relaxed)
        } else {
            epoch.store(0, ordering: .relaxed)
        }
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
                bestLoss: Double(bitPattern: bestLoss.load(ordering: .relaxed)),
                epoch: sampleEpoch())
            atomicMemoryFence(ordering: .acquiring)
            if sequence.load(ordering: .relaxed) == before { return progress }
        }
    }

    /// The epoch fields as a record (inside ``sample()``'s sequence check).
    private func sampleEpoch() -> EpochRecord? {
        let number = epoch.load(ordering: .relaxed)
        guard number > 0 else { return nil }
        return EpochRecord(epoch: number, step: epochStep.load(ordering: .relaxed),
                           trainLoss: Double(bitPattern: trainLoss.load(ordering: .relaxed)),
                           validationLoss: Self.load(validationLoss.load(ordering: .relaxed)),
                           accuracy: Self.load(accuracy.load(ordering: .relaxed)),
                           learningRate: Double(bitPattern: epochLearningRate.load(ordering: .relaxed)))
    }

    private static func store(_ value: Double?) -> UInt64 {
        guard let value else { return absent }
        return value.isNaN ? Double.nan.bitPattern : value.bitPattern
    }

    private static func load(_ bits: UInt64) -> Double? {
        bits == absent ? nil : Double(bitPattern: bits)
    }
}
