// SPDX-License-Identifier: Apache-2.0
//
// lossd-perf: one run of each benchmark workload, printed as `key value` lines (compare.sh reads
// them). Usage: lossd-perf [--quick] [WORKLOAD ...]; workloads: seed history wide jobs reporting
// memory latency plugin model modelmemory modelpasses (all by default). "plugin" loads the log-cosh example plugin from
// $LOSSD_PERF_PLUGIN (default ../.build/release/liblossd-logcosh.so: `swift build -c release
// --product lossd-logcosh` in the main package).

import Foundation
import LossdWorkloads

let workloads: Set = ["seed", "history", "wide", "jobs", "reporting", "memory", "latency", "plugin", "model", "modelmemory",
                      "modelpasses"]
let arguments = Array(CommandLine.arguments.dropFirst())
let quick = arguments.contains("--quick")
let chosen = Set(arguments.filter { $0 != "--quick" })
if let unknown = chosen.subtracting(workloads).sorted().first {
    FileHandle.standardError.write(Data("""
        lossd-perf: unknown workload or option '\(unknown)'
        usage: lossd-perf [--quick] [\(workloads.sorted().joined(separator: "|")) ...]

        """.utf8))
    exit(64)
}
func wanted(_ name: String) -> Bool { chosen.isEmpty || chosen.contains(name) }
/// One figure per line, written at once (the script may read them while the rest runs).
func emit(_ key: String, _ value: Double) { emit(key, "\(value)") }
func emit(_ key: String, _ value: String) {
    FileHandle.standardOutput.write(Data("\(key) \(value)\n".utf8))
}

/// The best (shortest) of `runs` timings: the least disturbed by other processes.
func best(_ runs: Int, _ body: () async throws -> Timing) async rethrows -> Timing {
    var result = try await body()
    for _ in 1..<max(runs, 1) {
        let next = try await body()
        if next.seconds / Double(next.steps) < result.seconds / Double(result.steps) { result = next }
    }
    return result
}

let seedSteps = quick ? 10_000_000 : 100_000_000
let wideCount = 10_000_000
let wideSteps = quick ? 10 : 40
let jobCount = 1_000
let jobSteps = 10_000
let runs = quick ? 1 : 3

if wanted("seed") {
    let inline = try await best(runs) { try Workloads.seedJobInline(steps: seedSteps) }
    emit("seed.inline.ns_per_step", inline.nanosecondsPerStep)
    let engine = await best(runs) { await Workloads.seedJob(steps: seedSteps) }
    emit("seed.engine.ns_per_step", engine.nanosecondsPerStep)
    emit("seed.engine.steps_per_s", engine.stepsPerSecond)
}

if wanted("history") {  // the step loop alone (no engine), recording history at the daemon's cadence or not
    // Pairs of runs (one without history, one with), back to back in alternating order; the
    // figure is the median over pairs of each pair's ratio, as for "reporting" below.
    for steps in [10_000] {
        var ratios: [Double] = []
        for pair in 0..<(quick ? 200 : 2_000) {
            let off: Double, on: Double
            if pair % 2 == 0 {
                off = try Workloads.seedJobInline(steps: steps).seconds
                on = try Workloads.seedJobInline(steps: steps, daemonHistory: true).seconds
            } else {
                on = try Workloads.seedJobInline(steps: steps, daemonHistory: true).seconds
                off = try Workloads.seedJobInline(steps: steps).seconds
            }
            ratios.append(off / on)
        }
        ratios.sort()
        emit("history.\(steps).ratio", ratios[ratios.count / 2])
    }
}

if wanted("wide") {
    let inline = try await best(runs) { try Workloads.wideJobInline(count: wideCount, steps: wideSteps) }
    emit("wide.inline.ns_per_step", inline.nanosecondsPerStep)
    // 1 and 2 workers alternately, so that drifting load hits both alike.
    var wide: [Int: Timing] = [:]
    for _ in 0..<(quick ? 1 : 5) {
        for workers in [1, 2] {
            let timing = await Workloads.wideJob(count: wideCount, steps: wideSteps, workers: workers)
            if let previous = wide[workers], previous.nanosecondsPerStep <= timing.nanosecondsPerStep { continue }
            wide[workers] = timing
        }
    }
    for workers in [1, 2] {
        emit("wide.w\(workers).ns_per_step", wide[workers]!.nanosecondsPerStep)
        emit("wide.w\(workers).elements_per_s", wide[workers]!.elementsPerSecond)
    }
    // Adam on the same job, 1 worker (against the C Adam loop of compare.sh).
    let adam = await best(runs) { await Workloads.wideJob(count: wideCount, steps: wideSteps, workers: 1, optimizer: "adam") }
    emit("wide.adam.w1.ns_per_step", adam.nanosecondsPerStep)
}

if wanted("jobs") {
    // Rounds of one run on 1 worker and one on 2, back to back, in alternating order. Figures:
    // the best run of each, and the median over rounds of each round's 2-worker/1-worker ratio
    // (runs compared within a fraction of a second of each other; see "reporting" below).
    var speeds: [Int: [Double]] = [1: [], 2: []]
    var best: [Int: Timing] = [:]
    for round in 0..<(quick ? 1 : 15) {
        for workers in round % 2 == 0 ? [1, 2] : [2, 1] {
            let timing = await Workloads.seedJobs(jobCount, steps: jobSteps, workers: workers)
            speeds[workers]!.append(timing.stepsPerSecond)
            if let previous = best[workers], previous.stepsPerSecond >= timing.stepsPerSecond { continue }
            best[workers] = timing
        }
    }
    for workers in [1, 2] {
        emit("jobs.w\(workers).steps_per_s", best[workers]!.stepsPerSecond)
        emit("jobs.w\(workers).seconds", best[workers]!.seconds)
    }
    let ratios = zip(speeds[2]!, speeds[1]!).map { $0 / $1 }.sorted()
    emit("jobs.ratio", ratios[ratios.count / 2])
}

if wanted("reporting") {
    let socket = NotifySocket()
    emit("reporting.journald", FileManager.default.fileExists(atPath: "/run/systemd/journal/socket") ? "running" : "absent")
    // Long jobs (10^6 steps: history every 1,000 steps) and the 1,000 x 10,000 workload (history
    // every 10 steps), each at the daemon's default report interval and at the fastest one allowed.
    let cases: [(String, Int, Int)] = quick ? [("short", 1_000, 10_000)] : [("long", 100, 1_000_000), ("short", 1_000, 10_000)]
    // "off_again": a second run with reporting off, whose ratio to the first is this run's noise
    // (an on/off ratio means little beyond it).
    let modes: [(String, Workloads.Reporting)] = [("off", .off), ("off_again", .off), ("on_1s", .on(interval: .seconds(1))),
                                                  ("on_10ms", .on(interval: .milliseconds(10)))]
    for (name, jobs, steps) in cases {
        // Rounds of one run per mode, back to back and in rotating order, so that the runs
        // compared were made within a fraction of a second of each other. The ratio reported is
        // the median over rounds of each round's on/off ratio: this machine's speed drifts by
        // more than the 2% measured, over seconds, and a ratio of best runs taken seconds apart
        // would measure the drift. Short runs (about 45 ms) vary most: more rounds.
        var speeds: [String: [Double]] = [:]
        for round in 0..<(quick ? 1 : steps < 100_000 ? 81 : 21) {
            for offset in 0..<modes.count {
                let (mode, reporting) = modes[(round + offset) % modes.count]
                speeds[mode, default: []].append(await Workloads.seedJobs(jobs, steps: steps, workers: 2, reporting: reporting).stepsPerSecond)
            }
        }
        for (mode, _) in modes {
            emit("reporting.\(name).\(mode).steps_per_s", speeds[mode]!.max()!)
            guard mode != "off" else { continue }
            let ratios = zip(speeds[mode]!, speeds["off"]!).map { $0 / $1 }.sorted()
            emit("reporting.\(name).\(mode).ratio", ratios[ratios.count / 2])
        }
    }
    emit("reporting.notify_messages", Double(socket?.messages ?? 0))
    socket?.close()
}

if wanted("memory") {
    let figure = Workloads.liveSeedJobs(10_000)
    emit("memory.jobs", Double(figure.jobs))
    emit("memory.bytes", Double(figure.bytes))
    emit("memory.bytes_per_job", figure.bytesPerJob)
    emit("memory.process_bytes", Double(figure.processBytes))
}

if wanted("latency") {  // pause and cancel take effect within 100 ms: the worst of three job kinds
    var worst = ControlLatency(pauseMilliseconds: 0, cancelMilliseconds: 0)
    for _ in 0..<runs {
        let run = await Workloads.controlLatency()
        worst.pauseMilliseconds = max(worst.pauseMilliseconds, run.pauseMilliseconds)
        worst.cancelMilliseconds = max(worst.cancelMilliseconds, run.cancelMilliseconds)
    }
    emit("latency.pause.ms", worst.pauseMilliseconds)
    emit("latency.cancel.ms", worst.cancelMilliseconds)
}

if wanted("plugin") {  // the plugin-call board's cost per plugin call (one call per step)
    let path = ProcessInfo.processInfo.environment["LOSSD_PERF_PLUGIN"] ?? "../.build/release/liblossd-logcosh.so"
    let registries = try PluginCalls.registries(plugin: path)
    let board = try PluginCalls.temporaryBoard()
    let steps = quick ? 20_000 : 200_000
    // Pairs of runs, back to back in alternating order; the figure is the median over pairs of
    // each pair's difference per call, as for "history" above.
    var off: [Double] = [], differences: [Double] = []
    for pair in 0..<(quick ? 20 : 200) {
        let without: Double, with: Double
        if pair % 2 == 0 {
            without = try PluginCalls.run(registries, loss: "logcosh", steps: steps, board: nil).nanosecondsPerStep
            with = try PluginCalls.run(registries, loss: "logcosh", steps: steps, board: board).nanosecondsPerStep
        } else {
            with = try PluginCalls.run(registries, loss: "logcosh", steps: steps, board: board).nanosecondsPerStep
            without = try PluginCalls.run(registries, loss: "logcosh", steps: steps, board: nil).nanosecondsPerStep
        }
        off.append(without)
        differences.append(with - without)
    }
    off.sort()
    differences.sort()
    emit("plugin.off.ns_per_step", off[off.count / 2])
    emit("plugin.board.ns_per_call", differences[differences.count / 2])
    // The recording alone (set step, enter, leave), best of 5 runs of 10^7 calls.
    let alone = (0..<5).map { _ in PluginCalls.enterAndLeave(count: 10_000_000, board: board) }.min()!
    emit("plugin.board.record_ns", alone)
}

if wanted("model") {  // one epoch of each model job (ModelJobs), in file order and shuffled
    let data = ModelJobs.dataset()
    for model in ModelJobs.Model.allCases {
        for shuffle in [false, true] {
            // A warm-up epoch, then the best of the others (as compare_torch.py times PyTorch).
            var best: Workloads.EpochFigure?
            for run in 0...(quick ? 2 : 6) {
                let figure = await Workloads.modelEpoch(model, data: data, shuffle: shuffle)
                if run > 0 && figure.seconds < best?.seconds ?? .infinity { best = figure }
            }
            let key = "model.\(model.rawValue)\(shuffle ? "_shuffle" : "")"
            emit("\(key).ms_per_epoch", best!.seconds * 1e3)
            if !shuffle { emit("\(key).loss", best!.loss) }
        }
    }
}

if wanted("modelmemory") {  // one file's data shared by the jobs that train on it
    let figure = try Workloads.modelDataSharing()
    emit("modelmemory.dataset_bytes", Double(figure.datasetBytes))
    emit("modelmemory.loaded_bytes", Double(figure.loadedBytes))
    emit("modelmemory.one_job_bytes", Double(figure.oneJobBytes))
    emit("modelmemory.two_jobs_bytes", Double(figure.twoJobsBytes))
    emit("modelmemory.shared", figure.shared ? 1 : 0)
}

if wanted("modelpasses") {  // where a model epoch's time goes, on Sequential directly (no engine): best of runs
    let data = ModelJobs.dataset()
    for model in ModelJobs.Model.allCases {
        var best: ModelPassSplit?
        for _ in 0..<(quick ? 2 : 5) {
            let split = try ModelPassSplit.measure(model, data: data)
            if split.total < best?.total ?? .infinity { best = split }
        }
        let key = "modelpasses.\(model.rawValue)"
        for (phase, seconds) in [("batch", best!.batch), ("forward", best!.forward), ("loss", best!.loss),
                                 ("backward", best!.backward), ("update", best!.update), ("total", best!.total)] {
            emit("\(key).\(phase).ms", seconds * 1e3)
        }
        emit("\(key).loss", best!.meanLoss)
    }
}
