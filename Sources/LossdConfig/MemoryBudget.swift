// SPDX-License-Identifier: Apache-2.0

import LossdData
import LossdEngine

/// The memory a configuration's jobs need together, against its limit.
///
/// The daemon builds every enabled job when it loads the configuration (whatever
/// `daemon.workers`): each job's tensors, optimizer state and buffers are resident from then
/// until it ends, so the estimate is the sum over all enabled jobs (``JobConfiguration/memory``),
/// with a dataset that several model jobs load counted once.
public struct MemoryBudget: Sendable, Hashable {
    /// Bytes, saturating at `Int.max`.
    public var estimate: Int
    public var limit: MemoryLimit

    public init(estimate: Int, limit: MemoryLimit) {
        self.estimate = estimate
        self.limit = limit
    }

    /// Sums the estimates of the enabled `jobs` in order, with a reserve for the checkpoints and
    /// results being written at once (the largest ``MemoryEstimate/writing`` so far for each of
    /// `writers`, the jobs that run at a time), and reports, at the job that takes the sum past
    /// `limit` (for a sweep's job, the job that declares the sweep), the estimate and the limit.
    static func check(_ jobs: [JobConfiguration], limit: MemoryLimit, writers: Int, diagnostics: Diagnostics) -> MemoryBudget {
        var resident = 0, reserve = 0, total = 0
        var counted = 0
        var largestWrite = 0
        var loadedData: Set<LoadedData> = []
        for job in jobs where job.enabled {
            var cost = job.memory.total
            if let model = job.model {
                // A dataset loaded by several jobs is held once (DatasetLoader shares it).
                for data in [model.train, model.validation].compactMap({ $0 }) where !loadedData.insert(data).inserted {
                    cost -= MemoryEstimate.bytes(data.dataset.elementCount)
                }
            }
            resident = MemoryEstimate.sum([resident, cost])
            counted += 1
            largestWrite = max(largestWrite, job.memory.writing)
            reserve = MemoryEstimate.product(largestWrite, min(writers, counted))
            total = MemoryEstimate.sum([resident, reserve])
            guard let bytes = limit.bytes, total > bytes else { continue }
            let label = job.sweep.map { "job '\(job.name)' (from the sweep of '\($0.template)')" } ?? "job '\(job.name)'"
            let parts = job.memory.parts.map { "\($0.name) \(ByteSize.format($0.bytes))" }.joined(separator: ", ")
            let own = "\(ByteSize.format(job.memory.total)) (\(parts))"
            let alone = MemoryEstimate.sum([job.memory.total, job.memory.writing])
            let need = alone > bytes ? "\(label) needs about \(own) and \(ByteSize.format(job.memory.writing)) more while its checkpoint is written"
                : "the \(counted) enabled jobs up to \(label) need about \(ByteSize.format(total)) together, "
                    + "\(ByteSize.format(reserve)) of it for writing checkpoints (this one \(own))"
            diagnostics.report(.limit, at: diagnostics.location(of: job.source), path: .root,
                               "\(need): more than the memory limit \(limit); lower the sizes or the number of jobs, or raise daemon.memory_limit")
            return MemoryBudget(estimate: total, limit: limit)
        }
        return MemoryBudget(estimate: total, limit: limit)
    }
}

extension Dataset {
    /// The numbers it holds: features and targets.
    var elementCount: Int { MemoryEstimate.sum([features.count, targets.count]) }
}
