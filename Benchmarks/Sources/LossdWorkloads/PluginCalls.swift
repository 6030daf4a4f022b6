// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit
public import LossdEngine
import LossdPlugins
public import LossdSync

/// The cost of the plugin-call board (``PluginCallBoard``): a plugin job's step loop with the
/// board recording every call, as the daemon runs it, or with no board installed.
public enum PluginCalls {
    /// A registry with the plugin at `path` (loaded without the ownership rule: a benchmark).
    public static func registries(plugin path: String) throws -> TrainingRegistries {
        let plugin = try PluginLoader(searchPath: PluginSearchPath(directories: []), requiredOwner: nil).load(path)
        var builder = LossRegistry.Builder.builtins
        try plugin.register(into: &builder, plugin: path)
        return TrainingRegistries(losses: builder.build())
    }

    /// A board in a fresh temporary file, for ``run(_:loss:steps:board:)``.
    public static func temporaryBoard() throws -> PluginCallBoard {
        try PluginCallBoard.open(path: NSTemporaryDirectory() + "lossd-perf-plugin-calls-\(getpid())").board
    }

    /// `steps` steps of the seed job on the plugin loss `loss` (one plugin call per step) on the
    /// calling thread, labelled as a worker labels it; `board` records the calls (nil: none).
    public static func run(_ registries: TrainingRegistries, loss: String, steps: Int, board: PluginCallBoard?) throws -> Timing {
        let spec = JobSpec(initialization: .tensor(Tensor(Jobs.seedInit)), target: Tensor(Jobs.seedTarget),
                           loss: JobSpec.Component(loss),
                           optimizer: JobSpec.Component("sgd", options: ["lr": .number(1e-9)]),
                           stopping: StoppingRules(maxSteps: steps))
        let job = try TrainingJob(spec, registries: registries)
        let (status, seconds) = asWorker(board) { () -> (JobStatus, Double) in
            let start = Clock.now()
            let status = job.run()
            return (status, Clock.now() - start)
        }
        precondition(status == .maxSteps && job.progress.step == steps, "plugin job ended early: \(status)")
        return Timing(steps: steps, elements: 3, seconds: seconds)
    }

    /// Nanoseconds per recorded call alone: `count` enter/leave pairs on `board` (the same
    /// plugin, loss and job each time, as in a job's step loop).
    public static func enterAndLeave(count: Int, board: PluginCallBoard) -> Double {
        asWorker(board) {
            let start = Clock.now()
            for step in 0..<count {
                WorkerContext.setStep(step)
                PluginCallBoard.leave(PluginCallBoard.enter(plugin: "/usr/lib/lossd/plugins/liblossd-logcosh.so", loss: "logcosh"))
            }
            return (Clock.now() - start) * 1e9 / Double(count)
        }
    }

    /// Runs `body` with `board` installed (nil: none) and the calling thread labelled as a
    /// daemon's worker labels itself for a job's slice.
    private static func asWorker<Result>(_ board: PluginCallBoard?, _ body: () throws -> Result) rethrows -> Result {
        PluginCallBoard.install(board)
        WorkerContext.setJob("lossd-perf")
        defer {
            WorkerContext.setJob("")
            PluginCallBoard.install(nil)
        }
        return try body()
    }
}
