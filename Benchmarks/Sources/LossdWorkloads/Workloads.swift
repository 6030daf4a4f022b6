// SPDX-License-Identifier: Apache-2.0

import Foundation
import Logging
import LossdConfig
import LossdDaemon
import LossdEngine
import LossdSystemd

/// The measurements, each one run of a workload. Sizes are parameters so that the
/// package-benchmark suite can run shorter versions of what `lossd-perf` measures.
public enum Workloads {
    // MARK: - One job

    /// The seed job run by `TrainingJob` on the calling thread (the step loop alone).
    public static func seedJobInline(steps: Int, daemonHistory: Bool = false) throws -> Timing {
        let job = try TrainingJob(Jobs.seed(maxSteps: steps, daemonHistory: daemonHistory))
        let start = Clock.now()
        let status = job.run()
        let seconds = Clock.now() - start
        precondition(status == .maxSteps && job.progress.step == steps, "seed job ended early: \(status)")
        return Timing(steps: steps, elements: 3, seconds: seconds)
    }

    /// The seed job submitted to an engine with one worker, from submission to its result
    /// (batches, progress publication and time slices included).
    public static func seedJob(steps: Int) async -> Timing {
        let engine = TrainingEngine(EngineConfiguration(workers: 1))
        defer { engine.shutdown() }
        let start = Clock.now()
        let result = await engine.submit(Jobs.seed(maxSteps: steps)).result()
        let seconds = Clock.now() - start
        precondition(result.status == .maxSteps, "seed job ended \(result.status)")
        return Timing(steps: result.progress.step, elements: 3, seconds: seconds)
    }

    /// A wide job run by `TrainingJob` on the calling thread (its chunks in one loop).
    public static func wideJobInline(count: Int, steps: Int, optimizer: String = "sgd") throws -> Timing {
        let job = try TrainingJob(Jobs.wide(count: count, maxSteps: steps + 1, optimizer: optimizer))
        job.run(steps: 1)  // the first write copies the parameters out of the spec
        let start = Clock.now()
        job.run(steps: steps)
        let seconds = Clock.now() - start
        return Timing(steps: steps, elements: count, seconds: seconds)
    }

    /// A wide job on an engine with `workers` workers. Timed from the end of its first step to
    /// its result, so that building the job (copying and checking 2 x `count` doubles) is not
    /// counted: steps per second of the step loop with the engine's chunk phases.
    public static func wideJob(count: Int, steps: Int, workers: Int, optimizer: String = "sgd") async -> Timing {
        let spec = Jobs.wide(count: count, maxSteps: steps, optimizer: optimizer)
        let engine = TrainingEngine(EngineConfiguration(workers: workers))
        defer { engine.shutdown() }
        let handle = engine.submit(spec)
        var first = 0
        var start = 0.0
        while first == 0 {
            first = handle.progress.step
            start = Clock.now()
            if first == 0 { usleep(100) }
        }
        let result = await handle.result()
        let seconds = Clock.now() - start
        precondition(result.status == .maxSteps, "wide job ended \(result.status)")
        return Timing(steps: result.progress.step - first, elements: count, seconds: seconds)
    }

    // MARK: - Many jobs

    /// How a many-jobs run reports.
    public enum Reporting: Sendable {
        /// No history, no journald entries, no sd_notify.
        case off
        /// History at the daemon's cadence, and a ``Reporter`` every `interval` to journald and
        /// sd_notify (`$NOTIFY_SOCKET` must be set for sd_notify to send).
        case on(interval: Duration)
    }

    /// `jobs` seed jobs of `steps` steps each on `workers` workers: submitted one after the other,
    /// timed from the first submission to the last result. Total steps per second.
    ///
    /// Finished jobs are collected as the daemon collects them, with reporting on or off: each
    /// result (status, progress, fitted tensor and history) is taken and the job's handle
    /// dropped, so the engine frees the job. They are collected in groups of 50, the waiter
    /// sleeping until the group's last job ends (jobs end about in submission order; waking once
    /// per job would cost a context switch per job, measured here).
    public static func seedJobs(_ jobs: Int, steps: Int, workers: Int, reporting: Reporting = .off) async -> Timing {
        var history = false
        var interval: Duration?
        if case .on(let every) = reporting {
            history = true
            interval = every
        }
        let specs = (0..<jobs).map { _ in Jobs.seed(maxSteps: steps, daemonHistory: history) }
        let engine = TrainingEngine(EngineConfiguration(workers: workers))
        defer { engine.shutdown() }
        let collected = Reporter.Counts()
        // The reporter runs before the jobs arrive, as the daemon's does: what is timed is its
        // steady state (a tick every interval), not its start.
        var reporter: Reporter?
        if let interval {
            reporter = Reporter(engine: engine, collected: collected, interval: interval, logger: Reporter.journalLogger(),
                                notifier: SystemdNotifier())
            reporter?.start()
        }
        let start = Clock.now()
        var handles: [JobHandle?] = []
        handles.reserveCapacity(jobs)
        for (index, spec) in specs.enumerated() { handles.append(engine.submit(spec, id: "seed-\(index)")) }
        var total = 0
        var rows = 0
        for groupStart in stride(from: 0, to: jobs, by: 50) {
            for index in (groupStart..<min(groupStart + 50, jobs)).reversed() {
                let handle = handles[index]!
                let result = await handle.result()
                precondition(result.status == .maxSteps, "job \(handle.id) ended \(result.status)")
                total += result.progress.step
                rows += result.history.count
                handles[index] = nil
                collected.add(result.status)
            }
        }
        let seconds = Clock.now() - start
        reporter?.stop()
        precondition(!history || rows >= jobs * min(steps, JobConfiguration.historyRows), "history missing: \(rows) rows")
        return Timing(steps: total, elements: 3, seconds: seconds)
    }

    // MARK: - Memory

    /// What `jobs` live seed-sized jobs cost in resident memory.
    public struct MemoryFigure: Sendable {
        public var jobs: Int
        /// Resident bytes added by the engine and its jobs.
        public var bytes: Int
        /// The whole process's resident bytes with the jobs live.
        public var processBytes: Int
        public var bytesPerJob: Double { Double(bytes) / Double(jobs) }
    }

    /// Submits `jobs` seed-sized jobs, with the daemon's history settings for 10,000-step jobs,
    /// that never end in the time measured (max_steps 10^12), to an engine with one worker, and
    /// measures the resident memory they add while all are live (queued, or paused mid-run).
    public static func liveSeedJobs(_ jobs: Int) -> MemoryFigure {
        let (interval, capacity) = Jobs.daemonHistory(maxSteps: 10_000)
        var spec = Jobs.seed(maxSteps: 1_000_000_000_000)
        spec.historyInterval = interval
        spec.historyCapacity = capacity
        let specs = Array(repeating: spec, count: jobs)
        let before = ResidentMemory.bytes()
        let engine = TrainingEngine(EngineConfiguration(workers: 1))
        var handles: [JobHandle] = []
        handles.reserveCapacity(jobs)
        for (index, spec) in specs.enumerated() { handles.append(engine.submit(spec, id: "live-\(index)")) }
        usleep(200_000)
        engine.shutdown()  // pauses every job where it is
        let after = ResidentMemory.bytes()
        precondition(handles.allSatisfy { $0.status == .paused }, "a job is not live")
        withExtendedLifetime(handles) {}
        return MemoryFigure(jobs: jobs, bytes: after - before, processBytes: after)
    }
}
