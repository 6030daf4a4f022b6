// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit
import LossdConfig
import LossdEngine
import Testing

/// Loads YAML text as `NAME` (in memory) and returns the configuration or the errors.
func load(_ text: String, name: String = "test.yaml", environment: [String: String] = [:]) -> Result<LossdConfiguration, ConfigErrors> {
    let loader = ConfigLoader(environment: environment, workingDirectory: "/srv/lossd")
    do throws(ConfigErrors) {
        return .success(try loader.load(bytes: Array(text.utf8), name: name))
    } catch {
        return .failure(error)
    }
}

/// The configuration, or a recorded issue.
func loaded(_ text: String, environment: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) -> LossdConfiguration? {
    switch load(text, environment: environment) {
    case .success(let configuration): return configuration
    case .failure(let errors):
        Issue.record("unexpected errors:\n\(errors)", sourceLocation: sourceLocation)
        return nil
    }
}

/// The errors, or a recorded issue when the text loads.
func rejected(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [ConfigError] {
    switch load(text) {
    case .success:
        Issue.record("the configuration was accepted", sourceLocation: sourceLocation)
        return []
    case .failure(let errors): return errors.errors
    }
}

let seedBody = """
    loss: mse
    init: [10, 10, 10]
    target: [30, 20, 50]
    optimizer: {name: sgd, lr: 0.1}
    max_steps: 100
"""

@Suite("Loading valid configurations")
struct LoaderTests {
    @Test("The seed job loads with PyTorch's defaults filled in")
    func seedJob() throws {
        let configuration = try #require(loaded("jobs:\n  - name: seed\n" + seedBody))
        let job = try #require(configuration.jobs.first)
        #expect(job.name == "seed")
        #expect(job.loss == JobSpec.Component("mse", options: ["reduction": .string("mean")]))
        #expect(job.initial == .literal(Tensor([10, 10, 10])))
        #expect(job.target == .literal(Tensor([30, 20, 50])))
        #expect(job.optimizer.name == "sgd")
        #expect(job.optimizer.options["lr"] == .number(0.1))
        #expect(job.optimizer.options["momentum"] == .number(0))
        #expect(job.optimizer.options["nesterov"] == .bool(false))
        #expect(job.stopping == StoppingRules(maxSteps: 100))
        #expect(job.scheduler == nil)
        #expect(job.source == ConfigLocation(file: "test.yaml", mark: Mark(line: 2, column: 5)))
        #expect(job.enabled)
        #expect(job.seed == 0)
    }

    @Test("Daemon defaults; relative paths resolve against the file's directory")
    func daemonSettings() throws {
        let plain = try #require(loaded("jobs: []"))
        #expect(plain.daemon.workers == .auto)
        #expect(plain.daemon.reportInterval == .seconds(1))
        #expect(plain.daemon.checkpointInterval == .seconds(10))
        #expect(plain.daemon.stateDirectory == "/srv/lossd/state")
        #expect(plain.daemon.jobsDirectory == nil)
        let systemd = try #require(loaded("jobs: []", environment: ["STATE_DIRECTORY": "/var/lib/lossd:/var/lib/other"]))
        #expect(systemd.daemon.stateDirectory == "/var/lib/lossd")
        let text = """
            daemon:
              workers: 3
              report_interval: 500ms
              checkpoint_interval: 2m
              state_directory: ./run/../state2
              plugins: [plugins/libfocal.so, /usr/lib/lossd/libquantile.so]
            jobs: []
            """
        let custom = try #require(loaded(text, environment: ["STATE_DIRECTORY": "/var/lib/lossd"]))
        #expect(custom.daemon.workers == .count(3))
        #expect(custom.daemon.reportInterval == .milliseconds(500))
        #expect(custom.daemon.checkpointInterval == .seconds(120))
        #expect(custom.daemon.stateDirectory == "/srv/lossd/state2")
        #expect(custom.daemon.plugins.map(\.path) == ["/srv/lossd/plugins/libfocal.so", "/usr/lib/lossd/libquantile.so"])
        #expect(custom.daemon.plugins.map(\.source.mark.line) == [6, 6])
    }

    @Test("Durations", arguments: [("500ms", 500.0), ("1s", 1_000), ("1.5s", 1_500), ("2m", 120_000), ("1h", 3_600_000), ("10ms", 10)])
    func durations(_ text: String, _ milliseconds: Double) throws {
        let configuration = try #require(loaded("daemon: {report_interval: \(text)}\njobs: []"))
        #expect(configuration.daemon.reportInterval == .milliseconds(milliseconds))
    }

    @Test("Defaults apply key by key; a job's own key replaces the default whole")
    func defaults() throws {
        let text = """
            defaults:
              optimizer: {name: sgd, lr: 0.1, momentum: 0.9}
              max_steps: 10000
              loss: mse
            jobs:
              - name: a
                init: [1]
                target: [2]
              - name: b
                init: [1]
                target: [2]
                optimizer: {name: adam}
                max_steps: 5
            """
        let configuration = try #require(loaded(text))
        let a = configuration.jobs[0], b = configuration.jobs[1]
        #expect(a.optimizer.options["momentum"] == .number(0.9))
        #expect(a.stopping.maxSteps == 10000)
        #expect(b.optimizer.name == "adam")
        #expect(b.optimizer.options["lr"] == .number(0.001))
        #expect(b.optimizer.options["betas"] == .tensor(Tensor([0.9, 0.999])))
        #expect(b.stopping.maxSteps == 5)
    }

    @Test("A job's null removes a default")
    func nullRemovesDefault() throws {
        let text = """
            defaults:
              scheduler: {name: exponential_lr, gamma: 0.99}
              tolerance: 0.5
            jobs:
              - name: a
            """ + "\n" + seedBody.replacingOccurrences(of: "    max_steps: 100", with: "    max_steps: 100\n    scheduler: ~\n    tolerance:")
        let job = try #require(loaded(text)?.jobs.first)
        #expect(job.scheduler == nil)
        #expect(job.stopping.tolerance == nil)
    }

    @Test("A sweep expands to the cartesian product with readable names")
    func sweep() throws {
        let text = """
            defaults:
              optimizer: {name: sgd, lr: 0.1}
              max_steps: 100
            jobs:
              - name: lr-grid
                sweep:
                  optimizer.lr: [0.01, 0.1, 1.0]
                  loss: [l1, mse, huber_like]
                init: [10, 10, 10]
                target: [30.0, 20, 50]
            """
        // The target is real (one real literal): cross_entropy reads it as class probabilities.
        // huber_like is not a loss: one error, at the sweep value, reported once.
        let errors = rejected(text)
        #expect(errors.count == 1)
        #expect(errors.first?.mark == Mark(line: 8, column: 23))
        let fixed = try #require(loaded(text.replacingOccurrences(of: "huber_like", with: "cross_entropy")))
        #expect(fixed.jobs.map(\.name) == [
            "lr-grid.lr-0.01.loss-l1", "lr-grid.lr-0.01.loss-mse", "lr-grid.lr-0.01.loss-cross_entropy",
            "lr-grid.lr-0.1.loss-l1", "lr-grid.lr-0.1.loss-mse", "lr-grid.lr-0.1.loss-cross_entropy",
            "lr-grid.lr-1.0.loss-l1", "lr-grid.lr-1.0.loss-mse", "lr-grid.lr-1.0.loss-cross_entropy",
        ])
        let first = fixed.jobs[0]
        #expect(first.optimizer.options["lr"] == .number(0.01))
        #expect(first.loss.name == "l1")
        #expect(first.sweep == SweepOrigin(template: "lr-grid", assignments: [.init(key: "optimizer.lr", value: "0.01"), .init(key: "loss", value: "l1")]))
        #expect(Set(fixed.jobs.map(\.hash)).count == 9)
    }

    @Test("Sweep values that do not name themselves are numbered; short forms become mappings")
    func sweepNumbering() throws {
        let text = """
            jobs:
              - name: grid
                sweep:
                  init: [[1, 2], [3, 4]]
                  optimizer.momentum: [0, 0.9]
                loss: mse
                target: [0, 0]
                optimizer: sgd
                max_steps: 10
            """
        let configuration = try #require(loaded(text))
        #expect(configuration.jobs.map(\.name) == ["grid.init-1.momentum-0", "grid.init-1.momentum-0.9", "grid.init-2.momentum-0", "grid.init-2.momentum-0.9"])
        #expect(configuration.jobs[3].optimizer.options["momentum"] == .number(0.9))
        #expect(configuration.jobs[3].initial == .literal(Tensor([3, 4])))
    }

    @Test("PyTorch class names are accepted and stored as registry names")
    func pytorchNames() throws {
        let text = """
            jobs:
              - name: a
                loss: {name: CrossEntropyLoss, label_smoothing: 0.1}
                init: [[0.1, 0.2, 0.3]]
                target: [1]
                optimizer: {name: AdamW, lr: 0.01}
                scheduler: {name: StepLR, step_size: 10}
                max_steps: 100
            """
        let job = try #require(loaded(text)?.jobs.first)
        #expect(job.loss.name == "cross_entropy")
        #expect(job.loss.options["label_smoothing"] == .number(0.1))
        #expect(job.optimizer.name == "adamw")
        #expect(job.optimizer.options["weight_decay"] == .number(0.01))
        #expect(job.scheduler == JobSpec.Component("step_lr", options: ["step_size": .integer(10), "gamma": .number(0.1)]))
    }

    @Test("Random tensors, stopping rules, seed, enabled")
    func randomAndStopping() throws {
        let text = """
            jobs:
              - name: r
                loss: mse
                init: {random: normal, shape: [4, 3], mean: 1, std: 0.5}
                target: {random: uniform, shape: [4, 3], low: -1, high: 1}
                optimizer: {name: rmsprop}
                max_steps: 1e4
                tolerance: 1e-6
                patience: 20
                min_delta: 0.001
                seed: 42
                enabled: false
            """
        let job = try #require(loaded(text)?.jobs.first)
        #expect(job.initial == .random(RandomTensor(distribution: .normal(mean: 1, std: 0.5), shape: [4, 3])))
        #expect(job.target == .random(RandomTensor(distribution: .uniform(low: -1, high: 1), shape: [4, 3])))
        #expect(job.stopping == StoppingRules(maxSteps: 10000, tolerance: 1e-6, patience: 20, minDelta: 0.001))
        #expect(job.seed == 42)
        #expect(!job.enabled)
    }

    /// A weight summing to 0 is refused only where `mean` divides by it (l1, mse): huber's mean is
    /// over the element count, and `sum` divides by nothing.
    @Test("A per-element weight summing to 0 loads where no mean divides by it", arguments: [
        "{name: huber, weight: [1.0, -1.0, 0.0]}",
        "{name: mse, reduction: sum, weight: [1.0, -1.0, 0.0]}",
        "{name: l1, reduction: none, weight: [0.0, 0.0, 0.0]}",
    ])
    func zeroSumWeightLoads(_ loss: String) throws {
        // huber refuses a Long target, as PyTorch does: the target is written with a real literal.
        let body = seedBody.replacingOccurrences(of: "loss: mse", with: "loss: \(loss)").replacingOccurrences(of: "[30, 20, 50]", with: "[30.0, 20, 50]")
        let job = try #require(loaded("jobs:\n  - name: a\n" + body + "\n")?.jobs.first)
        #expect(job.loss.options["weight"] == .tensor(Tensor([1.0, -1.0, 0.0])) || job.loss.options["weight"] == .tensor(Tensor([0.0, 0, 0])))
    }

    @Test("The hash follows the effective configuration only")
    func hashes() throws {
        func hash(_ name: String, _ body: String) throws -> ConfigHash {
            try #require(loaded("jobs:\n  - name: \(name)\n" + body + "\n")?.jobs.first).hash
        }
        let base = try hash("a", seedBody)
        #expect(try hash("renamed", seedBody) == base)
        #expect(try hash("a", seedBody.replacingOccurrences(of: "loss: mse", with: "loss: {name: MSELoss, reduction: mean}")) == base)
        #expect(try hash("a", seedBody.replacingOccurrences(of: "lr: 0.1", with: "lr: 0.1, momentum: 0")) == base)
        // An option added later (mse's functional weight) leaves the hash of a job that does not use it alone.
        #expect(try hash("a", seedBody.replacingOccurrences(of: "loss: mse", with: "loss: {name: mse, weight: null}")) == base)
        #expect(try hash("a", seedBody.replacingOccurrences(of: "loss: mse", with: "loss: {name: mse, weight: [1.0, 1.0, 1.0]}")) != base)
        #expect(try hash("a", seedBody.replacingOccurrences(of: "lr: 0.1", with: "lr: 0.2")) != base)
        #expect(try hash("a", seedBody.replacingOccurrences(of: "[10, 10, 10]", with: "[10, 10, 11]")) != base)
        #expect(try hash("a", seedBody + "\n    seed: 1") != base)
        // Stable across runs and machines (a change of the serialisation must be deliberate): pinned.
        #expect(base.description == "fc5dec8c57d1805d")
    }

    @Test("Drop-ins: read in lexical order, jobs after the main file's, defaults apply to them")
    func dropIns() throws {
        let directory = try FixturePaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let jobs = directory.appendingPathComponent("jobs.d")
        try FileManager.default.createDirectory(at: jobs, withIntermediateDirectories: true)
        try "defaults:\n  loss: mse\n  optimizer: sgd\n  max_steps: 10\ndaemon:\n  jobs_directory: jobs.d\njobs:\n  - {name: main, init: [1], target: [2]}\n"
            .write(to: directory.appendingPathComponent("lossd.yaml"), atomically: true, encoding: .utf8)
        try "jobs:\n  - {name: b, init: [1], target: [2]}\n".write(to: jobs.appendingPathComponent("20-b.yaml"), atomically: true, encoding: .utf8)
        try "jobs:\n  - {name: a, init: [1], target: [2]}\n".write(to: jobs.appendingPathComponent("10-a.yml"), atomically: true, encoding: .utf8)
        try "not: [valid".write(to: jobs.appendingPathComponent(".hidden.yaml"), atomically: true, encoding: .utf8)
        try "ignored".write(to: jobs.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let loader = ConfigLoader(workingDirectory: directory.path)
        let configuration = try loader.load(path: "lossd.yaml")
        #expect(configuration.jobs.map(\.name) == ["main", "a", "b"])
        #expect(configuration.dropIns == ["jobs.d/10-a.yml", "jobs.d/20-b.yaml"])
        #expect(configuration.jobs[1].source == ConfigLocation(file: "jobs.d/10-a.yml", mark: Mark(line: 2, column: 5)))
        #expect(configuration.daemon.jobsDirectory == directory.path + "/jobs.d")
        #expect(configuration.jobs[2].loss.name == "mse")
    }

    @Test("Every problem is reported in one pass, in file order")
    func allErrorsAtOnce() {
        let text = """
            daemon:
              workers: many
            jobs:
              - name: a
                loss: msee
                init: [1, 2]
                target: [1, 2]
                optimizer: {name: sgd, lr: -1}
                max_steps: -1
              - name: a
                loss: mse
                init: [1]
                target: [1]
                optimizer: sgd
                max_steps: 1
                colour: red
            """
        let errors = rejected(text)
        #expect(errors.map(\.mark) == [
            Mark(line: 2, column: 12), Mark(line: 5, column: 11), Mark(line: 8, column: 32), Mark(line: 9, column: 16),
            Mark(line: 10, column: 11), Mark(line: 16, column: 5),
        ])
        #expect(errors.map(\.code) == [.wrongType, .unknownLoss, .outOfRange, .outOfRange, .duplicateJob, .unknownKey])
        #expect(errors.map(\.path) == ["daemon.workers", "jobs[0].loss", "jobs[0].optimizer.lr", "jobs[0].max_steps", "jobs[1].name", "jobs[1].colour"])
    }

    @Test("Errors render as FILE:LINE:COLUMN: error: MESSAGE (at PATH), with a caret snippet")
    func rendering() throws {
        let errors = rejected("jobs:\n  - name: a\n" + seedBody.replacingOccurrences(of: "lr: 0.1", with: "lrr: 0.1"))
        let error = try #require(errors.first)
        #expect(error.description == "test.yaml:6:28: error: sgd has no option 'lrr', did you mean 'lr'? (options: lr, momentum, dampening, weight_decay, nesterov, maximize) (at jobs[0].optimizer.lrr)")
        #expect(error.snippet == "        optimizer: {name: sgd, lrr: 0.1}\n                               ^")
        #expect(error.code == .unknownOption)
    }

    @Test("At most maxErrors errors are reported")
    func errorCap() {
        let items = (0..<300).map { "  - {name: j\($0)}" }.joined(separator: "\n")
        switch load("jobs:\n" + items) {
        case .success: Issue.record("accepted")
        case .failure(let errors):
            #expect(errors.errors.count == ConfigLimits.default.maxErrors)
            #expect(errors.truncated)
        }
    }
}
