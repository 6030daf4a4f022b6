// SPDX-License-Identifier: Apache-2.0

/// What `--shard I/N` kept of a configuration: its jobs and its share of the work
/// (``ShardPlan/work(_:)``), for `lossd check` and the daemon's log.
public struct ShardReport: Sendable, Hashable {
    public var selection: ShardSelection
    /// The shard's jobs (before `--only`) and the configuration's.
    public var jobs: Int
    public var totalJobs: Int
    /// The shard's work and the configuration's (saturating sums).
    public var work: UInt64
    public var totalWork: UInt64

    public init(selection: ShardSelection, jobs: Int, totalJobs: Int, work: UInt64, totalWork: UInt64) {
        self.selection = selection
        self.jobs = jobs
        self.totalJobs = totalJobs
        self.work = work
        self.totalWork = totalWork
    }

    /// `shard 1/4: 52 of 210 jobs, 24.9% of the work (elements x max_steps)`.
    public var summary: String {
        let share = totalWork == 0 ? 0 : Double(work) / Double(totalWork) * 100
        let percent = (share * 10).rounded() / 10
        return "shard \(selection): \(jobs) of \(totalJobs) job\(totalJobs == 1 ? "" : "s"), \(percent)% of the work (elements x max_steps)"
    }
}
