// SPDX-License-Identifier: Apache-2.0

import HeapModule
import LossdData
import LossdEngine

/// Which shard runs each job of a configuration (`--shard I/N`): every job in exactly one
/// shard, the shards balanced by expected work, the same answer on every machine and in every
/// lossd version for the same configuration.
///
/// The algorithm (part of lossd's interface; changing it is a breaking change):
/// 1. Each job (sweeps expanded, disabled jobs included, so that enabling one moves no other)
///    has a *work*, ``work(_:)``: its elements times its `max_steps`, and a *key*,
///    ``nameHash(_:)``: the 64-bit FNV-1a hash of its name's UTF-8 bytes.
/// 2. Jobs are ordered by work, largest first; equal work by key, then by name (bytes).
/// 3. In that order each job goes to the shard with the least work so far (the lowest-numbered
///    on ties): longest-processing-time-first scheduling, whose largest shard is within 4/3 of
///    the best possible and, with many jobs, within a fraction of a percent of the mean.
///
/// A hash alone (`key mod N`) would keep a job's shard when other jobs come and go, but shards
/// of jobs of mixed sizes would then differ by tens of percent; the key here only decides among
/// jobs of equal work (a sweep's jobs are often all equal: they are then dealt round-robin in key
/// order). The assignment is a function of the whole configuration: adding or removing jobs can
/// move others to other shards, which `lossd results merge` tolerates (a job found in two
/// shards with the same configuration hash is the same result).
public enum ShardPlan {
    /// One job as the plan sees it.
    public struct Item: Sendable, Hashable {
        public var name: String
        public var work: UInt64

        public init(name: String, work: UInt64) {
            self.name = name
            self.work = work
        }
    }

    /// The shard (0..<`shards`) of each item, in `items`' order.
    public static func assign(_ items: [Item], shards: Int) -> [Int] {
        precondition(shards >= 1)
        let keys = items.map { nameHash($0.name) }
        let order = items.indices.sorted { a, b in
            if items[a].work != items[b].work { return items[a].work > items[b].work }
            if keys[a] != keys[b] { return keys[a] < keys[b] }
            return Array(items[a].name.utf8).lexicographicallyPrecedes(items[b].name.utf8)
        }
        var loads = Heap((0..<shards).map { Load(work: 0, shard: $0) })
        var assignment = [Int](repeating: 0, count: items.count)
        for item in order {
            var least = loads.removeMin()
            assignment[item] = least.shard
            least.work = least.work.addingReportingOverflow(items[item].work).overflow ? .max : least.work + items[item].work
            loads.insert(least)
        }
        return assignment
    }

    /// A shard's running total; ordered by work, then shard number.
    struct Load: Comparable {
        var work: UInt64
        var shard: Int
        static func < (a: Load, b: Load) -> Bool { (a.work, a.shard) < (b.work, b.shard) }
    }

    /// 64-bit FNV-1a of `name`'s UTF-8 bytes (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
    public static func nameHash(_ name: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// A job's expected work: its elements times its `max_steps` (each at least 1; saturating).
    /// The elements of a free-tensor job are those of the fitted tensor; of a model job, its
    /// parameters times the rows of a step (`batch_size`, else the training rows).
    public static func work(_ job: JobConfiguration) -> UInt64 {
        var elements = UInt64(max(1, job.initial.shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? .max : $0 * $1 }))
        if let model = job.model {
            let parameters = UInt64(max(1, job.memory.parameters / MemoryLayout<Double>.size))
            let rows = UInt64(max(1, model.batchSize ?? model.train.dataset.rows))
            elements = parameters.multipliedReportingOverflow(by: rows).overflow ? .max : parameters * rows
        }
        let steps = UInt64(max(1, job.stopping.maxSteps))
        return elements.multipliedReportingOverflow(by: steps).overflow ? .max : elements * steps
    }

    /// The shard of every job of `jobs`, by name.
    public static func shards(of jobs: [JobConfiguration], count: Int) -> [String: Int] {
        let items = jobs.map { Item(name: $0.name, work: work($0)) }
        return Dictionary(zip(items.map(\.name), assign(items, shards: count)), uniquingKeysWith: { first, _ in first })
    }
}
