// SPDX-License-Identifier: Apache-2.0

import Foundation
import Logging
import LossdConfig
import LossdDaemon
import LossdEngine
import LossdState
import LossdTestSupport
import ServiceLifecycleTestKit

/// `lossd run` or `lossd serve` inside the test process: the production `Supervisor` and
/// `DaemonService`, assembled as `DaemonLauncher` does, with doubles for what they talk to: a
/// ``RecordingNotifier`` for sd_notify, an ``InMemoryJournal`` behind the journald log handler,
/// and a ``ManualClock`` that paces the report, checkpoint and watchdog loops.
struct InProcessDaemon {
    let notifier: RecordingNotifier
    let journal = InMemoryJournal()
    let clock = ManualClock()
    /// Holds the workers of `gated_mse` jobs (see ``LossGate``).
    let gate: LossGate
    let engine: TrainingEngine
    let supervisor: Supervisor
    let service: DaemonService

    /// Loads `fixture.config` (with `gated_mse` bound to `gate`) and schedules its jobs on
    /// `fixture.state()`, as `lossd run|serve --state-dir` does. `stuckAfter` defaults to an hour:
    /// a gated job is held on purpose, and slow (sanitized) runs must not call it stuck.
    init(_ fixture: DaemonFixture, mode: DaemonService.Mode, workers: Int = 2, gate: LossGate = LossGate(open: true),
         watchdogInterval: Duration? = nil, progressBudget: Int = 20, supervisorOnManualClock: Bool = false,
         stuckAfter: Duration = .seconds(3600), eventBufferLimit: Int = 100_000) throws {
        self.gate = gate
        let registries = TrainingRegistries(losses: gate.registry())
        let loader = ConfigLoader(registries: registries, environment: [:])
        let configuration = try loader.load(path: fixture.config)
        let logger = LogSetup.journalLogger(journal)
        notifier = RecordingNotifier(watchdogInterval: watchdogInterval)
        engine = TrainingEngine(EngineConfiguration(workers: workers, registries: registries, eventBufferLimit: eventBufferLimit))
        let store = try StateStore(directory: fixture.state())
        supervisor = supervisorOnManualClock
            ? Supervisor(engine: engine, store: store, registries: registries, logger: logger, clock: clock,
                         stuckAfter: stuckAfter)
            : Supervisor(engine: engine, store: store, registries: registries, logger: logger, stuckAfter: stuckAfter)
        supervisor.start(configuration)
        service = DaemonService(mode: mode, configuration: configuration, configPath: fixture.config, loader: loader,
                                supervisor: supervisor, notifier: notifier, logger: logger, display: nil, clock: clock,
                                progressBudget: progressBudget)
    }

    /// Runs the service while `body` drives it; `body` may trigger a graceful shutdown (SIGTERM's
    /// path). In `serve` mode, or with jobs that never end, `body` must trigger it.
    func running(_ body: (GracefulShutdownTestTrigger) async throws -> Void) async throws {
        defer { engine.shutdown() }
        try await testGracefulShutdown { trigger in
            async let run: Void = service.run()
            try await body(trigger)
            try await run
        }
    }

    /// SIGTERM's path: asks for a graceful shutdown and, once the daemon says STOPPING=1, opens
    /// the gate, so that held jobs finish their step and pause to be checkpointed.
    func stop(_ trigger: GracefulShutdownTestTrigger) async {
        trigger.triggerGracefulShutdown()
        await notifier.message { $0.hasPrefix("STOPPING=1") }
        gate.open()
    }

    /// Runs the service to its end (`run` mode, jobs that end).
    func runToEnd() async throws {
        try await running { _ in }
    }

    /// The `sd_notify` messages so far, as sent on the socket.
    var messages: [String] { notifier.messages }
}
