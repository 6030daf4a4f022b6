// SPDX-License-Identifier: Apache-2.0

import Dispatch
import LossKit
import LossdEngine
import LossdPlot
import LossdState
import LossdSync

/// Writes what a job leaves in the state directory when it ends, on one serial writer thread of
/// its own: results are written one at a time with blocking `fsync`s, which must not occupy
/// Swift's cooperative threads (with thousands of jobs ending together they would starve the
/// daemon's status and watchdog loops).
///
/// A job's commit, in this order: `history/<job>.csv` (written, or for a streamed history synced), `charts/<job>.svg`, a model job's
/// `models/<job>.safetensors`, `results/<job>.json` (each fsync'd and renamed into place), the fsync of their directories, the
/// result's line of `results.index` (see `ResultIndex`), and only then the removal of `checkpoints/<job>.ckpt`. The first write that fails stops the job's commit and is
/// returned: its checkpoint stays, and the caller keeps the ``PendingResult`` to write again.
///
/// Jobs that end while the writer is busy are committed together (up to ``batchLimit``): their
/// files one by one, then each directory synced once for all of them (a directory's fsync makes every rename in it
/// durable), then their checkpoints removed.
final class ResultWriter: Sendable {
    let store: StateStore
    private let queue = DispatchQueue(label: "lossd.result-writer")
    private typealias Waiting = (job: PendingResult, done: CheckedContinuation<AtomicFile.WriteError?, Never>)
    /// Jobs handed to ``commitOnWriterThread(_:)`` that the writer has not taken yet.
    private let waiting = Locked<[Waiting]>([])

    init(store: StateStore) {
        self.store = store
    }

    /// Commits `job` on the writer thread, together with the jobs that wait with it.
    func commitOnWriterThread(_ job: PendingResult) async -> AtomicFile.WriteError? {
        await withCheckedContinuation { continuation in
            let first = waiting.withLock { waiting in
                waiting.append((job, continuation))
                return waiting.count == 1
            }
            // One drain per batch: later arrivals join the batch until the drain takes it.
            if first { queue.async { self.drain() } }
        }
    }

    /// At most this many jobs per commit, so that jobs ending in thousands show as done in
    /// batches rather than all at the end.
    static let batchLimit = 64

    private func drain() {
        let (batch, more) = waiting.withLock { waiting in
            let batch = Array(waiting.prefix(Self.batchLimit))
            waiting.removeFirst(batch.count)
            return (batch, !waiting.isEmpty)
        }
        if more { queue.async { self.drain() } }  // while jobs wait, a drain is always scheduled
        for (item, failure) in zip(batch, commit(batch.map(\.job))) { item.done.resume(returning: failure) }
    }

    /// Runs `body` on the writer thread and returns its value.
    func onWriterThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body()) }
        }
    }

    /// Writes the files of a job that ended, then drops its checkpoint; returns the first write
    /// that failed (the checkpoint is then kept), nil when everything is on disk.
    func commit(_ job: PendingResult) -> AtomicFile.WriteError? {
        commit([job])[0]
    }

    /// Commits `jobs` (see the type's documentation); returns, per job, its first failed write.
    func commit(_ jobs: [PendingResult]) -> [AtomicFile.WriteError?] {
        var documents: [String?] = []
        let failures = jobs.map { job -> AtomicFile.WriteError? in
            let name = job.record.name
            do throws(AtomicFile.WriteError) {
                if let stream = job.stream {
                    try stream.sync()
                    let rows: [HistoryRow]
                    do throws(StateReader.ReadError) { rows = try stream.rows() } catch {
                        throw AtomicFile.WriteError(path: error.path, reason: error.reason)
                    }
                    try store.writeChart(name, svg: JobChart.chart(for: job.record, history: rows, epochs: []).svg(),
                                         syncingDirectory: false)
                } else if let rows = job.history {
                    try store.writeHistory(name, rows, epochs: job.epochs, configuredLearningRate: job.configuredLearningRate,
                                           metrics: job.metricNames, syncingDirectory: false)
                    try store.writeChart(name, svg: JobChart.chart(for: job.record, history: rows, epochs: job.epochs ?? []).svg(),
                                         syncingDirectory: false)
                }
                if let parameters = job.modelParameters {
                    try store.writeModel(name, bytes: ModelFile.encode(parameters, job: name), syncingDirectory: false)
                }
                documents.append(try store.writeResult(job.record, syncingDirectory: false))
                return nil
            } catch {
                documents.append(nil)
                return error
            }
        }
        guard failures.contains(where: { $0 == nil }) else { return failures }
        // The renames are durable once their directories are synced; a sync that fails leaves
        // every job of the batch unsaved (their files may or may not survive a crash).
        let folders = (jobs.contains { $0.history != nil || $0.stream != nil } ? ["history", "charts"] : [])
            + (jobs.contains { $0.modelParameters != nil } ? ["models"] : []) + ["results"]
        for folder in folders {
            do throws(AtomicFile.WriteError) { try AtomicFile.syncDirectory("\(store.directory)/\(folder)") } catch {
                return failures.map { $0 ?? error }
            }
        }
        store.indexResults(zip(jobs, documents).compactMap { job, document in document.map { (job.record, $0) } })
        for (job, failure) in zip(jobs, failures) where failure == nil {
            store.removeCheckpoint(job.record.name, syncingDirectory: false)
        }
        try? AtomicFile.syncDirectory("\(store.directory)/checkpoints")
        return failures
    }

    /// The engine's recorded points plus the latest progress (the last step is always a row).
    static func rows(_ history: [HistoryRow], final: JobProgress) -> [HistoryRow] {
        var rows = history
        if final.step > 0, rows.last?.step != final.step {
            rows.append(HistoryRow(step: final.step, loss: final.loss, gradientNorm: final.gradientNorm, learningRate: final.learningRate))
        }
        return rows
    }
}

/// What a job that ended leaves on disk, kept in memory until it is written.
struct PendingResult: Sendable {
    var record: JobRecord
    /// Its loss curve (history and chart); nil for a job that never ran (result only) and for a
    /// job whose history was streamed.
    var history: [HistoryRow]?
    /// The history written while the job ran, complete but perhaps not synced (the commit syncs
    /// it and draws the chart from it); nil for a model job.
    var stream: HistoryStream?
    /// A model job's epochs (history columns and chart); nil for a free-tensor job.
    var epochs: [EpochRecord]?
    /// A model job's trained parameters by `state_dict` name (`models/<job>.safetensors`); nil
    /// for a free-tensor job and a model job that ended without them (it could not be built).
    var modelParameters: [(name: String, tensor: Tensor)]?
    /// The optimizer's `lr` as configured (the history's `lr_configured` column).
    var configuredLearningRate: Double?
    /// The job's configured metrics, in order (one history column each).
    var metricNames: [String]

    init(record: JobRecord, history: [HistoryRow]?, configuredLearningRate: Double? = nil, metricNames: [String] = []) {
        self.record = record
        self.history = history
        self.configuredLearningRate = configuredLearningRate
        self.metricNames = metricNames
    }

    /// The configured `lr` among an optimizer's options (nil when it has none).
    static func configuredLearningRate(_ optimizer: JobSpec.Component) -> Double? {
        switch optimizer.options["lr"] {
        case .number(let rate)?: rate
        case .integer(let rate)?: Double(rate)
        default: nil
        }
    }

    /// Makes this a model job's commit: its epochs, its parameters, and the result's `model` section naming them.
    mutating func addModel(epochs: [EpochRecord], parameters: [(name: String, tensor: Tensor)]?) {
        self.epochs = epochs
        self.modelParameters = parameters
        if let last = epochs.last { record.epoch = last }
        guard let parameters else { return }
        record.model?.parameters = parameters.map { ModelSummary.Parameter(name: $0.name, shape: $0.tensor.shape) }
        record.model?.file = StateStore.modelFile(record.name)
    }
}
