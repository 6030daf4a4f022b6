// SPDX-License-Identifier: Apache-2.0
//
// package-benchmark suite for lossd's engine: `swift package benchmark` in Benchmarks/.
// The same workloads as lossd-perf (see LossdWorkloads), shortened so that package-benchmark can
// repeat them; each reports its rate as a custom metric next to the wall clock.

import Benchmark
import LossdWorkloads
import Synchronization

let stepsPerSecond = BenchmarkMetric.custom("steps/s", polarity: .prefersLarger, useScalingFactor: false)
let elementsPerSecond = BenchmarkMetric.custom("M elements/s", polarity: .prefersLarger, useScalingFactor: false)
let bytesPerJob = BenchmarkMetric.custom("resident bytes per job", polarity: .prefersSmaller, useScalingFactor: false)
let rowsPerSecond = BenchmarkMetric.custom("rows/s", polarity: .prefersLarger, useScalingFactor: false)
let dataCopies = BenchmarkMetric.custom("copies of the data", polarity: .prefersSmaller, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, stepsPerSecond], timeUnits: .milliseconds,
        warmupIterations: 1, maxDuration: .seconds(10), maxIterations: 10)

    Benchmark("seed job, 10^7 steps, 1 worker") { benchmark in
        let timing = await Workloads.seedJob(steps: 10_000_000)
        benchmark.measurement(stepsPerSecond, Int(timing.stepsPerSecond))
    }

    for workers in [1, 2] {
        Benchmark("wide job, 10^7 elements x 10 steps, \(workers) worker\(workers == 1 ? "" : "s")",
                  configuration: .init(metrics: [.wallClock, elementsPerSecond], maxIterations: 5)) { benchmark in
            let timing = await Workloads.wideJob(count: 10_000_000, steps: 10, workers: workers)
            benchmark.measurement(elementsPerSecond, Int(timing.elementsPerSecond / 1e6))
        }
    }

    for workers in [1, 2] {
        Benchmark("1000 seed jobs x 10^4 steps, \(workers) worker\(workers == 1 ? "" : "s")") { benchmark in
            let timing = await Workloads.seedJobs(1_000, steps: 10_000, workers: workers)
            benchmark.measurement(stepsPerSecond, Int(timing.stepsPerSecond))
        }
    }

    // sd_notify sends to a socket of the benchmark's own while it runs (see NotifySocket).
    let socket = SocketHolder()
    for (name, reporting) in [("off", Workloads.Reporting.off), ("on", .on(interval: .milliseconds(10)))] {
        Benchmark("100 seed jobs x 10^6 steps, 2 workers, reporting \(name)", closure: { benchmark in
            let timing = await Workloads.seedJobs(100, steps: 1_000_000, workers: 2, reporting: reporting)
            benchmark.measurement(stepsPerSecond, Int(timing.stepsPerSecond))
        }, setup: { socket.open() }, teardown: { socket.close() })
    }

    Benchmark("10,000 live seed-sized jobs",
              configuration: .init(metrics: [.wallClock, .peakMemoryResidentDelta, bytesPerJob], maxIterations: 3)) { benchmark in
        let figure = Workloads.liveSeedJobs(10_000)
        benchmark.measurement(bytesPerJob, Int(figure.bytesPerJob))
    }

    // Model jobs: one epoch of 100,000 rows, batch 256, MSE + SGD (see ModelJobs; compare.sh
    // sets them beside PyTorch and the C loop).
    let data = ModelJobs.dataset()
    for model in ModelJobs.Model.allCases {
        for shuffle in [false, true] {
            Benchmark("\(model.rawValue) model \(model.widths.map(String.init).joined(separator: "-")), one epoch\(shuffle ? " shuffled" : ""), 1 worker",
                      configuration: .init(metrics: [.wallClock, rowsPerSecond], maxIterations: 5)) { benchmark in
                let figure = await Workloads.modelEpoch(model, data: data, shuffle: shuffle)
                benchmark.measurement(rowsPerSecond, Int(Double(ModelJobs.rows) / figure.seconds))
            }
        }
    }

    Benchmark("one data file, two MLP jobs on it",
              configuration: .init(metrics: [.wallClock, dataCopies], maxIterations: 3)) { benchmark in
        // Resident-memory deltas mean little after the first iteration (freed pages are reused):
        // lossd-perf modelmemory measures them in a fresh process.
        let figure = try Workloads.modelDataSharing()
        benchmark.measurement(dataCopies, figure.shared ? 1 : 2)
    }
}

/// The notification socket of the reporting benchmarks, open between their setup and teardown.
final class SocketHolder: Sendable {
    private let socket = Mutex<NotifySocket?>(nil)

    func open() { socket.withLock { $0 = NotifySocket() } }

    func close() {
        socket.withLock { socket in
            socket?.close()
            socket = nil
        }
    }
}
