// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdDaemon
import LossdEngine
import LossdJSON
import LossdState
import LossdSystemd
import LossdTestSupport
import ServiceLifecycleTestKit
import Testing

/// `DaemonService` in this process (see ``InProcessDaemon``): the sd_notify protocol, the journal
/// entries, the report, checkpoint and watchdog loops stepped by a manual clock, reload, graceful
/// stop and resume. No test waits for a length of time: each waits for an event (a message, an
/// entry, a held worker) and then checks what happened.
@Suite("Daemon service in-process", .timeLimit(.minutes(10)))
struct DaemonServiceTests {
    /// A YAML job list entry.
    static func job(_ name: String, loss: String = "mse", shape: Int = 16, optimizer: String = "{name: sgd, lr: 0.000001}",
                    steps: Int = 100_000_000, seed: Int = 1) -> String {
        """
          - name: \(name)
            loss: \(loss)
            init: {random: normal, shape: [\(shape)], mean: 0, std: 3}
            target: {random: uniform, shape: [\(shape)], low: -1, high: 1}
            optimizer: \(optimizer)
            max_steps: \(steps)
            seed: \(seed)

        """
    }

    /// A job held at its step 100 by the daemon's ``LossGate`` while the gate is closed: it runs,
    /// but costs no CPU while the test looks.
    static func held(_ name: String, seed: Int = 1) -> String {
        job(name, loss: "{name: gated_mse, hold_after: 100}", seed: seed)
    }

    /// A configuration with a one-second report interval, checkpoints every `checkpoint`.
    static func config(checkpoint: String = "1h", _ jobs: String...) -> String {
        "daemon:\n  report_interval: 1s\n  checkpoint_interval: \(checkpoint)\njobs:\n" + jobs.joined()
    }

    static func integer(_ text: String?) -> Int { text.flatMap { Int($0) } ?? -1 }

    /// Waits for `condition`; when it has not held for a second of real time, moves `clock` on by
    /// a report interval and waits again (a checkpoint sweep still writing the previous one, on a
    /// busy machine, skips a due sweep: the next interval makes it). At most 120 intervals.
    static func ticking(_ clock: ManualClock, _ condition: () -> Bool) async -> Bool {
        for _ in 0..<120 {
            if await eventually(within: 1, condition) { return true }
            await clock.advance(by: .seconds(1))
        }
        return condition()
    }

    /// The common fields of every journal entry lossd writes.
    static func expectJournalBasics(_ entry: InMemoryJournal.Entry, priority: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(entry["SYSLOG_IDENTIFIER"] == "lossd", sourceLocation: sourceLocation)
        #expect(entry["PRIORITY"] == String(priority), "\(entry)", sourceLocation: sourceLocation)
        #expect(entry["MESSAGE"]?.isEmpty == false, sourceLocation: sourceLocation)
        #expect(entry["CODE_FILE"]?.hasSuffix(".swift") == true && Int(entry["CODE_LINE"] ?? "") != nil
                    && entry["CODE_FUNC"]?.isEmpty == false, "\(entry)", sourceLocation: sourceLocation)
    }

    /// The fields of a job entry.
    /// `numbersKnown: false` (a start entry): a number not known yet is absent, never `NaN`.
    static func expectJobFields(_ entry: InMemoryJournal.Entry, job: String, status: String, loss: String = "mse", optimizer: String = "sgd",
                                numbersKnown: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(entry["LOSSD_JOB"] == job, sourceLocation: sourceLocation)
        #expect(entry["LOSSD_STATUS"] == status, sourceLocation: sourceLocation)
        #expect(entry["LOSSD_LOSS_FUNCTION"] == loss && entry["LOSSD_OPTIMIZER"] == optimizer, "\(entry)", sourceLocation: sourceLocation)
        #expect(Int(entry["LOSSD_STEP"] ?? "") != nil, sourceLocation: sourceLocation)
        for key in ["LOSSD_LOSS", "LOSSD_GRAD_NORM", "LOSSD_LR"] {
            if numbersKnown {
                #expect(entry[key].flatMap { Double($0) } != nil || entry[key] == "NaN", "\(key): \(entry)", sourceLocation: sourceLocation)
            } else {
                #expect(entry[key] == nil || entry[key].flatMap { Double($0) }?.isFinite == true, "\(key): \(entry)", sourceLocation: sourceLocation)
            }
        }
    }

    // MARK: - Protocol and journal

    @Test func readyFirstThenStatusWithProgressStartAndFinishEntries() async throws {
        let fixture = DaemonFixture("inproc-ready")
        defer { fixture.remove() }
        fixture.write(Self.config(Self.held("held"), DaemonFixture.quickJob))
        let daemon = try InProcessDaemon(fixture, mode: .run, gate: LossGate())
        try await daemon.running { trigger in
            await daemon.clock.sleepers(atLeast: 1)  // the report loop waits for its first tick
            #expect(daemon.messages.count == 1 && daemon.messages[0].hasPrefix("READY=1\nSTATUS="), "\(daemon.messages)")
            let ready = try #require(daemon.journal.entries(.daemonReady).first)
            Self.expectJournalBasics(ready, priority: 5)
            #expect(ready["LOSSD_JOBS"] == "2" && ready["LOSSD_CONFIG"] == fixture.config)

            let started = await daemon.journal.entry(.jobStarted, job: "held")
            Self.expectJournalBasics(started, priority: 6)
            Self.expectJobFields(started, job: "held", status: "running", loss: "gated_mse", numbersKnown: false)
            let converged = await daemon.journal.entry(.jobConverged, job: "quick")
            Self.expectJournalBasics(converged, priority: 5)
            Self.expectJobFields(converged, job: "quick", status: "converged")
            #expect(converged["LOSSD_STEP"] == "35")
            #expect(Double(converged["LOSSD_LOSS"] ?? "").map { $0 <= 1e-9 } == true)

            #expect(await eventually { daemon.gate.held == 1 })
            await daemon.clock.advance(by: .seconds(1))
            #expect(daemon.messages.count == 2, "\(daemon.messages)")
            // mse and gated_mse: raw losses of different losses are not ranked, and no metric is set.
            #expect(daemon.messages.last?.hasPrefix("STATUS=1 running, 1 done (1 converged), 0 failed; ") == true, "\(daemon.messages)")
            #expect(daemon.messages.last?.contains("best") == false, "\(daemon.messages)")
            let progress = try #require(daemon.journal.entries(.jobProgress).last)
            Self.expectJournalBasics(progress, priority: 6)
            Self.expectJobFields(progress, job: "held", status: "running", loss: "gated_mse")
            #expect(Self.integer(progress["LOSSD_STEP"]) > 0)
            #expect(progress["LOSSD_LR"] == "1e-06")
            #expect(daemon.journal.entries(.progressSummary).isEmpty, "two jobs are within the budget")
            await daemon.stop(trigger)
        }
        #expect(daemon.service.wasStopped)
        #expect(daemon.messages.last?.hasPrefix("STOPPING=1\nSTATUS=stopping: checkpointing 1 jobs") == true, "\(daemon.messages)")
        Self.expectJournalBasics(try #require(daemon.journal.entries(.daemonStopping).first), priority: 5)
        #expect((fixture.checkpointStep("held") ?? -1) >= 100)
    }

    @Test func progressEntriesRotateWithinTheBudgetAndASummaryCountsTheRest() async throws {
        let fixture = DaemonFixture("inproc-budget")
        defer { fixture.remove() }
        fixture.write(Self.config(Self.held("first"), Self.held("second", seed: 2), Self.held("third", seed: 3)))
        let daemon = try InProcessDaemon(fixture, mode: .serve, workers: 3, gate: LossGate(), progressBudget: 2)
        try await daemon.running { trigger in
            #expect(await eventually { daemon.gate.held == 3 })
            await daemon.clock.sleepers(atLeast: 1)
            await daemon.clock.advance(by: .seconds(1))
            await daemon.clock.advance(by: .seconds(1))
            #expect(daemon.journal.entries(.jobProgress).map { $0["LOSSD_JOB"] ?? "" } == ["first", "second", "third", "first"])
            let summaries = daemon.journal.entries(.progressSummary)
            #expect(summaries.count == 2)
            Self.expectJournalBasics(try #require(summaries.first), priority: 6)
            #expect(summaries.first?["LOSSD_RUNNING"] == "3" && summaries.first?["LOSSD_DONE"] == "0" && summaries.first?["LOSSD_FAILED"] == "0")
            await daemon.stop(trigger)
        }
    }

    @Test func finishEntriesOfEveryEnding() async throws {
        let fixture = DaemonFixture("inproc-endings")
        defer { fixture.remove() }
        fixture.write(DaemonFixture.endings)
        let daemon = try InProcessDaemon(fixture, mode: .run)
        try await daemon.runToEnd()
        #expect(!daemon.service.wasStopped && daemon.supervisor.anyFailed)
        let diverged = try #require(daemon.journal.entries(.jobDiverged).first)
        Self.expectJournalBasics(diverged, priority: 4)
        Self.expectJobFields(diverged, job: "diverges", status: "diverged")
        let capped = try #require(daemon.journal.entries(.jobMaxSteps).first)
        Self.expectJournalBasics(capped, priority: 5)
        Self.expectJobFields(capped, job: "fine", status: "max_steps", loss: "l1")
        #expect(capped["LOSSD_STEP"] == "5")
        // Jobs that end on their own: STOPPING=1 with the final counts, no checkpointing.
        #expect(daemon.messages.last?.hasPrefix("STOPPING=1\nSTATUS=0 running, 1 done (0 converged), 1 failed") == true, "\(daemon.messages)")
        #expect(daemon.journal.entries(.daemonStopping).isEmpty)
    }

    // MARK: - Loops on the clock

    @Test func checkpointsFollowTheCheckpointInterval() async throws {
        let fixture = DaemonFixture("inproc-checkpoint")
        defer { fixture.remove() }
        fixture.write(Self.config(checkpoint: "3s", Self.held("held")))
        let gate = LossGate()
        let daemon = try InProcessDaemon(fixture, mode: .serve, workers: 1, gate: gate)
        let checkpoint = fixture.checkpoint("held")
        try await daemon.running { trigger in
            #expect(await eventually { gate.held == 1 })
            await daemon.clock.sleepers(atLeast: 1)
            await daemon.clock.advance(by: .seconds(1))
            await daemon.clock.advance(by: .seconds(1))
            #expect(!fixture.exists(checkpoint), "two report intervals are not yet a checkpoint interval")
            #expect(daemon.messages.filter { $0.hasPrefix("STATUS=") }.count == 2)
            // A checkpoint is taken between two batches of steps: the job runs while it is due,
            // and its worker answers the request at its next batch boundary.
            gate.open()
            await daemon.clock.advance(by: .seconds(1))
            #expect(await eventually { fixture.exists(checkpoint) })
            gate.close()
            let first = fixture.checkpointStep("held") ?? -1
            #expect(first >= 100)
            gate.open()
            // The job moves past that checkpoint (in real time) before the clock makes the next due.
            #expect(await eventually { daemon.supervisor.rows().contains { $0.name == "held" && $0.steps > first } })
            await daemon.clock.advance(by: .seconds(3))
            #expect(await Self.ticking(daemon.clock) { (fixture.checkpointStep("held") ?? -1) > first }, "the job moved on between two checkpoints")
            await daemon.stop(trigger)
        }
    }

    /// The watchdog's thread, in real time (a 200 ms interval): a held worker stops the pings,
    /// with one warning naming its job; released, the pings resume.
    @Test func watchdogPingsOnlyWhileNoWorkerIsStuck() async throws {
        let fixture = DaemonFixture("inproc-watchdog")
        defer { fixture.remove() }
        fixture.write(Self.config(Self.job("held", loss: "{name: gated_mse, hold_after: 20}")))
        let gate = LossGate()
        let daemon = try InProcessDaemon(fixture, mode: .serve, workers: 1, gate: gate, watchdogInterval: .milliseconds(200))
        try await daemon.running { trigger in
            func pings() -> Int { daemon.messages.filter { $0 == "WATCHDOG=1" }.count }
            func warnings() -> [InMemoryJournal.Entry] {
                daemon.journal.entries.filter { $0["MESSAGE"]?.contains("withholding the watchdog ping") == true }
            }
            #expect(await eventually { gate.held == 1 })
            #expect(await eventually { warnings().count == 1 }, "a worker held past the window stops the pings")
            let withheld = pings()
            let warning = try #require(warnings().first)
            Self.expectJournalBasics(warning, priority: 4)
            #expect(warning["MESSAGE"]?.contains(": held (") == true, "the warning names the stuck job: \(warning)")
            // Ten more periods: no ping, no second warning.
            try await Task.sleep(for: .seconds(1))
            #expect(pings() == withheld && warnings().count == 1, "\(daemon.messages)")

            gate.open()
            #expect(await eventually { pings() >= withheld + 2 }, "released, the worker progresses and the pings resume")
            #expect(daemon.journal.entries.contains { $0["MESSAGE"]?.contains("watchdog pings resume") == true })
            await daemon.stop(trigger)
        }
    }

    /// The health rule on one snapshot, judged at chosen moments after it (no waiting): a slice
    /// younger than the window is healthy even when two ticks a period apart see it (the former
    /// rule called that stuck), one older is not.
    @Test(arguments: [(age: 1, pings: true), (age: 30, pings: true), (age: 41, pings: false), (age: 300, pings: false)])
    func watchdogRuleJudgesASliceByItsAge(age: Int, pings: Bool) async throws {
        let fixture = DaemonFixture("inproc-watchdog-rule-\(age)")
        defer { fixture.remove() }
        fixture.write(Self.config(Self.job("held", loss: "{name: gated_mse, hold_after: 20}")))
        let gate = LossGate()
        let daemon = try InProcessDaemon(fixture, mode: .serve, workers: 2, gate: gate)
        try await daemon.running { trigger in
            #expect(await eventually { gate.held == 1 })
            let snapshot = daemon.engine.workerSnapshot()
            let watchdog = Watchdog(interval: .seconds(80), notifier: daemon.notifier, logger: LogSetup.journalLogger(daemon.journal),
                                    snapshot: { snapshot })
            #expect(watchdog.window == .seconds(40))
            let before = daemon.messages.count
            // The snapshot is judged when the held slice is `age` seconds old (on a loaded
            // machine it may already be seconds old when taken); the idle worker is healthy.
            let sliceAge = snapshot.stuckJobs(window: .zero).first { $0.job == "held" }?.duration ?? .zero
            let after = Swift.max(.zero, .seconds(age) - sliceAge)
            #expect(watchdog.tick(snapshot, after: after) == pings)
            #expect(snapshot.stuckWorkers(window: watchdog.window, after: after) == (pings ? 0 : 1))
            #expect(daemon.messages[before...].contains("WATCHDOG=1") == pings)
            await daemon.stop(trigger)
        }
    }

    // MARK: - Reload

    @Test func reloadAppliesAValidConfigAndRejectsABrokenOne() async throws {
        let fixture = DaemonFixture("inproc-reload")
        defer { fixture.remove() }
        fixture.write(Self.config(Self.held("held")))
        let daemon = try InProcessDaemon(fixture, mode: .serve, gate: LossGate())
        try await daemon.running { trigger in
            await daemon.clock.sleepers(atLeast: 1)
            fixture.write(Self.config(Self.held("held"), DaemonFixture.quickJob.replacingOccurrences(of: "name: quick", with: "name: added-later")))
            let before = MonotonicClock.microseconds
            await daemon.service.reload()
            let reloading = daemon.messages[1].split(separator: "\n").map(String.init)
            #expect(reloading.first == "RELOADING=1" && reloading.last == "STATUS=reloading \(fixture.config)", "\(reloading)")
            let monotonic = reloading.first { $0.hasPrefix("MONOTONIC_USEC=") }.flatMap { UInt64($0.dropFirst("MONOTONIC_USEC=".count)) }
            #expect(monotonic.map { $0 >= before && $0 <= MonotonicClock.microseconds } == true, "\(reloading)")
            #expect(daemon.messages[2].hasPrefix("READY=1\nSTATUS=reloaded: 1 added, 0 changed, 0 removed, 1 unchanged; "), "\(daemon.messages)")
            let reloaded = try #require(daemon.journal.entries(.daemonReloaded).first)
            Self.expectJournalBasics(reloaded, priority: 5)
            #expect(reloaded["LOSSD_ADDED"] == "added-later" && reloaded["LOSSD_CONFIG"] == fixture.config)
            await daemon.journal.entry(.jobConverged, job: "added-later")
            #expect(await eventually { fixture.result("added-later")?["status"] == .string("converged") })

            fixture.write("jobs:\n  - name: broken\n    loss: msee\n")
            await daemon.service.reload()
            #expect(daemon.messages[3].hasPrefix("RELOADING=1\n"))
            let rejected = daemon.messages[4]
            #expect(rejected.hasPrefix("READY=1\nSTATUS=1 running, 1 done (1 converged), 0 failed"), "\(rejected)")
            #expect(rejected.contains("; last reload rejected: \(fixture.config):2:5: error: job 'broken' has no 'init'"), "\(rejected)")
            let entry = try #require(daemon.journal.entries(.reloadRejected).first)
            Self.expectJournalBasics(entry, priority: 3)
            #expect(entry["MESSAGE"]?.contains("lossd.yaml:3:11") == true, "the error names file:line:column: \(entry)")
            #expect(daemon.supervisor.rows().map(\.name) == ["held", "added-later"], "the previous configuration stays")
            // The note stays on every status line until a reload succeeds.
            await daemon.clock.advance(by: .seconds(1))
            #expect(daemon.messages.last?.hasPrefix("STATUS=") == true && daemon.messages.last?.contains("; last reload rejected: ") == true)
            await daemon.stop(trigger)
        }
        #expect(daemon.messages.last?.hasPrefix("STOPPING=1") == true)
    }

    // MARK: - Stop and resume

    /// Two jobs held at exact steps (40 and 90) and one that converges: stopped there, every
    /// unfinished job is checkpointed, and a restart resumes them to the uninterrupted results.
    static let stopConfig = config(
        job("held-adam", loss: "{name: gated_mse, hold_after: 40}", shape: 32, optimizer: "{name: adam, lr: 0.01}", steps: 1500, seed: 4),
        job("held-sgd", loss: "{name: gated_mse, hold_after: 90}", optimizer: "{name: sgd, lr: 0.001, momentum: 0.9}", steps: 1200, seed: 5),
        DaemonFixture.quickJob)

    @Test func gracefulStopCheckpointsEveryUnfinishedJobAndResumesBitIdentical() async throws {
        let reference = DaemonFixture("inproc-stop-reference")
        defer { reference.remove() }
        reference.write(Self.stopConfig)
        try await InProcessDaemon(reference, mode: .run).runToEnd()

        let fixture = DaemonFixture("inproc-stop")
        defer { fixture.remove() }
        fixture.write(Self.stopConfig)
        let gate = LossGate()
        let first = try InProcessDaemon(fixture, mode: .run, workers: 3, gate: gate)
        try await first.running { trigger in
            await first.journal.entry(.jobConverged, job: "quick")
            #expect(await eventually { gate.held == 2 })
            await first.stop(trigger)
        }
        #expect(first.service.wasStopped)
        #expect(first.messages.contains("STOPPING=1\nSTATUS=stopping: checkpointing 2 jobs"), "\(first.messages)")
        #expect((fixture.checkpointStep("held-adam") ?? -1) >= 40)
        #expect((fixture.checkpointStep("held-sgd") ?? -1) >= 90)
        #expect(fixture.result("quick")?["status"] == .string("converged"))
        #expect(fixture.result("held-adam") == nil && fixture.result("held-sgd") == nil)

        let second = try InProcessDaemon(fixture, mode: .run)
        try await second.runToEnd()
        for job in ["held-adam", "held-sgd", "quick"] {
            #expect(fixture.result(job)?.resultBits == reference.result(job)?.resultBits, "\(job)")
        }
        #expect(fixture.result("held-adam")?["resumed"] == .bool(true) && fixture.result("held-sgd")?["resumed"] == .bool(true))
        #expect(fixture.result("held-adam")?["status"] == .string("max_steps"))
        let resumed = second.journal.entries(.jobResumed)
        #expect(Set(resumed.map { $0["LOSSD_JOB"] ?? "" }) == ["held-adam", "held-sgd"])
        #expect(second.journal.entries(.jobStarted).isEmpty, "the finished job is not run again")
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: fixture.state() + "/checkpoints")) ?? []
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test func aStopDuringTheReportLoopsCheckpointWaitsForIt() async throws {
        let fixture = DaemonFixture("inproc-stop-during-checkpoint")
        defer { fixture.remove() }
        fixture.write(Self.config(checkpoint: "1s", Self.held("held")))
        let gate = LossGate()
        let daemon = try InProcessDaemon(fixture, mode: .serve, workers: 1, gate: gate)
        try await daemon.running { trigger in
            #expect(await eventually { gate.held == 1 })
            await daemon.clock.sleepers(atLeast: 1)
            // The tick's checkpoint waits for the held job to reach the end of a batch.
            await daemon.clock.advance(by: .seconds(1), waitingFor: 0)
            await daemon.notifier.message { $0.hasPrefix("STATUS=") }
            trigger.triggerGracefulShutdown()
            gate.open()
        }
        let messages = daemon.messages
        let stopping = try #require(messages.firstIndex { $0.hasPrefix("STOPPING=1") })
        #expect(!messages[stopping...].contains { $0.hasPrefix("STATUS=") }, "\(messages)")
        #expect((fixture.checkpointStep("held") ?? -1) >= 100)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: fixture.state() + "/checkpoints")) ?? []
        #expect(files == ["held.ckpt"], "one checkpoint, no temporary file left: \(files)")
    }

    /// A job held in a step that never ends (the gate stays closed) beside one that runs: the
    /// stop checkpoints the running one, asks for no more time (one batch of checkpoints; never
    /// on a timer), abandons the held one after `abandonAfter` on the daemon's clock, and names it.
    @Test func aStopWithAHungWorkerAbandonsItAndCheckpointsTheOthers() async throws {
        let fixture = DaemonFixture("inproc-stop-hung")
        defer { fixture.remove() }
        fixture.write(Self.config(Self.held("hung"), Self.job("plain", seed: 2)))
        let gate = LossGate()
        let daemon = try InProcessDaemon(fixture, mode: .serve, workers: 2, gate: gate)
        try await daemon.running { trigger in
            #expect(await eventually { gate.held == 1 })
            // The plain job has moved (a job still at step 0 has nothing to checkpoint).
            #expect(await eventually { daemon.supervisor.rows().contains { $0.name == "plain" && $0.steps > 0 } })
            trigger.triggerGracefulShutdown()
            await daemon.notifier.message { $0.hasPrefix("STOPPING=1") }
            // The plain job pauses at its next batch boundary (in real time: on a busy machine
            // its worker may wait for a CPU), before the clock runs past the stop's bound.
            #expect(await eventually { daemon.supervisor.rows().contains { $0.name == "plain" && $0.status == .paused } })
            // The stop waits for the hung worker on the clock, and sends nothing meanwhile.
            await daemon.clock.sleepers(atLeast: 1)
            await daemon.clock.advance(by: .seconds(4))
            #expect(!daemon.messages.contains { $0.hasPrefix("EXTEND_TIMEOUT_USEC=") }, "no extension while waiting: \(daemon.messages)")
            await daemon.clock.advance(by: .seconds(1), waitingFor: 0)
            let abandoned = await daemon.journal.recorder.first { $0["MESSAGE"]?.contains("job hung is stuck inside a step") == true }
            Self.expectJournalBasics(abandoned, priority: 4)
            #expect(abandoned["LOSSD_JOB"] == "hung")
            #expect(daemon.engine.shutdown(waitingAtMost: .milliseconds(100)) == 1, "its worker is still held")
            gate.open()  // lets the worker go, so that the test's engine can shut down
        }
        #expect(!daemon.messages.contains { $0.hasPrefix("EXTEND_TIMEOUT_USEC=") }, "one batch of checkpoints needs no more time: \(daemon.messages)")
        #expect((fixture.checkpointStep("plain") ?? -1) > 0, "the running job is checkpointed")
        #expect(!fixture.exists(fixture.checkpoint("hung")), "the hung job keeps what it had on disk (nothing yet)")
    }

    /// The engine's event stream is bounded and drops its oldest events when jobs end faster than
    /// they are consumed: a job whose end event was dropped is still finalized (each report tick
    /// calls ``Supervisor/finalizeMissed()``), so a run of many quick jobs ends with every result
    /// written.
    @Test func jobsWhoseEndEventsWereDroppedAreStillFinalized() async throws {
        let fixture = DaemonFixture("inproc-dropped-events")
        defer { fixture.remove() }
        let names = (1...40).map { "quick-\($0)" }
        fixture.write(Self.config(checkpoint: "1h", names.map { Self.job($0, shape: 3, optimizer: "{name: sgd, lr: 0.1}", steps: 50) }.joined()))
        let daemon = try InProcessDaemon(fixture, mode: .run, workers: 2, eventBufferLimit: 1)
        try await daemon.running { _ in
            #expect(await eventually { daemon.engine.jobs.isEmpty }, "every job ended in the engine")
            // What each report tick does: finalize the jobs whose end the events missed.
            daemon.supervisor.finalizeMissed()
            #expect(await eventually { daemon.supervisor.allFinished }, "\(daemon.supervisor.rows().map { "\($0.name) \($0.status)" })")
        }
        for name in names {
            #expect(fixture.result(name)?["status"] == .string("max_steps"), "\(name)")
        }
    }

    /// One job held inside a step, one plain: the plain one's checkpoints and the status keep
    /// coming, and the status names the held one.
    @Test func aHungJobDoesNotHoldUpTheOthersReportsAndCheckpoints() async throws {
        let fixture = DaemonFixture("inproc-hung-beside-plain")
        defer { fixture.remove() }
        fixture.write(Self.config(checkpoint: "1s", Self.held("hung"), Self.job("plain", seed: 2)))
        let gate = LossGate()
        let daemon = try InProcessDaemon(fixture, mode: .serve, workers: 2, gate: gate, stuckAfter: .milliseconds(500))
        try await daemon.running { trigger in
            #expect(await eventually { gate.held == 1 })
            #expect(await eventually { daemon.supervisor.stuckJobs().map(\.name).contains("hung") })
            await daemon.clock.sleepers(atLeast: 1)
            // status.json is rewritten at most every 250 ms (real time): let the first tick write it.
            try await Task.sleep(for: .milliseconds(300))
            var steps: [Int] = []
            for tick in 1...3 {
                let statusCount = daemon.messages.filter { $0.hasPrefix("STATUS=") }.count
                // The plain job has moved past its last checkpoint (in real time: on a busy
                // machine its worker may wait for a CPU) before the tick that checkpoints it.
                let moved = steps.last ?? 0
                #expect(await eventually { daemon.supervisor.rows().contains { $0.name == "plain" && $0.steps > moved } })
                await daemon.clock.advance(by: .seconds(1))
                let status = daemon.messages.filter { $0.hasPrefix("STATUS=") }
                #expect(status.count == statusCount + 1, "tick \(tick): \(daemon.messages)")
                #expect(status.last?.contains(" stuck: hung ") == true, "\(status.last ?? "")")
                if tick == 1 {
                    let file = try #require(fixture.statusFile())
                    #expect(file.contains(" stuck: hung "), "status.json: \(file)")
                }
                let last = steps.last ?? 0
                #expect(await Self.ticking(daemon.clock) { (fixture.checkpointStep("plain") ?? -1) > last }, "tick \(tick): the plain job's checkpoint advances")
                steps.append(fixture.checkpointStep("plain") ?? -1)
            }
            #expect(!fixture.exists(fixture.checkpoint("hung")))
            await daemon.stop(trigger)
        }
        #expect((fixture.checkpointStep("hung") ?? -1) >= 100, "released at the stop, the hung job is checkpointed too")
    }

    @Test func corruptCheckpointsAreSetAsideAndTheJobsStartAfresh() async throws {
        let config = Self.config(Self.job("adam", shape: 32, optimizer: "{name: adam, lr: 0.01}", steps: 800, seed: 6),
                                 Self.job("sgd", optimizer: "{name: sgd, lr: 0.001}", steps: 900, seed: 7))
        let reference = DaemonFixture("inproc-corrupt-reference")
        defer { reference.remove() }
        reference.write(config)
        try await InProcessDaemon(reference, mode: .run).runToEnd()

        let fixture = DaemonFixture("inproc-corrupt")
        defer { fixture.remove() }
        fixture.write(config)
        try FileManager.default.createDirectory(atPath: fixture.state() + "/checkpoints", withIntermediateDirectories: true)
        fixture.write("lossd-checkpoint 1 0000 garbage", to: fixture.state() + "/checkpoints/adam.ckpt")
        fixture.write("{\"truncated\": ", to: fixture.state() + "/checkpoints/sgd.ckpt")
        let daemon = try InProcessDaemon(fixture, mode: .run)
        try await daemon.runToEnd()
        let setAside = daemon.journal.entries(.stateSetAside)
        #expect(Set(setAside.map { $0["LOSSD_JOB"] ?? "" }) == ["adam", "sgd"])
        Self.expectJournalBasics(try #require(setAside.first), priority: 4)
        for job in ["adam", "sgd"] {
            #expect(fixture.exists(fixture.state() + "/checkpoints/\(job).ckpt.corrupt"))
            #expect(fixture.result(job)?.resultBits == reference.result(job)?.resultBits, "\(job)")
            #expect(fixture.result(job)?["resumed"] == .bool(false))
        }
    }
}
